"""The source registry, ``sources.toml``: which sources a refresh reads, and how.

Every source has a ``name`` (its folder in the cache and the prefix of its files' labels),
a ``kind`` and that kind's settings; ``[http]`` holds the settings of every fetch.
docs/sources.md documents the format. A mistake in the file stops the refresh with one line
naming the file, the source and the setting.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from etl.errors import InputError

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_REGISTRY = REPO_ROOT / "sources.toml"
USER_AGENT_ENV = "LANDSCAPE_USER_AGENT"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"  # a folder name and a label prefix, anywhere
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
CAPEX_TAG = "PaymentsToAcquirePropertyPlantAndEquipment"


def _tool_version() -> str:
    try:
        return version("ai-landscape")
    except PackageNotFoundError:
        return "0"


def default_user_agent() -> str:
    """Names the tool; carries no contact, so the SEC source refuses it (see docs)."""
    return f"ai-landscape/{_tool_version()}"


class HttpSettings(BaseModel):
    """How every fetch behaves: identity, timeouts, retries and the size cap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: str = Field(default_factory=default_user_agent, min_length=1)
    connect_timeout: float = Field(10.0, gt=0)  # seconds to open the connection
    read_timeout: float = Field(60.0, gt=0)  # seconds of silence while reading
    retries: int = Field(4, ge=0, le=10)  # on connection errors, timeouts, 429 and 5xx
    backoff_factor: float = Field(1.0, ge=0)  # waits 0, 2b, 4b, 8b... seconds between tries
    backoff_max: float = Field(60.0, ge=0)  # the longest wait, Retry-After included
    max_bytes: int = Field(100_000_000, gt=0)  # a larger body is refused (stops reading)


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)


class LocalSource(_Source):
    """A folder of curated CSV files (``sources*.csv`` hold extra sources)."""

    kind: Literal["local"]
    path: Path


class RemoteCsvSource(_Source):
    """One curated-format CSV file at a URL."""

    kind: Literal["remote_csv"]
    url: str = Field(pattern=URL_PATTERN)
    holds: Literal["events", "sources"] = "events"
    max_bytes: int | None = Field(None, gt=0)
    content_types: tuple[str, ...] = ("text/csv", "application/csv", "text/plain")


class RemoteJsonSource(_Source):
    """A JSON array of row objects with the curated format's keys, at a URL."""

    kind: Literal["remote_json"]
    url: str = Field(pattern=URL_PATTERN)
    holds: Literal["events", "sources"] = "events"
    max_bytes: int | None = Field(None, gt=0)
    content_types: tuple[str, ...] = ("application/json", "text/json")


class SecCompany(BaseModel):
    """One filer: its CIK, the seed company it is, and the us-gaap tag of its capex."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    company: str = Field(min_length=1)  # a seed company name or alias: "Meta", "Google"
    cik: int = Field(gt=0, lt=10**10)
    tag: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9]*$")  # None: the source's


class SecCapexSource(_Source):
    """Quarterly capital expenditure from SEC EDGAR's XBRL company facts."""

    kind: Literal["sec_capex"]
    companies: list[SecCompany] = Field(min_length=1)
    tag: str = Field(CAPEX_TAG, pattern=r"^[A-Za-z][A-Za-z0-9]*$")
    base_url: str = Field("https://data.sec.gov", pattern=URL_PATTERN)
    since: dt.date | None = None  # quarters ending on or after this day
    forms: tuple[str, ...] = ("10-K", "10-K/A", "10-Q", "10-Q/A")
    max_bytes: int | None = Field(None, gt=0)

    @field_validator("companies")
    @classmethod
    def _distinct(cls, companies: list[SecCompany]) -> list[SecCompany]:
        for attribute in ("cik", "company"):
            seen: set[object] = set()
            for company in companies:
                value = getattr(company, attribute)
                if value in seen:
                    raise ValueError(f"{attribute} {value!r} is listed twice")
                seen.add(value)
        return companies


Source = Annotated[
    LocalSource | RemoteCsvSource | RemoteJsonSource | SecCapexSource,
    Field(discriminator="kind"),
]
REMOTE_KINDS = ("remote_csv", "remote_json", "sec_capex")


class Registry(BaseModel):
    """Every source of a refresh, in the order their files are read, and the HTTP settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    http: HttpSettings = Field(default_factory=HttpSettings)
    source: list[Source] = Field(min_length=1)

    @field_validator("source")
    @classmethod
    def _unique_names(cls, sources: list[Source]) -> list[Source]:
        names = [s.name for s in sources]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"source name(s) {', '.join(twice)} used twice")
        return sources

    @property
    def sources(self) -> list[Source]:
        """The sources, in file order."""
        return self.source

    @property
    def several(self) -> bool:
        """More than one source: file labels carry the source name (``<source>/<file>``)."""
        return len(self.source) > 1


def single_local(data_dir: Path, name: str = "local") -> Registry:
    """The registry ``--data-dir`` stands for: one local folder."""
    return Registry(source=[LocalSource(name=name, kind="local", path=data_dir)])


def load_registry(path: Path) -> Registry:
    """Read ``path``; relative folders are relative to the file; env overrides apply.

    ``$LANDSCAPE_USER_AGENT``, when set, replaces ``[http] user_agent``.
    Raises :class:`InputError` naming the file, the source and the setting.
    """
    try:
        with path.open("rb") as handle:
            raw: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError:
        raise InputError(path, "no such source registry; pass --sources FILE") from None
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(path, f"is not valid TOML: {exc}") from None
    agent = os.environ.get(USER_AGENT_ENV, "").strip()
    if agent:
        raw.setdefault("http", {})
        if isinstance(raw["http"], dict):
            raw["http"]["user_agent"] = agent
    try:
        registry = Registry.model_validate(raw)
    except ValidationError as exc:
        raise InputError(path, _describe(exc, raw)) from None
    base = path.resolve().parent
    resolved = [
        s.model_copy(update={"path": base / s.path}) if isinstance(s, LocalSource) else s
        for s in registry.source
    ]
    return registry.model_copy(update={"source": resolved})


_PATTERN_HINTS = {
    "name": "must be lower-case letters, digits, - and _ (at most 64), starting with a letter"
    " or digit",
    "url": "must be an http:// or https:// URL",
    "base_url": "must be an http:// or https:// URL",
    "tag": "must be a us-gaap tag name such as PaymentsToAcquirePropertyPlantAndEquipment",
}


def _describe(exc: ValidationError, raw: dict[str, Any]) -> str:
    """The first error as one line: ``source 'sec' (sec_capex): companies.0.cik: ...``."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    if loc == ["source"] and error["type"] in ("missing", "too_short"):
        return "lists no source: add a [[source]] table (docs/sources.md)"
    where = ""
    if len(loc) >= 2 and loc[0] == "source" and isinstance(loc[1], int):
        entries = raw.get("source")
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else {}
        name = entry.get("name", f"#{loc[1] + 1}") if isinstance(entry, dict) else loc[1] + 1
        kind = entry.get("kind") if isinstance(entry, dict) else None
        where = f"source '{name}'" + (f" ({kind})" if kind else "")
        loc = loc[2:]
        if loc and loc[0] == kind:  # pydantic names the union member; the user wrote no such key
            loc = loc[1:]
    elif loc:
        where = str(loc[0]) if loc[0] != "source" else "[[source]]"
        loc = loc[1:]
    setting = ".".join(str(part) for part in loc)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "union_tag_invalid":
        message = "kind must be one of local, remote_csv, remote_json, sec_capex"
    elif error["type"] == "extra_forbidden":
        message = "unknown setting (see docs/sources.md)"
    elif error["type"] == "string_pattern_mismatch" and loc:
        message = _PATTERN_HINTS.get(str(loc[-1]), message)
    return ": ".join(part for part in (where, setting, message) if part)
