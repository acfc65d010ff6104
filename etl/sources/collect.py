"""Gather each source's curated files: read a folder, or fetch, check and cache.

A local folder is the curator's own work: a file that cannot be used stops the refresh, as
it always has. A remote source is someone else's server: when it fails or answers garbage,
its last good copy (from the cache) is used and the source is marked failed, and the other
sources go on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from etl.errors import InputError
from etl.files import FileKind, InputFile, check, discover
from etl.load import Progress
from etl.sources.cache import CachedMeta, SourceCache
from etl.sources.http import FetchError, HttpClient
from etl.sources.json_rows import RowsShapeError, rows_to_csv
from etl.sources.registry import (
    LocalSource,
    RemoteCsvSource,
    RemoteJsonSource,
    SecCapexSource,
    Source,
)
from etl.sources.sec import SecDataError, capex_csv, companyfacts_url

RECIPE_VERSION = "1"  # bump when a conversion changes, so cached copies are fetched anew
UnitState = Literal["fetched", "not_modified", "last_good", "missing"]


class SourceDataError(Exception):
    """A body arrived but is not the source's data."""


@dataclass(frozen=True)
class Unit:
    """One URL of a source and the one cached file it becomes."""

    name: str  # the file's name in the cache: events.csv, meta.csv
    url: str
    what: str  # how messages name it: the URL, or "Meta (CIK 1326801)"
    accept: tuple[str, ...]
    recipe: str
    convert: Callable[[bytes], bytes]  # body -> curated CSV; raises on garbage
    kind: FileKind
    max_bytes: int | None


@dataclass(frozen=True)
class UnitResult:
    """What became of one unit: its file (fresh or last good) and its error, if any."""

    file: InputFile | None
    state: UnitState
    error: str | None = None


@dataclass
class Collected:
    """One source's files for this refresh, and what went wrong getting them."""

    source: Source
    files: list[InputFile]
    errors: list[str] = field(default_factory=list)
    used_last_good: bool = False
    summary: str = ""

    @property
    def failed(self) -> bool:
        """Some part of the source could not be fetched or was not its data."""
        return bool(self.errors)


def collect(
    source: Source,
    *,
    client: Callable[[], HttpClient],
    cache_root: Path,
    progress: Progress,
) -> Collected:
    """The files of ``source``; ``client`` is called only when a fetch is needed.

    Raises :class:`InputError` for a local folder that cannot be used.
    """
    if isinstance(source, LocalSource):
        files = discover(source.path)
        return Collected(source, files, summary=f"{len(files)} file(s) in {source.path}")
    cache = SourceCache(cache_root, source.name)
    cache.remove_staged()
    if isinstance(source, SecCapexSource):
        units = _sec_units(source)
        refusal = _sec_user_agent_problem(client().settings.user_agent)
    else:
        units = [_remote_unit(source)]
        refusal = None
    results = []
    for unit in units:
        if refusal is not None:
            result = _last_good(cache, unit, f"{unit.what}: {refusal}")
        else:
            result = fetch_unit(client(), cache, unit)
        progress(f"  {unit.what}: {_state_text(result)}")
        results.append(result)
    files = [r.file for r in results if r.file is not None]
    errors = [r.error for r in results if r.error is not None]
    states = [r.state for r in results]
    summary = ", ".join(
        f"{states.count(s)} {s.replace('_', ' ')}"
        for s in ("fetched", "not_modified", "last_good", "missing")
        if s in states
    )
    return Collected(
        source,
        files,
        errors,
        used_last_good="last_good" in states,
        summary=summary,
    )


def _state_text(result: UnitResult) -> str:
    if result.error is None:
        return "fetched" if result.state == "fetched" else "not modified (304)"
    kept = "kept the last good copy" if result.file else "no good copy yet"
    return f"FAILED, {kept}: {result.error}"


def fetch_unit(client: HttpClient, cache: SourceCache, unit: Unit) -> UnitResult:
    """Fetch one unit; on any failure fall back to its last good copy."""
    meta = cache.meta(unit.name)
    usable = meta is not None and meta.url == unit.url and meta.recipe == unit.recipe
    try:
        fetched = client.get(
            unit.url,
            accept=unit.accept,
            max_bytes=unit.max_bytes,
            validators=meta.validators() if meta is not None and usable else None,
        )
        if fetched.body is None:
            return UnitResult(check(cache.path(unit.name), unit.kind), "not_modified")
        try:
            data = unit.convert(fetched.body)
        except (RowsShapeError, SecDataError) as exc:
            raise SourceDataError(str(exc)) from None
        staged = cache.stage(data)
        try:
            try:
                checked = check(staged, unit.kind)
            except InputError as exc:
                where = f"line {exc.line}: " if exc.line is not None else ""
                raise SourceDataError(f"{where}{exc.reason}") from None
            path = cache.commit(
                staged,
                unit.name,
                CachedMeta(
                    url=unit.url,
                    recipe=unit.recipe,
                    etag=fetched.validators.etag,
                    last_modified=fetched.validators.last_modified,
                    sha256=checked.scan.sha256,
                    stored_at=dt.datetime.now(dt.UTC),
                ),
            )
        finally:
            staged.unlink(missing_ok=True)
        return UnitResult(dataclasses.replace(checked, path=path), "fetched")
    except (FetchError, SourceDataError) as exc:
        return _last_good(cache, unit, f"{unit.what}: {exc}")


def _last_good(cache: SourceCache, unit: Unit, error: str) -> UnitResult:
    path = cache.path(unit.name)
    if not path.is_file():
        return UnitResult(None, "missing", error)
    try:
        return UnitResult(check(path, unit.kind), "last_good", error)
    except InputError as exc:  # a damaged cache: say so, and carry on without it
        return UnitResult(None, "missing", f"{error}; last good copy unusable: {exc.reason}")


def _recipe(*parts: object) -> str:
    text = "|".join(str(p) for p in (RECIPE_VERSION, *parts))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _remote_unit(source: RemoteCsvSource | RemoteJsonSource) -> Unit:
    kind = FileKind(source.holds)
    name = f"{source.holds}.csv"
    if isinstance(source, RemoteJsonSource):

        def convert(body: bytes) -> bytes:
            return rows_to_csv(body, kind)

    else:

        def convert(body: bytes) -> bytes:
            return body

    return Unit(
        name=name,
        url=source.url,
        what=source.url,
        accept=source.content_types,
        recipe=_recipe(source.kind, source.holds),
        convert=convert,
        kind=kind,
        max_bytes=source.max_bytes,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sec_units(source: SecCapexSource) -> list[Unit]:
    units = []
    taken: set[str] = set()
    for company in source.companies:
        tag = company.tag or source.tag
        slug = _slug(company.company) or f"cik{company.cik}"
        if slug in taken:
            slug = f"{slug}-{company.cik}"
        taken.add(slug)

        def convert(
            body: bytes, company: str = company.company, cik: int = company.cik, tag: str = tag
        ) -> bytes:
            return capex_csv(
                body, company=company, cik=cik, tag=tag, forms=source.forms, since=source.since
            )

        units.append(
            Unit(
                name=f"{slug}.csv",
                url=companyfacts_url(source.base_url, company.cik),
                what=f"{company.company} (CIK {company.cik})",
                accept=("application/json",),
                recipe=_recipe(source.kind, company.company, tag, source.forms, source.since),
                convert=convert,
                kind=FileKind.EVENTS,
                max_bytes=source.max_bytes,
            )
        )
    return units


def _sec_user_agent_problem(user_agent: str) -> str | None:
    """Why the SEC would refuse this User-Agent, if it would: it must name a contact."""
    if "@" not in user_agent or re.search(r"@example\.(com|org|net)\b", user_agent):
        return (
            "the SEC requires a User-Agent naming you and a contact e-mail; set [http] "
            "user_agent in the sources file or $LANDSCAPE_USER_AGENT"
        )
    return None
