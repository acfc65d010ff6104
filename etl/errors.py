"""Errors a user can fix: one line naming the file, line, column and the fix."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file the refresh cannot use at all (the previous warehouse stays as it was)."""

    def __init__(
        self,
        path: Path | str,
        reason: str,
        *,
        line: int | None = None,
        column: int | str | None = None,
    ) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        if self.column is not None:
            where += f":{self.column}" if isinstance(self.column, int) else f" column {self.column}"
        return f"{where}: {self.reason}"


class StrictModeError(Exception):
    """``--strict`` refused a refresh that had rejected rows."""


class RefreshBusyError(Exception):
    """Another refresh holds the warehouse lock."""
