"""Find the curated files of a data folder and check that each can be read at all.

A file that fails here stops the refresh: its rows cannot be counted, so nothing about it
could be loaded honestly.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from etl.errors import InputError

_CHUNK = 1 << 20


class FileKind(StrEnum):
    """What a curated file holds."""

    EVENTS = "events"
    SOURCES = "sources"


REQUIRED_COLUMNS: dict[FileKind, tuple[str, ...]] = {
    FileKind.EVENTS: (
        "date",
        "type",
        "company",
        "counterparty",
        "amount",
        "currency",
        "title",
        "source_url",
    ),
    FileKind.SOURCES: ("event_ref", "source_url"),
}
OPTIONAL_COLUMNS: dict[FileKind, tuple[str, ...]] = {
    FileKind.EVENTS: (
        "ref",
        "amount_qualifier",
        "status",
        "product",
        "modality",
        "publisher",
        "source_language",
        "notes",
    ),
    FileKind.SOURCES: (
        "publisher",
        "source_language",
        "reported_amount",
        "reported_currency",
        "notes",
    ),
}


@dataclass(frozen=True)
class FileScan:
    """What one pass over a file's bytes tells: its digest and how many line breaks it has."""

    sha256: str
    line_breaks: int


@dataclass(frozen=True)
class InputFile:
    """A curated CSV file, its kind and its header as written."""

    path: Path
    kind: FileKind
    header: tuple[str, ...]
    scan: FileScan
    label: str = ""  # how the warehouse names it: the file name, or <source>/<file name>

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.path.name)

    def known_columns(self) -> tuple[str, ...]:
        """Columns of this file that the loader reads (the others are ignored)."""
        known = REQUIRED_COLUMNS[self.kind] + OPTIONAL_COLUMNS[self.kind]
        return tuple(c for c in self.header if c in known)

    def ignored_columns(self) -> tuple[str, ...]:
        """Columns of this file that the loader does not know."""
        known = REQUIRED_COLUMNS[self.kind] + OPTIONAL_COLUMNS[self.kind]
        return tuple(c for c in self.header if c not in known)


def kind_of(path: Path) -> FileKind:
    """``sources*.csv`` holds extra sources; every other ``*.csv`` holds events."""
    return FileKind.SOURCES if path.name.lower().startswith("sources") else FileKind.EVENTS


def discover(data_dir: Path) -> list[InputFile]:
    """The curated files of ``data_dir``, events first, each checked with :func:`check`."""
    if not data_dir.is_dir():
        raise InputError(data_dir, "is not a folder; pass --data-dir with a folder of CSV files")
    paths = sorted(p for p in data_dir.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if not any(kind_of(p) is FileKind.EVENTS for p in paths):
        raise InputError(data_dir, "holds no event CSV file (*.csv other than sources*.csv)")
    files = [check(p, kind_of(p)) for p in paths]
    return sorted(files, key=lambda f: (f.kind is FileKind.SOURCES, f.path.name))


def check(path: Path, kind: FileKind) -> InputFile:
    """Check that ``path`` is readable UTF-8 with the required header; return its header."""
    file_scan = scan(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header_row = next(csv.reader(handle), None)
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    if not header_row:
        raise InputError(path, "is empty; the first line must be the header", line=1)
    header = tuple(name.strip() for name in header_row)
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise InputError(path, "header has an empty column name", line=1, column=position)
        if name in seen:
            raise InputError(path, f"header names column '{name}' twice", line=1, column=position)
        seen.add(name)
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in seen]
    if missing:
        raise InputError(
            path,
            f"missing required column(s) {', '.join(missing)}; "
            f"the header must include {','.join(REQUIRED_COLUMNS[kind])}",
            line=1,
        )
    return InputFile(path=path, kind=kind, header=header, scan=file_scan)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def scan(path: Path) -> FileScan:
    """Check ``path`` is UTF-8, hash it and count its line breaks.

    The hash runs in a second thread (hashlib lets go of the GIL) while this one decodes.
    Raises :class:`InputError` at the first byte that is not UTF-8, naming line and column.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    breaks = consumed = 0
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(_sha256, path)
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    breaks += chunk.count(b"\n")
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError as exc:
                        # exc.object is the decoder's pending bytes followed by this chunk
                        pending = len(exc.object) - len(chunk)
                        raise _not_utf8(path, consumed - pending + exc.start) from None
                    consumed += len(chunk)
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    raise InputError(
                        path, "is not UTF-8 (it ends inside a character)", line=breaks + 1
                    ) from None
            sha256 = digest.result()
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    return FileScan(sha256=sha256, line_breaks=breaks)


def _not_utf8(path: Path, offset: int) -> InputError:
    """The error for the byte at ``offset``, with its line and column (a second, rare read)."""
    with path.open("rb") as handle:
        before = handle.read(offset)
        bad = handle.read(1)
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", "replace")) + 1
    return InputError(
        path,
        f"is not UTF-8 (byte 0x{bad[0]:02x}); save it as UTF-8 (in Excel: 'CSV UTF-8')",
        line=before.count(b"\n") + 1,
        column=column,
    )


def record_starts(path: Path) -> list[tuple[int, bool]]:
    """Where each record after the header begins (1-based line) and whether it is blank.

    Python's csv module follows quoted line breaks, so this names the physical line of every
    record, including records the DuckDB reader set aside as malformed.
    """
    starts: list[tuple[int, bool]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        previous_end = reader.line_num
        for record in reader:
            starts.append((previous_end + 1, not record))
            previous_end = reader.line_num
    return starts
