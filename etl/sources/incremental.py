"""Is a rebuild needed? Compare this refresh's inputs with those of the live warehouse.

The live warehouse records its inputs (``input_files``: label, kind, sha256) and the run
that built it (newest ``runs`` row with ``swapped``, holding the seeds digest). When every
input and the seeds are byte-for-byte the same, and the tool and schema versions too, a
rebuild would give the same warehouse: the refresh leaves the file alone (same inode and
mtime, so readers' caches stay valid) and records the run as ``unchanged``.

The warehouse is opened read-only, never read-write: readers may hold it. DuckDB hands a
process the database it already has open for a path, even after the file was replaced, so
the building run's id is checked against the run log's newest swap: a stale view (or a
warehouse built some other way) does not match, and the refresh rebuilds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.runlog import last_swap
from etl.seeds import SEED_FILES
from warehouse.db import migrations


@dataclass(frozen=True)
class FileState:
    """One input file as the live warehouse recorded it."""

    kind: str
    sha256: str
    rows_read: int
    loaded: int
    duplicates: int
    rejected: int


@dataclass(frozen=True)
class LiveState:
    """What the live warehouse was built from."""

    files: dict[str, FileState]  # label -> state
    seeds_sha256: str | None
    built_by: str | None  # run id
    tool_version: str | None
    schema_version: int | None
    events: int


def seeds_digest(seeds_dir: Path) -> str:
    """sha256 over the seed files' names and bytes (a missing file counts as such)."""
    digest = hashlib.sha256()
    for name in sorted(SEED_FILES.values()):
        digest.update(name.encode() + b"\0")
        try:
            digest.update(hashlib.sha256((seeds_dir / name).read_bytes()).digest())
        except OSError:
            digest.update(b"missing")
    return digest.hexdigest()


def read_live(warehouse: Path) -> LiveState | None:
    """The live warehouse's record of its inputs; ``None`` when there is no usable one."""
    if not warehouse.is_file():
        return None
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error:
        return None
    try:
        files = {
            str(r[0]): FileState(str(r[1]), str(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]))
            for r in con.execute(
                "SELECT file, kind, sha256, rows_read, loaded, duplicates, rejected"
                " FROM input_files"
            ).fetchall()
        }
        built = con.execute(
            "SELECT run_id, seeds_sha256 FROM runs WHERE swapped ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
        tool = con.execute("SELECT max(tool_version) FROM refresh_info").fetchone()
        schema = con.execute("SELECT max(version) FROM schema_version").fetchone()
        events = con.execute("SELECT count(*) FROM events").fetchone()
    except duckdb.Error:  # built before runs were recorded, or not a warehouse at all
        return None
    finally:
        con.close()
    return LiveState(
        files=files,
        seeds_sha256=built[1] if built else None,
        built_by=built[0] if built else None,
        tool_version=tool[0] if tool else None,
        schema_version=int(schema[0]) if schema and schema[0] is not None else None,
        events=int(events[0]) if events else 0,
    )


def latest_schema_version() -> int:
    """The schema version a new warehouse gets."""
    return max((version for version, _ in migrations()), default=0)


def unchanged(
    live: LiveState | None,
    warehouse: Path,
    inputs: dict[str, tuple[str, str]],
    seeds_sha256: str,
    tool_version: str,
) -> bool:
    """True when a rebuild from ``inputs`` (label -> (kind, sha256)) would change nothing."""
    if live is None or live.built_by is None:
        return False
    swap = last_swap(warehouse)
    if swap is None or swap.run_id != live.built_by:
        return False
    recorded = {label: (state.kind, state.sha256) for label, state in live.files.items()}
    return (
        recorded == inputs
        and live.seeds_sha256 == seeds_sha256
        and live.tool_version == tool_version
        and live.schema_version == latest_schema_version()
    )
