"""File labels when several sources feed one warehouse: ``<source>/<file>``.

The loader names each input by its file name. Two sources may both have an ``events.csv``,
so for a multi-source build each file is linked into a staging folder under a name unique
to it (``<source>~<file>``, ``~`` being no part of a source name), and once the build is
done every column that names an input file is rewritten to the label. With one source the
plain file names stay, as they always were.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Mapping
from pathlib import Path

import duckdb

from etl.files import InputFile

# Every column of the warehouse that holds an input file's name (warehouse/schema/*.sql).
# tests/etl/sources/test_refresh_sources.py scans every text column for a staged name, so a
# new column that this list misses fails there.
FILE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("input_files", "file"),
    ("rejects", "file"),
    ("duplicates", "file"),
    ("duplicates", "first_file"),
    ("events", "source_file"),
    ("extra_sources", "source_file"),
    ("companies", "first_seen_file"),
)
STAGING_INFIX = ".inputs-"


def staging_folder(warehouse: Path, pid: int) -> Path:
    """Where one refresh links its inputs: ``<warehouse>.inputs-<pid>/`` beside it."""
    return warehouse.with_name(f"{warehouse.name}{STAGING_INFIX}{pid}")


def remove_stale_staging(warehouse: Path) -> None:
    """Delete staging folders that killed refreshes left (call under the refresh lock)."""
    for folder in warehouse.parent.glob(f"{warehouse.name}{STAGING_INFIX}*"):
        shutil.rmtree(folder, ignore_errors=True)


def staged_name(source: str, file: InputFile) -> str:
    """The unique name a file of ``source`` is linked under: ``<source>~<file name>``."""
    return f"{source}~{file.path.name}"


def stage(
    folder: Path, files: list[tuple[str, InputFile]]
) -> tuple[list[InputFile], dict[str, str]]:
    """Link each (source, file) into ``folder`` under its staged name.

    Returns the files as the loader should read them and the map staged name -> label.
    """
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[InputFile] = []
    labels: dict[str, str] = {}
    for source, file in files:
        name = staged_name(source, file)
        link = folder / name
        link.symlink_to(file.path.resolve())
        staged.append(dataclasses.replace(file, path=link))
        labels[name] = f"{source}/{file.path.name}"
    return staged, labels


def relabel(con: duckdb.DuckDBPyConnection, labels: Mapping[str, str]) -> None:
    """Rewrite staged names to labels in every file column of a freshly built warehouse."""
    con.execute("CREATE OR REPLACE TEMP TABLE file_labels (staged VARCHAR, label VARCHAR)")
    con.executemany("INSERT INTO file_labels VALUES (?, ?)", list(labels.items()))
    for table, column in FILE_COLUMNS:
        con.execute(
            f"UPDATE {table} SET {column} = l.label FROM file_labels AS l"
            f" WHERE {table}.{column} = l.staged"
        )
    con.execute("DROP TABLE file_labels")
