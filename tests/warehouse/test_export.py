"""``landscape export``: CSV, JSON and Parquet that read back whole, CSV that a spreadsheet
cannot run as formulas, Arabic text intact, and the company filter with roll-up."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from etl.cli import main
from tests.support import LANDSCAPE_EVENTS
from warehouse.db import connect_read_only
from warehouse.export import UTF8_BOM, neutralize_formulas
from warehouse.filters import Filters
from warehouse.queries import QUERIES, fetch

ARABIC_TITLE = LANDSCAPE_EVENTS["e2"]["title"]
FORMULA_TITLES = [LANDSCAPE_EVENTS[ref]["title"] for ref in ("e3", "e4", "e5")]


def export(warehouse: Path, *args: object) -> Result:
    return CliRunner().invoke(
        main, ["export", "events", "--warehouse", str(warehouse), *map(str, args)]
    )


def export_file(warehouse: Path, out: Path, *args: object) -> bytes:
    result = export(warehouse, "--out", out, *args)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_has_one_row_per_event(landscape: Path, tmp_path: Path) -> None:
    result = export(landscape, "--out", tmp_path / "e.csv")
    assert result.exit_code == 0
    assert (
        result.stderr.splitlines()[-1] == f"wrote {len(LANDSCAPE_EVENTS)} rows to "
        f"{tmp_path / 'e.csv'}"
    )
    frame = pd.read_csv(tmp_path / "e.csv")
    assert len(frame) == len(LANDSCAPE_EVENTS)
    assert frame["event_id"].str.fullmatch(r"ev_[0-9a-f]{16}").all()


def test_parquet_keeps_types_and_text(landscape: Path, tmp_path: Path) -> None:
    export_file(landscape, tmp_path / "e.parquet", "--format", "parquet")
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.num_rows == len(LANDSCAPE_EVENTS)
    assert pa.types.is_decimal(table.schema.field("amount").type)
    assert pa.types.is_date(table.schema.field("date").type)
    titles = set(table.column("title").to_pylist())
    assert ARABIC_TITLE in titles
    assert set(FORMULA_TITLES) <= titles  # only CSV is neutralized


def test_json_is_a_list_of_rows_with_text_as_written(landscape: Path, tmp_path: Path) -> None:
    data = export_file(landscape, tmp_path / "e.json", "--format", "json")
    rows = json.loads(data)
    assert len(rows) == len(LANDSCAPE_EVENTS)
    assert ARABIC_TITLE.encode("utf-8") in data  # not \\u escapes
    by_title = {r["title"]: r for r in rows}
    assert set(FORMULA_TITLES) <= set(by_title)
    assert Decimal(by_title["Meta invests in Scale AI"]["amount"]) == Decimal("14300000000")


def test_csv_cells_that_would_run_as_formulas_get_an_apostrophe(
    landscape: Path, tmp_path: Path
) -> None:
    rows = csv_rows(export_file(landscape, tmp_path / "e.csv"))
    titles = {r["title"] for r in rows}
    assert {"'" + t for t in FORMULA_TITLES} <= titles
    assert not titles & set(FORMULA_TITLES)
    assert {"Meta invests in Scale AI", ARABIC_TITLE} <= titles  # the others as they were
    scale = next(r for r in rows if r["title"] == "Meta invests in Scale AI")
    assert scale["amount"] == "14300000000.00"
    assert scale["source_count"] == "2"


def test_excel_csv_starts_with_a_byte_order_mark(landscape: Path, tmp_path: Path) -> None:
    plain = export_file(landscape, tmp_path / "plain.csv")
    excel = export_file(landscape, tmp_path / "excel.csv", "--excel")
    assert not plain.startswith(UTF8_BOM)
    assert excel == UTF8_BOM + plain
    assert ARABIC_TITLE in {r["title"] for r in csv_rows(excel)}


def test_export_to_stdout(landscape: Path) -> None:
    result = export(landscape, "--format", "csv")
    assert result.exit_code == 0
    assert len(csv_rows(result.stdout_bytes)) == len(LANDSCAPE_EVENTS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--company", "جوجل"], {"e3", "e5"}),  # Google DeepMind rolls up into Google
        (["--company", "جوجل", "--no-rollup"], {"e5"}),
        (["--company", "Facebook", "--company", "Open AI"], {"e1", "e2", "e4"}),
        (["--company", "ميدجورني", "--since", "2025-01-01"], {"e2"}),
        (["--type", "investment", "--until", "2025-05-01"], {"e5"}),
    ],
)
def test_filters_select_the_events(
    landscape: Path, tmp_path: Path, args: list[str], expected: set[str]
) -> None:
    rows = csv_rows(export_file(landscape, tmp_path / "e.csv", *args))
    titles_by_ref = {ref: row["title"] for ref, row in LANDSCAPE_EVENTS.items()}
    got = {r["title"].removeprefix("'") for r in rows}
    assert got == {titles_by_ref[ref] for ref in expected}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--company", "Midjourny"], "error: no company named 'Midjourny' in the warehouse"),
        (["--company", "Meta", "--company", "Nobody"], "error: no company named 'Nobody'"),
    ],
)
def test_an_unknown_company_is_one_line_and_exit_2(
    landscape: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    result = export(landscape, "--out", tmp_path / "e.csv", *args)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(says)
    assert not (tmp_path / "e.csv").exists()


def test_exporting_before_any_refresh_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = export(tmp_path / "none.duckdb")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {tmp_path / 'none.duckdb'}: no warehouse yet")


@pytest.mark.parametrize(
    ("cell", "neutralized"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("1+1", "1+1"),
        (" =1", " =1"),
        ("a=b", "a=b"),
        ("ميتا", "ميتا"),
        (None, None),
    ],
)
def test_neutralize_formulas_prefixes_risky_text_only(
    cell: str | None, neutralized: str | None
) -> None:
    table = pa.table(
        {
            "text": pa.array([cell], pa.string()),
            "number": pa.array([-1], pa.int64()),
            "money": pa.array([Decimal("-1.50")], pa.decimal128(18, 2)),
        }
    )
    out = neutralize_formulas(table)
    assert out.column("text").to_pylist() == [neutralized]
    assert out.column("number").to_pylist() == [-1]
    assert out.column("money").to_pylist() == [Decimal("-1.50")]
    assert out.schema == table.schema


def test_neutralize_formulas_handles_large_string_columns() -> None:
    table = pa.table({"text": pa.array(["=1+1", "ok"], pa.large_string())})
    assert neutralize_formulas(table).column("text").to_pylist() == ["'=1+1", "ok"]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
@pytest.mark.parametrize("name", QUERIES)
def test_every_table_exports_the_rows_the_query_layer_returns(
    landscape: Path, tmp_path: Path, name: str, fmt: str
) -> None:
    """One query layer, two faces: the export holds exactly what fetch() returns."""
    out = tmp_path / f"{name}.{fmt}"
    result = CliRunner().invoke(
        main,
        [
            "export",
            name,
            "--warehouse",
            str(landscape),
            "--format",
            fmt,
            "--out",
            str(out),
            "--period",
            "quarter",
        ],
    )
    assert result.exit_code == 0, result.output
    con = connect_read_only(landscape)
    try:
        expected = fetch(con, name, Filters(period="quarter"))
    finally:
        con.close()
    if fmt == "csv":
        rows = csv_rows(out.read_bytes())
        columns = list(rows[0]) if rows else list(pd.read_csv(out).columns)
    elif fmt == "json":
        rows = json.loads(out.read_bytes())
        columns = list(rows[0]) if rows else []
    else:
        table = pq.read_table(out)
        rows, columns = table.to_pylist(), table.column_names
    assert len(rows) == len(expected)
    if rows:
        assert columns == list(expected.columns)
