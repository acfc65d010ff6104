"""The data contract: what a company, a source and an event are, and which input is valid.

This module is the one definition of the rules. Row-by-row validation
(:class:`EventRow`) uses it directly; the bulk loader (:mod:`etl.rules`) derives its SQL
parameters from the same enums, patterns and bounds, and a parity test holds the two to the
same verdict on every case.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError


class EventType(StrEnum):
    """What happened. Money direction per type is defined in ``seeds/event_types.csv``."""

    PARTNERSHIP = "partnership"
    LICENSING = "licensing"
    INVESTMENT = "investment"
    FUNDING_ROUND = "funding_round"
    ACQUISITION = "acquisition"
    MODEL_LAUNCH = "model_launch"
    PRODUCT_LAUNCH = "product_launch"
    CAPEX = "capex"
    COMPUTE_DEAL = "compute_deal"
    TALENT = "talent"


class DatePrecision(StrEnum):
    """How much of the date the source states."""

    DAY = "day"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class AmountQualifier(StrEnum):
    """How firm an amount is."""

    EXACT = "exact"
    UP_TO = "up_to"
    ESTIMATED = "estimated"
    REPORTED = "reported"


class Status(StrEnum):
    """Where the deal stands."""

    ANNOUNCED = "announced"
    COMPLETED = "completed"
    RUMORED = "rumored"
    CANCELLED = "cancelled"


class Modality(StrEnum):
    """What a model or product takes in or puts out."""

    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    MULTIMODAL = "multimodal"
    CODE = "code"


class CompanyKind(StrEnum):
    """A rough sector, used for colouring and filtering."""

    BIG_TECH = "big_tech"
    AI_LAB = "ai_lab"
    STARTUP = "startup"
    INVESTOR = "investor"
    CHIP_MAKER = "chip_maker"
    CLOUD_PROVIDER = "cloud_provider"
    OTHER = "other"
    UNKNOWN = "unknown"  # created by a refresh for a name no seed knows


# Types whose events never carry an amount.
NO_AMOUNT_TYPES: frozenset[EventType] = frozenset({EventType.MODEL_LAUNCH, EventType.TALENT})
# Types that must name the product or model launched.
PRODUCT_REQUIRED_TYPES: frozenset[EventType] = frozenset(
    {EventType.MODEL_LAUNCH, EventType.PRODUCT_LAUNCH}
)
# Types that must say the modality.
MODALITY_REQUIRED_TYPES: frozenset[EventType] = frozenset({EventType.MODEL_LAUNCH})

# Patterns are written in the subset shared by Python's `re` and RE2 (DuckDB), so the bulk
# loader can bind them unchanged. Flags are spelled inline for both engines.
SCALE_WORDS: dict[str, int] = {
    "": 1,
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "t": 10**12,
    "trillion": 10**12,
}


def _any_case(word: str) -> str:
    """``bn`` -> ``[bB][nN]``: ASCII case only (an (?i) flag would also match 'ſ' for 's')."""
    return "".join(f"[{c}{c.upper()}]" for c in word)


# Patterns use only what Python's `re` and RE2 (DuckDB) read alike, so the bulk loader binds
# them unchanged: ASCII classes, since Python's \d and \s also match other scripts' digits
# and spaces and RE2's do not, and no case-insensitive flag (see _any_case).
URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://[^\x00-\x20/?#]+\.[^\x00-\x20/?#]+([/?#][^\x00-\x20]*)?$"
DAY_PATTERN = r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$"
MONTH_PATTERN = r"^([0-9]{4})-([0-9]{2})$"
QUARTER_PATTERN = r"^([0-9]{4})-?[Qq]([1-4])$"
YEAR_PATTERN = r"^([0-9]{4})$"
MIN_YEAR, MAX_YEAR = 1950, 2100
# sign, symbol, integer part (plain, or with thousands commas), fraction, scale word
AMOUNT_PATTERN = (
    r"^(-)? *([$€£])? *([0-9]{1,3}(?:,[0-9]{3}){1,5}|[0-9]{1,16})(?:\.([0-9]{1,6}))? *("
    + "|".join(_any_case(word) for word in sorted(SCALE_WORDS, key=len, reverse=True) if word)
    + ")?$"
)
# What counts as surrounding white space in a cell; both engines trim exactly these.
BLANK_CHARS = " \t\r\n"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COMPANY_ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"

SYMBOL_CURRENCIES: dict[str, str] = {"$": "USD", "€": "EUR", "£": "GBP"}
MAX_AMOUNT = Decimal("1e15")  # larger is a typo: no AI deal is a quadrillion
AMOUNT_SCALE = 2  # amounts are kept to the cent

# Reject reasons: code -> (column it names, message). Codes are what the bulk SQL emits and
# what the parity test compares; messages are what an analyst reads.
REASONS: dict[str, tuple[str, str]] = {
    "date_missing": ("date", "date is empty"),
    "type_missing": ("type", "type is empty"),
    "company_missing": ("company", "company is empty"),
    "title_missing": ("title", "title is empty"),
    "source_url_missing": ("source_url", "source_url is empty"),
    "date_unparseable": ("date", "date is not YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY"),
    "date_impossible": ("date", f"date is not a calendar date between {MIN_YEAR} and {MAX_YEAR}"),
    "type_unknown": ("type", "type is not one of the event types (see seeds/event_types.csv)"),
    "source_url_not_http": ("source_url", "source_url must be an http(s) URL"),
    "qualifier_unknown": (
        "amount_qualifier",
        "amount_qualifier is not exact, up_to, estimated or reported",
    ),
    "status_unknown": ("status", "status is not announced, completed, rumored or cancelled"),
    "modality_unknown": (
        "modality",
        "modality is not text, image, video, audio, multimodal or code",
    ),
    "modality_missing": ("modality", "this event type needs a modality"),
    "product_missing": ("product", "this event type needs a product"),
    "amount_unparseable": (
        "amount",
        "amount is not a number such as 14300000000, 14,300,000,000, 14.3B or $14.3 billion",
    ),
    "amount_negative": ("amount", "amount is negative"),
    "amount_too_large": ("amount", "amount is larger than 10^15"),
    "amount_not_allowed": ("amount", "this event type carries no amount"),
    "currency_missing": ("currency", "amount has no currency"),
    "currency_conflict": ("currency", "the currency symbol in amount disagrees with currency"),
    "currency_unknown": ("currency", "currency has no rate in seeds/fx_rates.csv"),
    "fx_missing": ("currency", "no FX rate for this currency on or before the event date"),
    "counterparty_is_company": ("counterparty", "counterparty names the company itself"),
    "event_ref_missing": ("event_ref", "event_ref is empty"),
    "event_ref_unknown": ("event_ref", "event_ref names no loaded event"),
    "csv_malformed": ("", "the row does not split into the header's columns"),
}


def _fail(code: str) -> PydanticCustomError:
    return PydanticCustomError(code, REASONS[code][1])


def blank_to_none(value: Any) -> Any:
    """Trim a text cell; an empty one is missing."""
    if isinstance(value, str):
        value = value.strip(BLANK_CHARS)
        return value or None
    return value


def token(value: str) -> str:
    """Liberal spelling of an enum value: ``Funding round`` and ``funding-round`` both count."""
    return re.sub("[ -]+", "_", value.lower())


class ParsedDate(BaseModel):
    """A date as a source states it: the first day of the stated period and its precision."""

    model_config = ConfigDict(frozen=True)

    start: dt.date
    precision: DatePrecision


def parse_date(text: str) -> ParsedDate:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY`` (raises PydanticCustomError)."""
    forms: tuple[tuple[str, DatePrecision], ...] = (
        (DAY_PATTERN, DatePrecision.DAY),
        (MONTH_PATTERN, DatePrecision.MONTH),
        (QUARTER_PATTERN, DatePrecision.QUARTER),
        (YEAR_PATTERN, DatePrecision.YEAR),
    )
    for pattern, precision in forms:
        if m := re.match(pattern, text):
            year = int(m[1])
            if precision is DatePrecision.QUARTER:
                month, day = 3 * int(m[2]) - 2, 1
            else:
                month = int(m[2]) if precision in (DatePrecision.DAY, DatePrecision.MONTH) else 1
                day = int(m[3]) if precision is DatePrecision.DAY else 1
            try:
                start = dt.date(year, month, day)
            except ValueError:
                raise _fail("date_impossible") from None
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise _fail("date_impossible")
            return ParsedDate(start=start, precision=precision)
    raise _fail("date_unparseable")


class ParsedAmount(BaseModel):
    """An amount in its original currency, and the currency its symbol implies, if any."""

    model_config = ConfigDict(frozen=True)

    value: Decimal
    symbol_currency: str | None


def parse_amount(text: str) -> ParsedAmount:
    """Parse ``14300000000``, ``14,300,000,000``, ``14.3B``, ``$14.3 billion`` and the like."""
    m = re.match(AMOUNT_PATTERN, text)
    if m is None:
        raise _fail("amount_unparseable")
    sign, symbol, integer, fraction, scale = m.groups()
    if sign:
        raise _fail("amount_negative")
    number = Decimal(integer.replace(",", "") + "." + (fraction or "0"))
    with localcontext(prec=60):  # the pattern bounds amounts far below 10^60
        value = (number * SCALE_WORDS[(scale or "").lower()]).quantize(
            Decimal(1).scaleb(-AMOUNT_SCALE), rounding=ROUND_HALF_UP
        )
    if value > MAX_AMOUNT:
        raise _fail("amount_too_large")
    return ParsedAmount(value=value, symbol_currency=SYMBOL_CURRENCIES.get(symbol or ""))


_REQUIRED: tuple[tuple[str, str], ...] = (
    ("date", "date_missing"),
    ("type", "type_missing"),
    ("company", "company_missing"),
    ("title", "title_missing"),
    ("source_url", "source_url_missing"),
)
_ENUM_COLUMNS: tuple[tuple[str, type[StrEnum], str], ...] = (
    ("amount_qualifier", AmountQualifier, "qualifier_unknown"),
    ("status", Status, "status_unknown"),
    ("modality", Modality, "modality_unknown"),
)


class EventRow(BaseModel):
    """One row of a curated event file, validated and typed.

    Checks run in the order of :data:`REASONS`; the first broken rule is the error.
    Validation context: ``{"currencies": ISO codes with FX rates}`` (USD is always known);
    without it, any three-letter code passes.
    """

    ref: str | None = None
    date: ParsedDate
    type: EventType
    company: str
    counterparty: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    amount_qualifier: AmountQualifier | None = None
    status: Status = Status.ANNOUNCED
    product: str | None = None
    modality: Modality | None = None
    title: str
    source_url: str
    publisher: str | None = None
    source_language: str | None = None
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse_raw(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        row = {k: blank_to_none(v) for k, v in data.items()}
        for column, code in _REQUIRED:
            if row.get(column) is None:
                raise _fail(code)
        row["date"] = parse_date(row["date"])
        row["type"] = token(row["type"])
        if row["type"] not in set(EventType):
            raise _fail("type_unknown")
        if not re.match(URL_PATTERN, row["source_url"]):
            raise _fail("source_url_not_http")
        for column, enum, code in _ENUM_COLUMNS:
            if row.get(column) is not None:
                row[column] = token(row[column])
                if row[column] not in set(enum):
                    raise _fail(code)
        if row.get("status") is None:
            row.pop("status", None)
        event_type = EventType(row["type"])
        if event_type in MODALITY_REQUIRED_TYPES and row.get("modality") is None:
            raise _fail("modality_missing")
        if event_type in PRODUCT_REQUIRED_TYPES and row.get("product") is None:
            raise _fail("product_missing")
        _parse_money(row, event_type, (info.context or {}).get("currencies"))
        return row


def resolve_currency(
    parsed: ParsedAmount, written: str | None, known: Collection[str] | None
) -> str:
    """The currency of a readable amount: the column's, else its sign's ($ € £).

    ``known``: ISO codes with FX rates (USD is always known); ``None`` accepts any code.
    """
    currency = written.upper() if written else None
    if currency is None:
        currency = parsed.symbol_currency
        if currency is None:
            raise _fail("currency_missing")
    elif parsed.symbol_currency is not None and parsed.symbol_currency != currency:
        raise _fail("currency_conflict")
    if not re.match(CURRENCY_PATTERN, currency) or (
        known is not None and currency != "USD" and currency not in known
    ):
        raise _fail("currency_unknown")
    return currency


def _parse_money(row: dict[str, Any], event_type: EventType, known: Collection[str] | None) -> None:
    """Fill amount, currency and qualifier of a raw row in place, or raise the rule broken."""
    if row.get("amount") is None:
        row["currency"] = None
        row["amount_qualifier"] = None
        return
    parsed = parse_amount(row["amount"])
    if event_type in NO_AMOUNT_TYPES:
        raise _fail("amount_not_allowed")
    row["currency"] = resolve_currency(parsed, row.get("currency"), known)
    row["amount"] = parsed.value
    row["amount_qualifier"] = row.get("amount_qualifier") or AmountQualifier.EXACT.value


class Alias(BaseModel):
    """Another name a company goes by, in any language or script."""

    company_id: Annotated[str, Field(pattern=COMPANY_ID_PATTERN)]
    alias: Annotated[str, Field(min_length=1)]
    language: str | None = None


class Company(BaseModel):
    """A company, lab or investor; ``parent_id`` rolls it up (Google DeepMind -> Google)."""

    company_id: Annotated[str, Field(pattern=COMPANY_ID_PATTERN)]
    name: Annotated[str, Field(min_length=1)]
    kind: CompanyKind
    parent_id: Annotated[str | None, Field(default=None, pattern=COMPANY_ID_PATTERN)]
    country: Annotated[str | None, Field(default=None, pattern=r"^[A-Z]{2}$")]

    @field_validator("parent_id", "country", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return blank_to_none(value)


class EventTypeInfo(BaseModel):
    """Reference data of an event type: its label and which way its money flows."""

    type: EventType
    label: Annotated[str, Field(min_length=1)]
    spend_by_company: bool
    received_by_counterparty: bool
    raised_by_company: bool
    description: Annotated[str, Field(min_length=1)]


class FxRate(BaseModel):
    """Units of a currency per US dollar, valid from a date until the next rate."""

    currency: Annotated[str, Field(pattern=CURRENCY_PATTERN)]
    valid_from: dt.date
    units_per_usd: Annotated[Decimal, Field(gt=0)]
    source_url: Annotated[str, Field(pattern=URL_PATTERN)]
    note: str | None = None


class Source(BaseModel):
    """Where an event is reported, and the figure that source gives."""

    url: Annotated[str, Field(pattern=URL_PATTERN)]
    publisher: str | None = None
    language: str | None = None
    reported_amount: Decimal | None = None
    reported_currency: str | None = None


class Event(BaseModel):
    """An event as the warehouse holds it: resolved, converted and sourced."""

    event_id: str
    date: dt.date
    date_precision: DatePrecision
    type: EventType
    company_id: str
    counterparty_id: str | None
    amount: Decimal | None
    currency: str | None
    amount_usd: Decimal | None
    amount_qualifier: AmountQualifier | None
    status: Status
    title: str
    product: str | None
    modality: Modality | None
    notes: str | None
    sources: Annotated[list[Source], Field(min_length=1)]


class SourceRow(BaseModel):
    """One row of an extra-sources file: another report of an event, with its figure.

    Validation context as for :class:`EventRow`.
    """

    event_ref: str
    source_url: str
    publisher: str | None = None
    source_language: str | None = None
    reported_amount: Decimal | None = None
    reported_currency: str | None = None
    notes: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse_raw(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        row = {k: blank_to_none(v) for k, v in data.items()}
        if row.get("event_ref") is None:
            raise _fail("event_ref_missing")
        if row.get("source_url") is None:
            raise _fail("source_url_missing")
        if not re.match(URL_PATTERN, row["source_url"]):
            raise _fail("source_url_not_http")
        if row.get("reported_amount") is not None:
            parsed = parse_amount(row["reported_amount"])
            known = (info.context or {}).get("currencies")
            row["reported_currency"] = resolve_currency(parsed, row.get("reported_currency"), known)
            row["reported_amount"] = parsed.value
        else:
            row["reported_currency"] = None
        return row
