"""The filters every query takes: companies, date window, event types, modality, roll-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

PERIODS = ("month", "quarter", "year")


class FilterError(ValueError):
    """Filters that cannot describe any view (a bad period, a window ending before it starts)."""


@dataclass(frozen=True)
class Filters:
    """What to look at. Empty tuples and ``None`` mean "no restriction".

    ``companies`` holds company ids. With ``rollup`` (the default) a subsidiary counts as its
    parent: an event of Google DeepMind is an event of Google.
    """

    companies: tuple[str, ...] = ()
    since: dt.date | None = None
    until: dt.date | None = None
    types: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    rollup: bool = True
    include_uncertain: bool = True  # count "up to" and estimated amounts
    period: str = "year"
    search: str = ""  # words in title, notes, product or company names (events only)

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise FilterError(f"period must be one of {', '.join(PERIODS)}, not '{self.period}'")
        if self.since and self.until and self.since > self.until:
            raise FilterError(f"since ({self.since}) is after until ({self.until})")

    def params(self) -> dict[str, Any]:
        """The bound parameters shared by every query file."""
        return {
            "companies": list(self.companies),
            "since": self.since,
            "until": self.until,
            "types": list(self.types),
            "modalities": list(self.modalities),
            "rollup": self.rollup,
            "include_uncertain": self.include_uncertain,
            "period": self.period,
            "search": self.search.strip(),
        }
