"""Row-by-row validation (``EventRow``) and bulk validation (the SQL of a refresh) agree.

Every case is a raw row as an analyst might write it. Each is checked three ways: the
verdict written in the table by hand, ``EventRow.model_validate`` and a real refresh. A bad
row must give the same first error code in both engines (the bulk engine records every rule
broken; the first in the order of ``REASONS`` is the one ``EventRow`` reports); a good row
the same amount (to the cent), currency, start date and precision.

All cases go into one file and one refresh (one line each), which keeps the table fast.
"""

from __future__ import annotations

import string
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from etl.models import REASONS, SCALE_WORDS, EventRow, SourceRow
from etl.refresh import refresh
from etl.seeds import load_seeds
from tests.support import EVENT_COLUMNS, event, write_csv

RULE_ORDER = list(REASONS)


@dataclass(frozen=True)
class Good:
    """What a valid row must become."""

    amount: str | None
    currency: str | None
    start: str
    precision: str


DAY = Good(None, None, "2025-06-12", "day")


def usd(amount: str) -> Good:
    return Good(amount, "USD", "2025-06-12", "day")


LAUNCH = {"type": "model_launch", "product": "Llama 4", "modality": "text", "counterparty": ""}

CASES = [
    # --- each rule, broken alone -------------------------------------------------------
    pytest.param({"date": ""}, "date_missing", id="date-empty"),
    pytest.param({"date": "  \t "}, "date_missing", id="date-blank"),
    pytest.param({"type": ""}, "type_missing", id="type-empty"),
    pytest.param({"company": ""}, "company_missing", id="company-empty"),
    pytest.param({"title": ""}, "title_missing", id="title-empty"),
    pytest.param({"source_url": ""}, "source_url_missing", id="url-empty"),
    pytest.param({"date": "12/06/2025"}, "date_unparseable", id="date-us-style"),
    pytest.param({"date": "last June"}, "date_unparseable", id="date-words"),
    pytest.param({"date": "2025-6-12"}, "date_unparseable", id="date-one-digit-month"),
    pytest.param({"date": "2025-Q5"}, "date_unparseable", id="date-quarter-5"),
    pytest.param({"date": "2025-02-30"}, "date_impossible", id="date-feb-30"),
    pytest.param({"date": "2025-13"}, "date_impossible", id="date-month-13"),
    pytest.param({"date": "1800"}, "date_impossible", id="date-year-1800"),
    pytest.param({"date": "2101-01-01"}, "date_impossible", id="date-after-2100"),
    pytest.param({"type": "merger-ish"}, "type_unknown", id="type-unknown"),
    pytest.param({"source_url": "javascript:alert(1)"}, "source_url_not_http", id="url-js"),
    pytest.param({"source_url": "ftp://x.com"}, "source_url_not_http", id="url-ftp"),
    pytest.param({"source_url": "http://nodot"}, "source_url_not_http", id="url-no-dot"),
    pytest.param({"source_url": "https://x.com/a b"}, "source_url_not_http", id="url-inner-space"),
    pytest.param(
        {"amount": "5M", "currency": "USD", "amount_qualifier": "roughly"},
        "qualifier_unknown",
        id="qualifier-unknown",
    ),
    pytest.param({"status": "pending"}, "status_unknown", id="status-unknown"),
    pytest.param({**LAUNCH, "modality": "smell"}, "modality_unknown", id="modality-unknown"),
    pytest.param({**LAUNCH, "modality": ""}, "modality_missing", id="modality-missing"),
    pytest.param({**LAUNCH, "product": ""}, "product_missing", id="product-missing"),
    pytest.param(
        {"type": "product_launch", "product": "", "counterparty": ""},
        "product_missing",
        id="product-launch-without-product",
    ),
    pytest.param(
        {"amount": "about 5 billions", "currency": "USD"}, "amount_unparseable", id="amount-words"
    ),
    pytest.param(
        {"amount": "1,00", "currency": "USD"}, "amount_unparseable", id="amount-bad-comma"
    ),
    pytest.param({"amount": ".5M", "currency": "USD"}, "amount_unparseable", id="amount-no-int"),
    pytest.param(
        {"amount": "٥M", "currency": "USD"}, "amount_unparseable", id="amount-arabic-digit"
    ),
    pytest.param({"amount": "-5B", "currency": "USD"}, "amount_negative", id="amount-negative"),
    pytest.param({"amount": "2000T", "currency": "USD"}, "amount_too_large", id="amount-2e15"),
    pytest.param(
        {**LAUNCH, "amount": "5M", "currency": "USD"}, "amount_not_allowed", id="launch-amount"
    ),
    pytest.param(
        {"type": "talent", "amount": "100M", "currency": "USD"},
        "amount_not_allowed",
        id="talent-amount",
    ),
    pytest.param({"amount": "5M"}, "currency_missing", id="currency-missing"),
    pytest.param({"amount": "$5M", "currency": "EUR"}, "currency_conflict", id="dollar-with-eur"),
    pytest.param({"amount": "€5M", "currency": "usd"}, "currency_conflict", id="euro-with-usd"),
    pytest.param({"amount": "5M", "currency": "CHF"}, "currency_unknown", id="currency-no-rates"),
    pytest.param({"amount": "5M", "currency": "XQZ"}, "currency_unknown", id="currency-made-up"),
    pytest.param({"amount": "5M", "currency": "US$"}, "currency_unknown", id="currency-not-iso"),
    # --- several rules broken: the first in rule order wins ----------------------------
    pytest.param({"date": "", "type": ""}, "date_missing", id="first-of-two-missing"),
    pytest.param(
        {"type": "merger", "source_url": "javascript:x"}, "type_unknown", id="type-before-url"
    ),
    pytest.param(
        {**LAUNCH, "amount": "lots", "currency": "USD"},
        "amount_unparseable",
        id="unparseable-before-not-allowed",
    ),
    pytest.param(
        {**LAUNCH, "amount": "-1", "currency": "USD"},
        "amount_negative",
        id="negative-before-not-allowed",
    ),
    pytest.param(
        {"status": "pending", "amount": "5M"}, "status_unknown", id="status-before-currency"
    ),
    # --- liberal good forms ------------------------------------------------------------
    pytest.param({"amount": "$14.3B"}, usd("14300000000.00"), id="dollar-14.3B"),
    pytest.param(
        {"amount": "14,300,000,000", "currency": "USD"},
        usd("14300000000.00"),
        id="thousands-commas",
    ),
    pytest.param(
        {"amount": "14.3 billion", "currency": "USD"}, usd("14300000000.00"), id="14.3-billion"
    ),
    pytest.param({"amount": "2.5bn", "currency": "USD"}, usd("2500000000.00"), id="2.5bn"),
    pytest.param({"amount": "750K", "currency": "USD"}, usd("750000.00"), id="750K"),
    pytest.param({"amount": "$ 5 B"}, usd("5000000000.00"), id="spaced-symbol-and-scale"),
    pytest.param(
        {"amount": "1,000.5M", "currency": "USD"}, usd("1000500000.00"), id="commas-fraction-scale"
    ),
    pytest.param({"amount": "1.005", "currency": "USD"}, usd("1.01"), id="half-cent-rounds-up"),
    pytest.param({"amount": "0.004", "currency": "USD"}, usd("0.00"), id="under-half-cent"),
    pytest.param(
        {"amount": "1000T", "currency": "USD"}, usd("1000000000000000.00"), id="exactly-the-maximum"
    ),
    pytest.param({"amount": "5", "currency": " usd "}, usd("5.00"), id="currency-lowercase"),
    pytest.param(
        {"amount": "€600M"}, Good("600000000.00", "EUR", "2025-06-12", "day"), id="euro-symbol"
    ),
    pytest.param(
        {"amount": "£1.5 million"},
        Good("1500000.00", "GBP", "2025-06-12", "day"),
        id="pound-million",
    ),
    pytest.param(
        {"amount": "2.5bn", "currency": "EUR"},
        Good("2500000000.00", "EUR", "2025-06-12", "day"),
        id="bn-in-eur",
    ),
    pytest.param({"date": "2025-06"}, Good(None, None, "2025-06-01", "month"), id="month"),
    pytest.param({"date": "2025-Q2"}, Good(None, None, "2025-04-01", "quarter"), id="quarter"),
    pytest.param({"date": "2025q2"}, Good(None, None, "2025-04-01", "quarter"), id="quarter-lc"),
    pytest.param({"date": "2025-Q4"}, Good(None, None, "2025-10-01", "quarter"), id="q4"),
    pytest.param({"date": "2025"}, Good(None, None, "2025-01-01", "year"), id="year"),
    pytest.param({"date": "1950-01-01"}, Good(None, None, "1950-01-01", "day"), id="first-day"),
    pytest.param({"date": "2100-12-31"}, Good(None, None, "2100-12-31", "day"), id="last-day"),
    pytest.param({"date": "2024-02-29"}, Good(None, None, "2024-02-29", "day"), id="leap-day"),
    pytest.param({"type": "Funding round"}, DAY, id="type-spelled-out"),
    pytest.param({"type": "FUNDING-ROUND"}, DAY, id="type-upper-hyphen"),
    pytest.param({"company": " Meta "}, DAY, id="company-padded"),
    pytest.param({"source_url": "HTTPS://Example.com/a?b=1#c"}, DAY, id="url-upper-scheme"),
    pytest.param(
        {"status": "Completed", "amount": "5M", "currency": "USD", "amount_qualifier": "Up to"},
        usd("5000000.00"),
        id="status-qualifier-words",
    ),
    pytest.param({**LAUNCH, "modality": "Multimodal"}, DAY, id="launch-complete"),
]


def _python_verdict(row: dict[str, str], currencies: set[str]) -> str | Good:
    try:
        parsed = EventRow.model_validate(row, context={"currencies": currencies})
    except ValidationError as exc:
        return str(exc.errors()[0]["type"])
    return Good(
        None if parsed.amount is None else str(parsed.amount),
        parsed.currency,
        parsed.date.start.isoformat(),
        parsed.date.precision.value,
    )


def _bulk_verdicts(con: duckdb.DuckDBPyConnection, refs: list[str]) -> dict[str, str | Good]:
    """Verdict per ref: the first reject code of its line, or the loaded event."""
    line_of = {ref: position + 2 for position, ref in enumerate(refs)}
    codes: dict[int, list[str]] = {}
    for line, code in con.execute("SELECT line, reason_code FROM rejects").fetchall():
        codes.setdefault(int(line), []).append(code)
    loaded = {
        ref: Good(
            None if amount is None else f"{amount:.2f}",
            currency,
            start.isoformat(),
            precision,
        )
        for ref, amount, currency, start, precision in con.execute(
            "SELECT ref, amount, currency, date, date_precision FROM events"
        ).fetchall()
    }
    verdicts: dict[str, str | Good] = {}
    for ref, line in line_of.items():
        if line in codes:
            verdicts[ref] = min(codes[line], key=RULE_ORDER.index)
        else:
            verdicts[ref] = loaded.get(ref, "neither loaded nor rejected")
    return verdicts


def bulk_run(rows: list[dict[str, str]], seeds_dir: Path, work: Path) -> dict[str, str | Good]:
    """Refresh one file holding ``rows`` (each given a unique ref); verdicts by ref."""
    refs = [f"case-{n}" for n in range(len(rows))]
    data = work / "data"
    write_csv(
        data / "events.csv",
        EVENT_COLUMNS,
        [{**r, "ref": f} for r, f in zip(rows, refs, strict=True)],
    )
    target = work / "w.duckdb"
    refresh(data, target, seeds_dir=seeds_dir)
    con = duckdb.connect(str(target), read_only=True)
    try:
        return _bulk_verdicts(con, refs)
    finally:
        con.close()


@pytest.fixture(scope="module")
def currencies(seeds_dir: Path) -> set[str]:
    return load_seeds(seeds_dir).currencies()


@pytest.fixture(scope="module")
def bulk(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | Good]:
    rows = [event(**case.values[0]) for case in CASES]
    return bulk_run(rows, seeds_dir, tmp_path_factory.mktemp("parity"))


def test_the_table_covers_every_event_reason() -> None:
    """Every reject code an events file can produce has a case (sources and CSV-level codes
    and fx_missing and counterparty_is_company, which need the seeds and so only the bulk
    engine knows, are covered elsewhere)."""
    bulk_only = {
        "fx_missing",
        "counterparty_is_company",
        "event_ref_missing",
        "event_ref_unknown",
        "csv_malformed",
    }
    covered = {case.values[1] for case in CASES if isinstance(case.values[1], str)}
    assert covered == set(REASONS) - bulk_only


@pytest.mark.parametrize(
    ("position", "fields", "expected"),
    [pytest.param(n, *case.values, id=case.id) for n, case in enumerate(CASES)],
)
def test_row_and_bulk_validation_agree(
    position: int,
    fields: dict[str, str],
    expected: str | Good,
    bulk: dict[str, str | Good],
    currencies: set[str],
) -> None:
    assert _python_verdict(event(**fields), currencies) == expected
    assert bulk[f"case-{position}"] == expected


# --- bugs found by the table's edge cases ----------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"company": "  "}, "company_missing"), ({"counterparty": " \t"}, None)],
    ids=["company", "counterparty"],
)
def test_a_name_cell_of_blanks_is_missing(
    fields: dict[str, str],
    code: str | None,
    seeds_dir: Path,
    tmp_path: Path,
    currencies: set[str],
) -> None:
    row = event(**fields)
    expected = code or _python_verdict(row, currencies)
    assert bulk_run([row], seeds_dir, tmp_path)["case-0"] == expected


UNICODE_SCALE_CASES = [
    # Python's re folds 'ſ' (long s) to 's' and 'ı' (dotless i) to 'i' when ignoring case;
    # RE2 folds 'ſ' but not 'ı'. SCALE_WORDS is then looked up with str.lower().
    pytest.param("5 thouſand", id="long-s"),
    pytest.param("5 bıllion", id="dotless-i"),
]


@pytest.mark.parametrize("amount", UNICODE_SCALE_CASES)
def test_a_scale_word_in_another_script_is_a_validation_error(
    amount: str, currencies: set[str]
) -> None:
    row = event(amount=amount, currency="USD")
    with pytest.raises(ValidationError) as caught:
        EventRow.model_validate(row, context={"currencies": currencies})
    assert caught.value.errors()[0]["type"] == "amount_unparseable"


def test_bulk_never_loads_a_row_whose_amount_it_could_not_read(
    seeds_dir: Path, tmp_path: Path
) -> None:
    verdicts = bulk_run([event(amount="5 thouſand", currency="USD")], seeds_dir, tmp_path)
    assert verdicts["case-0"] == "amount_unparseable"


@pytest.mark.parametrize(
    "amount", ["9999999999999999 trillion", "999,999,999,999,999,999.999999 trillion"]
)
def test_a_huge_amount_is_too_large_not_a_crash(amount: str, currencies: set[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        EventRow.model_validate(
            event(amount=amount, currency="USD"), context={"currencies": currencies}
        )
    assert caught.value.errors()[0]["type"] == "amount_too_large"


def test_bulk_rejects_a_huge_usd_amount_as_too_large(seeds_dir: Path, tmp_path: Path) -> None:
    verdicts = bulk_run(
        [event(amount="999,999,999,999,999,999.999999 trillion", currency="USD")],
        seeds_dir,
        tmp_path,
    )
    assert verdicts["case-0"] == "amount_too_large"


def test_one_huge_euro_amount_is_rejected_without_stopping_the_refresh(
    seeds_dir: Path, tmp_path: Path
) -> None:
    rows = [event(amount="20,000,000,000,000,000", currency="EUR"), event(title="fine")]
    verdicts = bulk_run(rows, seeds_dir, tmp_path)
    assert verdicts["case-0"] == "amount_too_large"
    assert isinstance(verdicts["case-1"], Good)


# --- property: any amount string, same verdict ----------------------------------------

SCALE_SPELLINGS = sorted({w for word in SCALE_WORDS for w in (word, word.upper(), word.title())})


@st.composite
def amount_texts(draw: st.DrawFn) -> str:
    """Amount strings of the kind analysts write, valid or nearly so: up to 18 integer
    digits (16 without thousands commas), so sizes run far past the 10^15 limit."""
    digits = draw(st.integers(min_value=0, max_value=10**18 - 1))
    integer = f"{digits:,}" if draw(st.booleans()) else str(digits)
    if draw(st.integers(0, 9)) == 0:  # now and then a broken grouping or stray character
        integer = draw(st.sampled_from([integer.replace(",", ""), integer + ",", "1,00", "x"]))
    fraction = draw(
        st.one_of(
            st.just(""),
            st.text(string.digits, min_size=1, max_size=6),
            st.text(string.digits, min_size=7, max_size=7),  # one digit too many
        )
    )
    return "".join(
        [
            draw(st.sampled_from(["", "", "", "", "", "-", "- "])),
            draw(st.sampled_from(["", "", "", "$", "$ ", "€", "£"])),
            integer,
            "." + fraction if fraction else "",
            draw(st.sampled_from(["", "", " "])),
            draw(st.sampled_from(["", *SCALE_SPELLINGS])),
        ]
    )


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    cells=st.lists(
        st.tuples(amount_texts(), st.sampled_from(["USD", "", "EUR", "gbp", "CHF"])),
        min_size=1,
        max_size=40,
    )
)
def test_any_amount_string_gets_the_same_verdict(
    cells: list[tuple[str, str]], seeds_dir: Path, currencies: set[str]
) -> None:
    """Amount and currency cells drawn together: parsing, rounding, the size limit, symbols
    against the currency column, and currencies with and without rates."""
    rows = [event(amount=amount, currency=currency) for amount, currency in cells]
    with tempfile.TemporaryDirectory() as work:
        verdicts = bulk_run(rows, seeds_dir, Path(work))
    for n, row in enumerate(rows):
        assert verdicts[f"case-{n}"] == _python_verdict(row, currencies), row


# --- the extra sources file -----------------------------------------------------------

SOURCE_CASES = [
    pytest.param({"event_ref": ""}, "event_ref_missing", id="ref-empty"),
    pytest.param({"event_ref": " \t"}, "event_ref_missing", id="ref-blank"),
    pytest.param({"source_url": ""}, "source_url_missing", id="url-empty"),
    pytest.param({"source_url": "ftp://x.com/a"}, "source_url_not_http", id="url-ftp"),
    pytest.param({"reported_amount": "lots"}, "amount_unparseable", id="amount-words"),
    pytest.param({"reported_amount": "-5M"}, "amount_negative", id="amount-negative"),
    pytest.param({"reported_amount": "2000T"}, "amount_too_large", id="amount-too-large"),
    pytest.param({"reported_amount": "5M"}, "currency_missing", id="currency-missing"),
    pytest.param(
        {"reported_amount": "$5M", "reported_currency": "EUR"},
        "currency_conflict",
        id="currency-conflict",
    ),
    pytest.param(
        {"reported_amount": "5M", "reported_currency": "XQZ"},
        "currency_unknown",
        id="currency-unknown",
    ),
    pytest.param(
        {"reported_currency": "EUR"}, (None, None), id="currency-without-amount-is-ignored"
    ),
    pytest.param({"event_ref": "", "source_url": "x"}, "event_ref_missing", id="first-wins"),
    pytest.param(
        {"event_ref": "KNOWN", "reported_amount": "$14.8B"},
        ("14800000000.00", "USD"),
        id="ref-any-case",
    ),
    pytest.param({"reported_amount": "€5M"}, ("5000000.00", "EUR"), id="euro-symbol"),
    pytest.param(
        {"reported_amount": "5 Mn", "reported_currency": "gbp"},
        ("5000000.00", "GBP"),
        id="currency-column",
    ),
    pytest.param({}, (None, None), id="no-figure"),
]


# The order of SourceRow's checks (event_ref_unknown, which only the bulk engine can know,
# comes last).
SOURCE_RULE_ORDER = [
    "event_ref_missing",
    "source_url_missing",
    "source_url_not_http",
    "amount_unparseable",
    "amount_negative",
    "amount_too_large",
    "currency_missing",
    "currency_conflict",
    "currency_unknown",
    "event_ref_unknown",
]


@pytest.fixture(scope="module")
def bulk_sources(
    seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, str | tuple[str | None, str | None]]:
    """Refresh one event (ref 'known', 2025-06-12) and every source case; verdict by line."""
    work = tmp_path_factory.mktemp("sources")
    write_csv(work / "data" / "events.csv", EVENT_COLUMNS, [event(ref="known")])
    columns = ["event_ref", "source_url", "reported_amount", "reported_currency"]
    rows = [
        {"event_ref": "known", "source_url": f"https://example.com/s/{n}", **case.values[0]}
        for n, case in enumerate(SOURCE_CASES)
    ]
    write_csv(work / "data" / "sources.csv", columns, rows)
    refresh(work / "data", work / "w.duckdb", seeds_dir=seeds_dir)
    con = duckdb.connect(str(work / "w.duckdb"), read_only=True)
    try:
        verdicts: dict[int, str | tuple[str | None, str | None]] = {}
        for line, code in con.execute(
            "SELECT line, reason_code FROM rejects WHERE file = 'sources.csv'"
        ).fetchall():
            first = verdicts.get(line)
            if first is None or SOURCE_RULE_ORDER.index(code) < SOURCE_RULE_ORDER.index(str(first)):
                verdicts[line] = code
        for line, amount, currency in con.execute(
            "SELECT source_line, reported_amount, reported_currency FROM event_sources"
            " WHERE source_file = 'sources.csv'"
        ).fetchall():
            verdicts[line] = (None if amount is None else f"{amount:.2f}", currency)
        return verdicts
    finally:
        con.close()


@pytest.mark.parametrize(
    ("position", "fields", "expected"),
    [pytest.param(n, *case.values, id=case.id) for n, case in enumerate(SOURCE_CASES)],
)
def test_source_rows_get_the_same_verdict_in_both_engines(
    position: int,
    fields: dict[str, str],
    expected: str | tuple[str | None, str | None],
    bulk_sources: dict[int, str | tuple[str | None, str | None]],
    currencies: set[str],
) -> None:
    row = {"event_ref": "known", "source_url": f"https://example.com/s/{position}", **fields}
    try:
        parsed = SourceRow.model_validate(row, context={"currencies": currencies})
    except ValidationError as exc:
        python: str | tuple[str | None, str | None] = str(exc.errors()[0]["type"])
    else:
        amount = parsed.reported_amount
        python = (None if amount is None else str(amount), parsed.reported_currency)
    assert python == expected
    assert bulk_sources.get(position + 2) == expected
