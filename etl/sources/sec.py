"""Quarterly capital expenditure from SEC EDGAR's XBRL company facts, as ``capex`` events.

The company-facts API (``/api/xbrl/companyfacts/CIK##########.json``) lists every value a
filer ever reported for a us-gaap tag, each with its period (``start``, ``end``) and the
filing that reported it (``accn``, ``form``, ``filed``; ``fy``/``fp`` are the *filing's*
fiscal year and period, not the value's). Cash-flow items such as capex are mostly reported
year-to-date, so:

1. Only 10-K/10-Q (and amendments) count. A period (start, end) is reported again as a
   comparative in later filings: keep one value per period, the latest filed (an amendment
   filed later supersedes the original).
2. A period's length says what it is: ~91 days a quarter, ~182 the first half, ~273 nine
   months, ~365 a fiscal year (52/53-week years included).
3. A 3-month value is a quarter as reported. Year-to-date values of one fiscal year share
   their start day; each quarter is a YTD minus the YTD one quarter shorter (Q2 = H1 - Q1,
   Q3 = 9M - H1, Q4 = FY - 9M). A reported 3-month value wins over a derived one.
4. Quarters are named by fiscal year (the calendar year it ends in, as filers do) and
   number, found from the fiscal-year ends that 10-K full-year values show.

Each quarter of each fiscal year is then counted once, and the four quarters of a complete
fiscal year add up to its full-year value.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from typing import Any

DAYS_PER_QUARTER = 91.3
SPAN_TOLERANCE_DAYS = 12  # 13- and 14-week quarters, 52- and 53-week years
PUBLISHER = "SEC EDGAR"
COLUMNS = (
    "ref",
    "date",
    "type",
    "company",
    "counterparty",
    "amount",
    "currency",
    "amount_qualifier",
    "status",
    "title",
    "source_url",
    "publisher",
    "notes",
)
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")


class SecDataError(Exception):
    """A company-facts document is not of the shape the API documents."""


@dataclass(frozen=True)
class Fact:
    """One reported value of the tag."""

    start: dt.date
    end: dt.date
    val: int
    accn: str
    fy: int | None
    fp: str | None
    form: str
    filed: dt.date

    @property
    def quarters(self) -> int | None:
        """How many quarters the period spans (1 to 4), or ``None`` for any other length."""
        days = (self.end - self.start).days + 1
        count = round(days / DAYS_PER_QUARTER)
        if 1 <= count <= 4 and abs(days - count * DAYS_PER_QUARTER) <= SPAN_TOLERANCE_DAYS:
            return count
        return None

    def describe(self) -> str:
        """``10-Q fy 2024 fp Q2 filed 2024-08-01, accession 0001326801-24-000069``."""
        return (
            f"{self.form} fy {self.fy} fp {self.fp} filed {self.filed.isoformat()}, "
            f"accession {self.accn}"
        )


@dataclass(frozen=True)
class Quarter:
    """One fiscal quarter's value, and the facts it comes from."""

    start: dt.date
    end: dt.date
    value: int
    fact: Fact  # the value as reported, or the longer YTD it is derived from
    minus: Fact | None  # the shorter YTD subtracted, for a derived quarter
    fiscal_year: int | None
    number: int | None


def companyfacts_url(base_url: str, cik: int) -> str:
    """The company-facts URL of ``cik`` (ten digits, zero-padded, as the API wants)."""
    return f"{base_url.rstrip('/')}/api/xbrl/companyfacts/CIK{cik:010d}.json"


def filing_url(cik: int, accession: str) -> str:
    """The EDGAR index folder of a filing: ``.../edgar/data/<cik>/<accession digits>/``."""
    return f"https://www.sec.gov/Archives/edgar/data/{cik}/{accession.replace('-', '')}/"


def parse_facts(document: Any, cik: int, tag: str, forms: tuple[str, ...]) -> list[Fact]:
    """The USD facts of us-gaap ``tag`` in a company-facts document, of the given forms.

    Raises :class:`SecDataError` when the document is not the API's shape, is another
    filer's, or has no USD values for ``tag``.
    """
    if not isinstance(document, dict) or not isinstance(document.get("facts"), dict):
        raise SecDataError("not a company-facts document (no 'facts' object)")
    if document.get("cik") != cik:
        raise SecDataError(f"document is for CIK {document.get('cik')!r}, not {cik}")
    gaap = document["facts"].get("us-gaap")
    concept = gaap.get(tag) if isinstance(gaap, dict) else None
    units = concept.get("units") if isinstance(concept, dict) else None
    values = units.get("USD") if isinstance(units, dict) else None
    if not isinstance(values, list):
        raise SecDataError(f"no USD values of us-gaap:{tag} (check the tag in sources.toml)")
    facts = []
    for index, item in enumerate(values):
        try:
            fact = _fact(item)
        except (KeyError, TypeError, ValueError) as exc:
            raise SecDataError(f"us-gaap:{tag} USD value #{index} is malformed ({exc})") from None
        if fact.form in forms:
            facts.append(fact)
    return facts


def _fact(item: Any) -> Fact:
    if not isinstance(item, dict):
        raise TypeError("not an object")
    start, end = dt.date.fromisoformat(item["start"]), dt.date.fromisoformat(item["end"])
    if end < start:
        raise ValueError(f"end {end} before start {start}")
    val = item["val"]
    if isinstance(val, bool) or not isinstance(val, int | float) or val != int(val):
        raise ValueError(f"val {val!r} is not a whole number of dollars")
    accn = item["accn"]
    if not isinstance(accn, str) or not _ACCESSION.match(accn):
        raise ValueError(f"accn {accn!r} is not an accession number")
    fy = item.get("fy")
    fp = item.get("fp")
    form = item["form"]
    if not isinstance(form, str):
        raise TypeError("form is not text")
    return Fact(
        start=start,
        end=end,
        val=int(val),
        accn=accn,
        fy=fy if isinstance(fy, int) else None,
        fp=fp if isinstance(fp, str) else None,
        form=form,
        filed=dt.date.fromisoformat(item["filed"]),
    )


def latest_per_period(facts: list[Fact]) -> list[Fact]:
    """One fact per (start, end): the latest filed; on a tie an amendment, then the later
    accession number."""
    best: dict[tuple[dt.date, dt.date], Fact] = {}
    for fact in facts:
        key = (fact.start, fact.end)
        if key not in best or _rank(fact) > _rank(best[key]):
            best[key] = fact
    return sorted(best.values(), key=lambda f: (f.end, f.start))


def _rank(fact: Fact) -> tuple[dt.date, bool, str]:
    return (fact.filed, fact.form.endswith("/A"), fact.accn)


def quarters(facts: list[Fact]) -> list[Quarter]:
    """Every fiscal quarter the facts give, reported or derived, oldest first."""
    kept = latest_per_period(facts)
    year_ends = sorted({f.end for f in facts if f.form.startswith("10-K") and f.quarters == 4})
    found: dict[dt.date, Quarter] = {}
    # Derived first, so a value reported for the quarter itself replaces it.
    by_start: dict[dt.date, dict[int, Fact]] = {}
    for fact in kept:
        if fact.quarters is not None:
            by_start.setdefault(fact.start, {})[fact.quarters] = fact
    for spans in by_start.values():
        for count in (2, 3, 4):
            longer, shorter = spans.get(count), spans.get(count - 1)
            if longer is None or shorter is None:
                continue
            start = shorter.end + dt.timedelta(days=1)
            found[longer.end] = _quarter(
                start, longer.end, longer.val - shorter.val, longer, shorter, year_ends
            )
    for fact in kept:
        if fact.quarters == 1:
            found[fact.end] = _quarter(fact.start, fact.end, fact.val, fact, None, year_ends)
    return [found[end] for end in sorted(found)]


def _quarter(
    start: dt.date,
    end: dt.date,
    value: int,
    fact: Fact,
    minus: Fact | None,
    year_ends: list[dt.date],
) -> Quarter:
    label = fiscal_quarter(end, year_ends)
    return Quarter(
        start, end, value, fact, minus, label[0] if label else None, label[1] if label else None
    )


def fiscal_quarter(end: dt.date, year_ends: list[dt.date]) -> tuple[int, int] | None:
    """(fiscal year, quarter number) of a quarter ending on ``end``.

    The fiscal year is the first fiscal-year end on or after the quarter's end; ends past
    or before the known ones are the known month and day a whole number of years away
    (within a week for 52/53-week years, which the rounding absorbs).
    """
    if not year_ends:
        return None
    candidates = set(year_ends)
    for shift in range(1, 4):
        candidates.add(_years_from(year_ends[-1], shift))
        candidates.add(_years_from(year_ends[0], -shift))
    for year_end in sorted(candidates):
        gap = (year_end - end).days
        if gap >= -SPAN_TOLERANCE_DAYS and gap < 4 * DAYS_PER_QUARTER - SPAN_TOLERANCE_DAYS:
            number = 4 - round(max(gap, 0) / DAYS_PER_QUARTER)
            return year_end.year, min(max(number, 1), 4)
    return None


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def capex_rows(
    document: Any,
    *,
    company: str,
    cik: int,
    tag: str,
    forms: tuple[str, ...],
    since: dt.date | None = None,
) -> list[dict[str, str]]:
    """The ``capex`` event rows (curated format) of one filer's company facts."""
    facts = parse_facts(document, cik, tag, forms)
    entity = document.get("entityName") or f"CIK {cik}"
    rows = []
    for quarter in quarters(facts):
        if since is not None and quarter.end < since:
            continue
        if quarter.fiscal_year is not None:
            period = f"Q{quarter.number} FY{quarter.fiscal_year}"
        else:
            period = f"quarter ended {quarter.end.isoformat()}"
        how = (
            f"{_months(quarter.fact)}-month YTD to {quarter.end} minus "
            f"{_months(quarter.minus)}-month YTD to {quarter.minus.end} "
            f"({quarter.minus.describe()})"
            if quarter.minus is not None
            else "3-month value as reported"
        )
        rows.append(
            {
                "ref": f"sec-capex-{cik}-{quarter.end.isoformat()}",
                "date": quarter.end.isoformat(),
                "type": "capex",
                "company": company,
                "counterparty": "",
                "amount": str(quarter.value),
                "currency": "USD",
                "amount_qualifier": "exact",
                "status": "completed",
                "title": f"{company} capital expenditure, {period}",
                "source_url": filing_url(cik, quarter.fact.accn),
                "publisher": PUBLISHER,
                "notes": (
                    f"{entity}, us-gaap:{tag}, {quarter.start} to {quarter.end}: "
                    f"{quarter.fact.describe()}; {how}"
                ),
            }
        )
    return rows


def _months(fact: Fact) -> int:
    return 3 * (fact.quarters or 0)


def capex_csv(
    body: bytes,
    *,
    company: str,
    cik: int,
    tag: str,
    forms: tuple[str, ...],
    since: dt.date | None = None,
) -> bytes:
    """A company-facts JSON body as a curated events CSV of its quarterly capex."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SecDataError(f"not valid JSON ({exc})") from None
    rows = capex_rows(document, company=company, cik=cik, tag=tag, forms=forms, since=since)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")
