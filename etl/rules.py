"""The contract of :mod:`etl.models`, as bound parameters for the bulk validation SQL.

Nothing here states a rule of its own: every value is read off the models, so the SQL in
``etl/sql/`` and :class:`etl.models.EventRow` cannot drift apart without the parity tests
failing.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum
from typing import Any

from etl import models


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def bulk_params(currencies: Collection[str]) -> dict[str, Any]:
    """Parameters for ``etl/sql/stage_events.sql`` and ``stage_sources.sql``.

    ``currencies`` are the ISO codes that have FX rates (USD is always known).
    """
    scale_words = list(models.SCALE_WORDS.items())
    symbols = list(models.SYMBOL_CURRENCIES.items())
    return {
        "blank": models.BLANK_CHARS,
        "day_pattern": models.DAY_PATTERN,
        "month_pattern": models.MONTH_PATTERN,
        "quarter_pattern": models.QUARTER_PATTERN,
        "year_pattern": models.YEAR_PATTERN,
        "min_year": models.MIN_YEAR,
        "max_year": models.MAX_YEAR,
        "url_pattern": models.URL_PATTERN,
        "amount_pattern": models.AMOUNT_PATTERN,
        "currency_pattern": models.CURRENCY_PATTERN,
        "scale_words": [word for word, _ in scale_words],
        "scale_factors": [factor for _, factor in scale_words],
        "symbols": [symbol for symbol, _ in symbols],
        "symbol_currencies": [code for _, code in symbols],
        "max_amount": str(models.MAX_AMOUNT),
        "event_types": _values(models.EventType),
        "qualifiers": _values(models.AmountQualifier),
        "statuses": _values(models.Status),
        "modalities": _values(models.Modality),
        "no_amount_types": sorted(t.value for t in models.NO_AMOUNT_TYPES),
        "product_required_types": sorted(t.value for t in models.PRODUCT_REQUIRED_TYPES),
        "modality_required_types": sorted(t.value for t in models.MODALITY_REQUIRED_TYPES),
        "default_status": models.Status.ANNOUNCED.value,
        "default_qualifier": models.AmountQualifier.EXACT.value,
        "currencies": sorted({*currencies, "USD"}),
    }
