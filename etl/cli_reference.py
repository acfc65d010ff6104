"""Write docs/cli.md from the commands' own help, so the reference cannot drift.

``python -m etl.cli_reference`` rewrites the page; a test checks it is current.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from etl.cli import main

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
WIDTH = 100
INTRO = """# CLI reference

`landscape` (also `python -m etl`) is a thin layer over `etl/` and `warehouse/`; the
dashboard calls the same functions. A user mistake (a bad file, an unknown company, a busy
warehouse) ends in one line on stderr naming the file, line and fix, and exit status 2; a
traceback means a bug.

Each section is the command's own `--help` (regenerate with
`.venv/bin/python -m etl.cli_reference`; a test fails when this page is out of date).
"""


def _help(*args: str) -> str:
    result = CliRunner().invoke(
        main, [*args, "--help"], prog_name="landscape", terminal_width=WIDTH
    )
    return result.output.rstrip("\n")


def render() -> str:
    """The whole reference page: the help of ``landscape`` and of each command."""
    sections = [INTRO, "## landscape\n", f"```text\n{_help()}\n```\n"]
    for name in sorted(main.commands):
        sections.append(f"## landscape {name}\n")
        sections.append(f"```text\n{_help(name)}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
