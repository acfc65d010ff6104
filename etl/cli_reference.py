"""Write docs/cli.md from the commands' own help, so the reference cannot drift.

``python -m etl.cli_reference`` rewrites the page; a test checks it is current.
"""

from __future__ import annotations

from pathlib import Path

import click

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


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    context = click.Context(
        command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH
    )
    return command.get_help(context)


def render() -> str:
    """The whole reference page."""
    root = click.Context(main, info_name="landscape", terminal_width=WIDTH, max_content_width=WIDTH)
    sections = [INTRO, "## landscape\n", f"```text\n{main.get_help(root)}\n```\n"]
    for name in sorted(main.commands):
        sections.append(f"## landscape {name}\n")
        sections.append(f"```text\n{_help(main.commands[name], name, root)}\n```\n")
    return "\n".join(sections)


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    print(f"wrote {DOC}")
