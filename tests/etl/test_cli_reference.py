"""docs/cli.md is the commands' own help, regenerated when a command changes."""

from etl.cli_reference import DOC, render


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is out of date: run `.venv/bin/python -m etl.cli_reference`"
    )
