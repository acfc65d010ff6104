"""Which files a refresh reads, and the files it refuses outright (naming file, line and
column so the analyst can fix them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.errors import InputError
from etl.files import _CHUNK, FileKind, check, discover, kind_of, record_starts

HEADER = "date,type,company,counterparty,amount,currency,title,source_url\n"
ROW = "2025-06-12,partnership,Meta,,,,Deal,https://example.com/a\n"


def refused(path: Path, kind: FileKind = FileKind.EVENTS) -> InputError:
    with pytest.raises(InputError) as caught:
        check(path, kind)
    return caught.value


def test_a_byte_that_is_not_utf8_is_named_by_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    bad_line = "2025-06-12,partnership,Meta,,,,Caf\xe9,https://example.com/a\n"
    path.write_bytes((HEADER + ROW).encode() + bad_line.encode("latin-1"))
    error = refused(path)
    assert (error.path, error.line) == (path, 3)
    assert error.column == bad_line.index("\xe9") + 1
    assert str(error).startswith(f"{path}:3:{error.column}: is not UTF-8 (byte 0xe9)")


def test_utf8_split_across_read_chunks_is_fine_and_later_errors_keep_their_line(
    tmp_path: Path,
) -> None:
    """The file is read in 1 MiB chunks: an Arabic letter straddling two chunks is valid
    UTF-8, and a bad byte in the second chunk is still found at its line and column."""
    filler = "x" * 99 + "\n"
    count = (_CHUNK - len(HEADER)) // len(filler)
    head = (HEADER + filler * count).encode()
    pad = b"y" * (_CHUNK - len(head) - 1)
    valid = head + pad + "ي".encode() + b"\n"  # the two bytes of ي sit on either side
    path = tmp_path / "events.csv"
    path.write_bytes(valid)
    assert check(path, FileKind.EVENTS).header[0] == "date"

    path.write_bytes(valid + b"abc\xe9\n")
    error = refused(path)
    # header, `count` filler lines, the line ending in ي, then the bad one
    assert (error.line, error.column) == (1 + count + 1 + 1, 4)


def test_a_file_cut_inside_a_character_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes((HEADER + ROW).encode() + "ميتا".encode()[:-1])
    error = refused(path)
    assert error.line == 3
    assert "not UTF-8" in error.reason


def test_an_empty_file_is_refused_at_line_1(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b"")
    error = refused(path)
    assert (error.path, error.line) == (path, 1)
    assert "empty" in error.reason


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("date,type,company,counterparty,amount,currency,title\n", ["source_url"]),
        ("ref,date,company,title,source_url\n", ["type", "counterparty", "amount", "currency"]),
    ],
)
def test_a_missing_required_column_is_named(
    tmp_path: Path, header: str, missing: list[str]
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(header, encoding="utf-8")
    error = refused(path)
    assert error.line == 1
    assert f"missing required column(s) {', '.join(missing)};" in error.reason


def test_a_sources_file_needs_only_its_own_columns(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text("event_ref,source_url,comment\n", encoding="utf-8")
    found = check(path, FileKind.SOURCES)
    assert found.known_columns() == ("event_ref", "source_url")
    assert found.ignored_columns() == ("comment",)
    path.write_text("event_ref,url\n", encoding="utf-8")
    assert "source_url" in refused(path, FileKind.SOURCES).reason


@pytest.mark.parametrize(
    ("header", "column", "says"),
    [
        ("date,type,company,date,counterparty,amount,currency,title,source_url\n", 4, "twice"),
        ("date,type,,company,counterparty,amount,currency,title,source_url\n", 3, "empty"),
    ],
)
def test_a_header_with_a_repeated_or_empty_name_is_refused_at_its_column(
    tmp_path: Path, header: str, column: int, says: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(header, encoding="utf-8")
    error = refused(path)
    assert (error.line, error.column) == (1, column)
    assert says in error.reason


def test_a_bom_and_padded_header_names_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "\ufeff date , type,company,counterparty,amount,currency,title,source_url,x\n",
        encoding="utf-8",
    )
    found = check(path, FileKind.EVENTS)
    assert found.header[:2] == ("date", "type")
    assert found.ignored_columns() == ("x",)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    path.chmod(0)
    try:
        error = refused(path)
    finally:
        path.chmod(0o644)
    assert error.path == path
    assert "cannot be read" in error.reason


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("events.csv", FileKind.EVENTS),
        ("2025-deals.csv", FileKind.EVENTS),
        ("sources.csv", FileKind.SOURCES),
        ("Sources_arabic.CSV", FileKind.SOURCES),
        ("more_sources.csv", FileKind.EVENTS),  # only the start of the name counts
    ],
)
def test_a_files_kind_comes_from_its_name(name: str, kind: FileKind) -> None:
    assert kind_of(Path(name)) is kind


def test_discover_reads_csv_files_events_first_and_skips_others(tmp_path: Path) -> None:
    (tmp_path / "sources.csv").write_text("event_ref,source_url\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(HEADER, encoding="utf-8")
    (tmp_path / "a.CSV").write_text(HEADER, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not data", encoding="utf-8")
    (tmp_path / "folder.csv").mkdir()
    assert [(f.path.name, f.kind) for f in discover(tmp_path)] == [
        ("a.CSV", FileKind.EVENTS),
        ("b.csv", FileKind.EVENTS),
        ("sources.csv", FileKind.SOURCES),
    ]


@pytest.mark.parametrize(
    "files",
    [{}, {"sources.csv": "event_ref,source_url\n"}, {"events.txt": HEADER}],
    ids=["empty-folder", "sources-only", "no-csv"],
)
def test_a_data_folder_without_an_event_file_is_refused(
    tmp_path: Path, files: dict[str, str]
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        discover(tmp_path)
    assert caught.value.path == tmp_path
    assert "no event CSV" in caught.value.reason


def test_a_data_folder_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        discover(tmp_path / "nowhere")
    assert caught.value.path == tmp_path / "nowhere"


def test_a_bad_file_anywhere_in_the_folder_stops_discovery(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(HEADER + ROW, encoding="utf-8")
    (tmp_path / "b.csv").write_text("date,type\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        discover(tmp_path)
    assert caught.value.path == tmp_path / "b.csv"


def test_record_starts_follow_quoted_line_breaks_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(b'a,b\r\n1,2\r\n\r\n"x\r\ny",3\r\n4,5,6\r\n7,8')
    # header on line 1; then 1,2 (line 2), a blank line (3), a cell spanning lines 4-5,
    # a row with a cell too many (6) and a last row without a final line break (7)
    assert record_starts(path) == [(2, False), (3, True), (4, False), (6, False), (7, False)]
