# AI Landscape: the two commands of the Quick start, and the pieces they are made of.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test setup warehouse lint typecheck pytest bench clean

run: warehouse ## set up, build the warehouse from sample data, print its summary
	@if [ -f dashboard/app.py ]; then $(BIN)/landscape dashboard; fi

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
	$(BIN)/ruff format --check etl warehouse

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest

bench: setup ## refresh and export timings against DuckDB's own floor (docs/benchmarks.md)
	$(BIN)/python -m benchmarks.refresh

clean:
	rm -rf $(VENV) data build *.egg-info .pytest_cache .mypy_cache .ruff_cache
