"""The data contract, one rule at a time: dates, amounts, defaults and the sources file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from etl.models import (
    AmountQualifier,
    DatePrecision,
    EventRow,
    SourceRow,
    Status,
    parse_amount,
    parse_date,
)
from etl.rules import bulk_params
from tests.support import event


def first_error(row: dict[str, str], **context: object) -> str:
    with pytest.raises(ValidationError) as caught:
        EventRow.model_validate(row, context=context or None)
    return str(caught.value.errors()[0]["type"])


@pytest.mark.parametrize(
    ("text", "start", "precision"),
    [
        ("2025-06-12", dt.date(2025, 6, 12), DatePrecision.DAY),
        ("2025-06", dt.date(2025, 6, 1), DatePrecision.MONTH),
        ("2025-Q1", dt.date(2025, 1, 1), DatePrecision.QUARTER),
        ("2025-Q3", dt.date(2025, 7, 1), DatePrecision.QUARTER),
        ("2025q4", dt.date(2025, 10, 1), DatePrecision.QUARTER),
        ("2025", dt.date(2025, 1, 1), DatePrecision.YEAR),
    ],
)
def test_a_date_is_the_first_day_of_the_period_it_states(
    text: str, start: dt.date, precision: DatePrecision
) -> None:
    parsed = parse_date(text)
    assert (parsed.start, parsed.precision) == (start, precision)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2025-02-29", "date_impossible"),  # 2025 is no leap year
        ("2025-04-31", "date_impossible"),
        ("2025-00", "date_impossible"),
        ("1949-12-31", "date_impossible"),
        ("0000", "date_impossible"),
        ("June 2025", "date_unparseable"),
        ("2025/06/12", "date_unparseable"),
        ("2025-Q0", "date_unparseable"),
        ("25-06-12", "date_unparseable"),
        ("٢٠٢٥", "date_unparseable"),  # Arabic-Indic digits are not [0-9]
    ],
)
def test_a_date_outside_the_forms_or_the_calendar_is_refused(text: str, code: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        parse_date(text)
    assert caught.value.type == code


@pytest.mark.parametrize(
    ("text", "value", "symbol_currency"),
    [
        ("14300000000", "14300000000.00", None),
        ("14,300,000,000", "14300000000.00", None),
        ("14.3B", "14300000000.00", None),
        ("$14.3 billion", "14300000000.00", "USD"),
        ("€ 600 Mn", "600000000.00", "EUR"),
        ("£2.5m", "2500000.00", "GBP"),
        ("1.2 trillion", "1200000000000.00", None),
        ("3 thousand", "3000.00", None),
        ("0.125", "0.13", None),  # to the cent, half up
        ("2.675", "2.68", None),  # exact decimal arithmetic: no binary-float 2.67
    ],
)
def test_amounts_are_read_to_the_cent(text: str, value: str, symbol_currency: str | None) -> None:
    parsed = parse_amount(text)
    assert parsed.value == Decimal(value)
    assert parsed.value.as_tuple().exponent == -2
    assert parsed.symbol_currency == symbol_currency


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-5", "amount_negative"),
        ("-$5M", "amount_negative"),
        ("1000000000000000.01", "amount_too_large"),
        ("5 millions", "amount_unparseable"),
        ("5M USD", "amount_unparseable"),
        ("1.1234567", "amount_unparseable"),  # more than six decimals
        ("12345678901234567", "amount_unparseable"),  # more than 16 plain digits
        ("1,2345", "amount_unparseable"),
        ("", "amount_unparseable"),
    ],
)
def test_amounts_that_are_not_numbers_or_out_of_range_are_refused(text: str, code: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        parse_amount(text)
    assert caught.value.type == code


def test_a_row_without_status_is_announced_and_without_amount_has_no_money_fields() -> None:
    parsed = EventRow.model_validate(event(currency="USD", amount_qualifier="estimated"))
    assert parsed.status is Status.ANNOUNCED
    assert (parsed.amount, parsed.currency, parsed.amount_qualifier) == (None, None, None)


def test_an_amount_without_qualifier_is_exact_and_takes_its_symbols_currency() -> None:
    parsed = EventRow.model_validate(event(amount="$5M"))
    assert parsed.amount == Decimal("5000000.00")
    assert parsed.currency == "USD"
    assert parsed.amount_qualifier is AmountQualifier.EXACT


def test_cells_are_trimmed_and_empty_optional_cells_are_none() -> None:
    parsed = EventRow.model_validate(
        event(title="  Deal \t", counterparty="   ", product="", notes="\r\n")
    )
    assert parsed.title == "Deal"
    assert (parsed.counterparty, parsed.product, parsed.notes) == (None, None, None)


def test_without_context_any_three_letter_currency_passes_with_it_only_rated_ones() -> None:
    row = event(amount="5M", currency="chf")
    assert EventRow.model_validate(row).currency == "CHF"
    assert first_error(row, currencies={"EUR"}) == "currency_unknown"
    assert (
        EventRow.model_validate(
            event(amount="5M", currency="USD"), context={"currencies": set()}
        ).currency
        == "USD"
    )


def test_each_error_carries_the_message_an_analyst_reads() -> None:
    with pytest.raises(ValidationError) as caught:
        EventRow.model_validate(event(date="2025-02-30"))
    assert "calendar date between 1950 and 2100" in caught.value.errors()[0]["msg"]


@pytest.mark.parametrize(
    ("row", "code"),
    [
        ({"event_ref": "", "source_url": "https://x.com/a"}, "event_ref_missing"),
        ({"event_ref": "r", "source_url": " "}, "source_url_missing"),
        ({"event_ref": "r", "source_url": "javascript:alert(1)"}, "source_url_not_http"),
        (
            {"event_ref": "r", "source_url": "https://x.com/a", "reported_amount": "-1"},
            "amount_negative",
        ),
        (
            {"event_ref": "r", "source_url": "https://x.com/a", "reported_amount": "lots"},
            "amount_unparseable",
        ),
    ],
)
def test_a_source_row_is_checked_in_rule_order(row: dict[str, str], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SourceRow.model_validate(row)
    assert caught.value.errors()[0]["type"] == code


def test_a_source_rows_figure_takes_the_currency_of_its_symbol() -> None:
    parsed = SourceRow.model_validate(
        {"event_ref": "scale", "source_url": "https://x.com/a", "reported_amount": "$14.8B"}
    )
    assert (parsed.reported_amount, parsed.reported_currency) == (
        Decimal("14800000000.00"),
        "USD",
    )


def test_the_bulk_engine_always_knows_usd_once() -> None:
    params = bulk_params({"EUR", "USD", "GBP"})
    assert params["currencies"] == ["EUR", "GBP", "USD"]
    assert bulk_params(set())["currencies"] == ["USD"]
