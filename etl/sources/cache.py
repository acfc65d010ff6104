"""The last good copy of every remote source, and what its server said about it.

Layout, under the warehouse's folder: ``cache/<source>/<file>.csv`` is the copy a refresh
loads (already in the curated CSV format), ``cache/<source>/<file>.csv.meta.json`` the URL,
the server's ETag / Last-Modified and the recipe that made it. A copy is only ever replaced
by one that passed every check, and by a rename, so a failed or killed fetch leaves the
last good copy in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from etl.sources.http import Validators

META_SUFFIX = ".meta.json"
PART_SUFFIX = ".part"


class CachedMeta(BaseModel):
    """Where a cached copy came from and how it was made."""

    model_config = ConfigDict(frozen=True)

    url: str
    recipe: str  # how the file is made from the body; a new recipe asks for a full body
    etag: str | None = None
    last_modified: str | None = None
    sha256: str
    stored_at: dt.datetime

    def validators(self) -> Validators:
        """The conditional-GET validators of this copy."""
        return Validators(self.etag, self.last_modified)


def cache_root(warehouse: Path) -> Path:
    """The cache folder of ``warehouse``: ``cache/`` beside it."""
    return warehouse.parent / "cache"


class SourceCache:
    """The cached files of one source."""

    def __init__(self, root: Path, source: str) -> None:
        self.folder = root / source

    def path(self, name: str) -> Path:
        """Where the copy named ``name`` lives."""
        return self.folder / name

    def meta(self, name: str) -> CachedMeta | None:
        """What is known about the copy ``name``; ``None`` when there is no usable copy."""
        path = self.path(name)
        if not path.is_file():
            return None
        try:
            meta = CachedMeta.model_validate_json(path.with_name(name + META_SUFFIX).read_bytes())
        except (OSError, ValidationError):
            return None
        # A copy that is not the one described (a crash between the two writes, a hand
        # edit) must not be vouched for by the server's validators.
        return meta if _sha256(path) == meta.sha256 else None

    def stage(self, data: bytes) -> Path:
        """Write ``data`` to a temporary file in the source's folder, to be checked there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=self.folder, suffix=PART_SUFFIX)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return Path(name)

    def commit(self, staged: Path, name: str, meta: CachedMeta) -> Path:
        """Make the checked file ``staged`` the copy ``name`` (a rename), then record ``meta``.

        The file goes first, its meta second: a crash in between leaves a meta that no
        longer matches the file, which :meth:`meta` ignores (the next fetch is a full one).
        """
        path = self.path(name)
        os.replace(staged, path)
        _write_atomically(path.with_name(name + META_SUFFIX), meta.model_dump_json().encode())
        return path

    def remove_staged(self) -> None:
        """Delete temporary files a killed refresh left behind."""
        if self.folder.is_dir():
            for part in self.folder.glob(f"*{PART_SUFFIX}"):
                part.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=PART_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
