"""The filters every query takes: companies, date window, event types, modality, roll-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


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
    include_uncertain: bool = True  # "up to" and estimated amounts
    period: str = "year"
    extra: dict[str, Any] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The bound parameters shared by every query file."""
        return {
            "companies": list(self.companies),
            "since": self.since,
            "until": self.until,
            "types": list(self.types),
            "modalities": list(self.modalities),
            "rollup": self.rollup,
        }
