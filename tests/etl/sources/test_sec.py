"""SEC company facts -> quarterly capex events: YTD differences, one value per period, fiscal
labels for calendar, June and 52/53-week years, and the shape checks.

The fixtures are hand-made in the API's real shape; their values are illustrative, and the
expected quarters below were worked out by hand from them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest

from etl.files import REQUIRED_COLUMNS, FileKind
from etl.sources.registry import CAPEX_TAG
from etl.sources.sec import (
    Fact,
    SecDataError,
    capex_csv,
    capex_rows,
    companyfacts_url,
    filing_url,
    fiscal_quarter,
    latest_per_period,
)
from tests.etl.sources.conftest import companyfacts

FORMS = ("10-K", "10-K/A", "10-Q", "10-Q/A")
META_INDEX = "https://www.sec.gov/Archives/edgar/data/1326801/"


def rows(
    name: str, company: str, cik: int, tag: str = CAPEX_TAG, **kw: Any
) -> list[dict[str, str]]:
    return capex_rows(companyfacts(name), company=company, cik=cik, tag=tag, forms=FORMS, **kw)


def quarters_of(result: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    """(date, amount, the title's period) of each row."""
    return [(r["date"], r["amount"], r["title"].split(", ", 1)[1]) for r in result]


def test_meta_quarters_are_ytd_differences_of_the_latest_filed_values() -> None:
    result = rows("meta", "Meta", 1326801)
    assert quarters_of(result) == [
        ("2022-03-31", "5441000000", "Q1 FY2022"),  # 3 months as reported; no H1 2022 given
        ("2023-03-31", "6823000000", "Q1 FY2023"),  # restated in 2024 (6842 when first filed)
        ("2023-06-30", "6215000000", "Q2 FY2023"),  # H1 13038 - Q1 6823
        ("2023-09-30", "6824000000", "Q3 FY2023"),  # 9M 19862 - H1 13038
        ("2023-12-31", "7404000000", "Q4 FY2023"),  # FY 27266 - 9M 19862
        ("2024-03-31", "6400000000", "Q1 FY2024"),
        ("2024-06-30", "8200000000", "Q2 FY2024"),  # the 10-Q/A's H1 14600 - 6400
        ("2024-09-30", "9188000000", "Q3 FY2024"),  # 23788 - 14600
        ("2024-12-31", "13468000000", "Q4 FY2024"),  # 37256 - 23788 (the 8-K's 99 is ignored)
    ]


@pytest.mark.parametrize(
    ("name", "company", "cik", "tag", "full_years"),
    [
        ("meta", "Meta", 1326801, CAPEX_TAG, {"FY2023": 27266000000, "FY2024": 37256000000}),
        ("msft", "Microsoft", 789019, CAPEX_TAG, {"FY2024": 44477000000}),
    ],
)
def test_the_quarters_of_a_complete_fiscal_year_add_up_to_its_full_year_value(
    name: str, company: str, cik: int, tag: str, full_years: dict[str, int]
) -> None:
    """No quarter counted twice or missed, whatever the comparatives and amendments."""
    sums: dict[str, int] = {}
    for _, amount, period in quarters_of(rows(name, company, cik, tag)):
        year = period.split()[1]
        sums[year] = sums.get(year, 0) + int(amount)
    assert {year: sums[year] for year in full_years} == full_years


def test_a_fiscal_year_ending_in_june_is_named_by_the_year_it_ends() -> None:
    assert quarters_of(rows("msft", "Microsoft", 789019)) == [
        ("2023-09-30", "9917000000", "Q1 FY2024"),
        ("2023-12-31", "9729000000", "Q2 FY2024"),  # 19646 - 9917
        ("2024-03-31", "10354000000", "Q3 FY2024"),  # 30000 - 19646
        ("2024-06-30", "14477000000", "Q4 FY2024"),  # 44477 - 30000
        ("2024-09-30", "14923000000", "Q1 FY2025"),  # before any FY2025 10-K: extrapolated
        ("2024-12-31", "15804000000", "Q2 FY2025"),  # 30727 - 14923
    ]


def test_52_53_week_years_end_on_their_own_days() -> None:
    # Nvidia's FY2025 runs 2024-01-29 to 2025-01-26; no H1 is given, so Q2 and Q3 are not
    # derivable and none is invented.
    assert quarters_of(rows("nvda", "Nvidia", 1045810)) == [
        ("2024-04-28", "369000000", "Q1 FY2025"),
        ("2025-01-26", "1015000000", "Q4 FY2025"),  # 3236 - 2221
        ("2025-04-27", "1227000000", "Q1 FY2026"),
    ]


def test_trailing_twelve_months_are_not_taken_for_fiscal_years() -> None:
    """Amazon's 10-Qs also give trailing-twelve-month values: they start mid-year, pair with
    no YTD, and name no fiscal year end."""
    result = rows("amzn", "Amazon", 1018724, tag="PaymentsToAcquireProductiveAssets")
    assert quarters_of(result) == [
        ("2023-09-30", "12479000000", "Q3 FY2023"),
        ("2023-12-31", "14588000000", "Q4 FY2023"),  # FY 52729 - 9M 38141
        ("2024-03-31", "14925000000", "Q1 FY2024"),
        ("2024-06-30", "17620000000", "Q2 FY2024"),
    ]


def test_each_row_is_a_complete_capex_event_with_its_filing() -> None:
    result = rows("meta", "Meta", 1326801)
    q2 = next(r for r in result if r["date"] == "2024-06-30")
    assert q2 == {
        "ref": "sec-capex-1326801-2024-06-30",
        "date": "2024-06-30",
        "type": "capex",
        "company": "Meta",
        "counterparty": "",
        "amount": "8200000000",
        "currency": "USD",
        "amount_qualifier": "exact",
        "status": "completed",
        "title": "Meta capital expenditure, Q2 FY2024",
        "source_url": META_INDEX + "000132680124000075/",
        "publisher": "SEC EDGAR",
        "notes": (
            "Meta Platforms, Inc., us-gaap:PaymentsToAcquirePropertyPlantAndEquipment, "
            "2024-04-01 to 2024-06-30: 10-Q/A fy 2024 fp Q2 filed 2024-09-12, accession "
            "0001326801-24-000075; 6-month YTD to 2024-06-30 minus 3-month YTD to 2024-03-31 "
            "(10-Q fy 2024 fp Q1 filed 2024-04-25, accession 0001326801-24-000049)"
        ),
    }
    assert len({r["ref"] for r in result}) == len(result)


def test_since_keeps_the_quarters_ending_from_that_day() -> None:
    result = rows("meta", "Meta", 1326801, since=dt.date(2024, 6, 30))
    assert [r["date"] for r in result] == ["2024-06-30", "2024-09-30", "2024-12-31"]


def test_the_csv_has_the_curated_header_and_is_the_same_bytes_each_time() -> None:
    body = json.dumps(companyfacts("meta")).encode()
    first = capex_csv(body, company="Meta", cik=1326801, tag=CAPEX_TAG, forms=FORMS)
    assert first == capex_csv(body, company="Meta", cik=1326801, tag=CAPEX_TAG, forms=FORMS)
    header = next(csv.reader(io.StringIO(first.decode())))
    assert set(REQUIRED_COLUMNS[FileKind.EVENTS]) <= set(header)
    assert first.count(b"\n") == 1 + 9


def fact(start: str, end: str, val: int, form: str, filed: str, accn: str) -> Fact:
    return Fact(
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end),
        val,
        accn,
        2024,
        "Q2",
        form,
        dt.date.fromisoformat(filed),
    )


def test_one_value_per_period_the_latest_filed_and_an_amendment_on_a_tie() -> None:
    original = fact("2024-01-01", "2024-06-30", 1, "10-Q", "2024-08-01", "0000000001-24-000001")
    same_day_amendment = fact(
        "2024-01-01", "2024-06-30", 2, "10-Q/A", "2024-08-01", "0000000001-24-000000"
    )
    comparative = fact("2024-01-01", "2024-06-30", 3, "10-Q", "2025-08-01", "0000000001-25-000001")
    assert latest_per_period([original, same_day_amendment]) == [same_day_amendment]
    assert latest_per_period([comparative, original, same_day_amendment]) == [comparative]


@pytest.mark.parametrize(
    ("end", "year_ends", "expected"),
    [
        ("2024-03-31", ["2023-12-31"], (2024, 1)),
        ("2023-12-31", ["2023-12-31"], (2023, 4)),
        ("2021-06-30", ["2023-12-31"], (2021, 2)),  # before the known years: extrapolated back
        ("2025-10-26", ["2025-01-26"], (2026, 3)),  # 52/53 weeks: a day off the extrapolation
        ("2026-01-31", ["2025-01-26"], (2026, 4)),  # a 53-week year ends days after it
        ("2024-03-31", [], None),
    ],
)
def test_fiscal_quarter_of_a_quarter_end(
    end: str, year_ends: list[str], expected: tuple[int, int] | None
) -> None:
    ends = [dt.date.fromisoformat(e) for e in year_ends]
    assert fiscal_quarter(dt.date.fromisoformat(end), ends) == expected


def test_without_a_10k_quarters_are_named_by_their_end() -> None:
    document = companyfacts("meta")
    values = document["facts"]["us-gaap"][CAPEX_TAG]["units"]["USD"]
    document["facts"]["us-gaap"][CAPEX_TAG]["units"]["USD"] = [
        v for v in values if v["form"] == "10-Q" and v["end"] == "2024-03-31"
    ]
    result = capex_rows(document, company="Meta", cik=1326801, tag=CAPEX_TAG, forms=FORMS)
    assert [r["title"] for r in result] == ["Meta capital expenditure, quarter ended 2024-03-31"]


def test_urls() -> None:
    assert (
        companyfacts_url("https://data.sec.gov/", 789019)
        == "https://data.sec.gov/api/xbrl/companyfacts/CIK0000789019.json"
    )
    assert filing_url(789019, "0000950170-24-087843") == (
        "https://www.sec.gov/Archives/edgar/data/789019/000095017024087843/"
    )


def broken(change: str) -> Any:
    document = companyfacts("meta")
    values = document["facts"]["us-gaap"][CAPEX_TAG]["units"]["USD"]
    if change == "cik":
        document["cik"] = 1
    elif change == "tag":
        del document["facts"]["us-gaap"][CAPEX_TAG]
    elif change == "val":
        values[3]["val"] = "lots"
    elif change == "date":
        values[0]["end"] = "2022-13-01"
    elif change == "accn":
        values[0]["accn"] = "12"
    elif change == "shape":
        document = [document]
    return document


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("cik", "document is for CIK 1, not 1326801"),
        ("tag", "no USD values of us-gaap:PaymentsToAcquirePropertyPlantAndEquipment"),
        ("val", "USD value #3 is malformed (val 'lots' is not a whole number of dollars)"),
        ("date", "USD value #0 is malformed"),
        ("accn", "accn '12' is not an accession number"),
        ("shape", "not a company-facts document"),
    ],
)
def test_a_document_not_of_the_api_shape_is_refused(change: str, says: str) -> None:
    with pytest.raises(SecDataError, match=re.escape(says)):
        capex_rows(broken(change), company="Meta", cik=1326801, tag=CAPEX_TAG, forms=FORMS)


def test_truncated_json_is_refused() -> None:
    body = json.dumps(companyfacts("meta")).encode()[:500]
    with pytest.raises(SecDataError, match="not valid JSON"):
        capex_csv(body, company="Meta", cik=1326801, tag=CAPEX_TAG, forms=FORMS)
