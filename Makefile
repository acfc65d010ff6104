# AI Landscape: the two commands of the Quick start, and the pieces they are made of.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup warehouse lint typecheck pytest bench screenshots docs clean

run: warehouse ## set up, build the warehouse from sample data, serve the dashboard
	$(BIN)/landscape dashboard

test: setup lint typecheck pytest ## everything CI checks

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

warehouse: setup
	$(BIN)/landscape refresh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check etl warehouse dashboard benchmarks

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

bench: setup ## refresh, query, export and page timings (figures in docs/benchmarks.md)
	$(BIN)/python -m benchmarks.refresh
	$(BIN)/python -m benchmarks.queries
	$(BIN)/python -m benchmarks.dashboard
	$(BIN)/python -m benchmarks.incremental

screenshots: setup ## the README's pictures, taken by the end-to-end test
	LANDSCAPE_SCREENSHOTS=docs/images $(BIN)/pytest tests/dashboard/test_e2e.py

docs: setup ## regenerate docs/cli.md from the commands' help
	$(BIN)/python -m etl.cli_reference

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache .mypy_cache .ruff_cache
