"""Write query results as CSV, Parquet or JSON, safe to open in a spreadsheet.

Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return would run as a formula in Excel, LibreOffice or Google Sheets. In CSV
exports such a cell gets a leading apostrophe (``'=1+1``), which spreadsheets show as text
and do not evaluate (the OWASP advice). Numbers, dates and Parquet/JSON output are unchanged.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = b"\xef\xbb\xbf"


class ExportFormat(StrEnum):
    """The formats an export can take."""

    CSV = "csv"
    PARQUET = "parquet"
    JSON = "json"


def neutralize_formulas(table: pa.Table) -> pa.Table:
    """Prefix an apostrophe to every text cell a spreadsheet would run as a formula."""
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            first = pc.utf8_slice_codeunits(column, 0, 1)
            risky = pc.is_in(first, value_set=pa.array(FORMULA_START, column.type))
            if pc.any(risky).as_py():
                quote, empty = pa.scalar("'", column.type), pa.scalar("", column.type)
                column = pc.if_else(
                    risky, pc.binary_join_element_wise(quote, column, empty), column
                )
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names)


def write(table: pa.Table, out: BinaryIO, fmt: ExportFormat, *, excel: bool = False) -> None:
    """Write ``table`` to the binary stream ``out``.

    ``excel`` adds a UTF-8 byte-order mark to CSV so that Excel reads Arabic text right.
    """
    if fmt is ExportFormat.CSV:
        if excel:
            out.write(UTF8_BOM)
        pacsv.write_csv(neutralize_formulas(table), out)
    elif fmt is ExportFormat.PARQUET:
        pq.write_table(table, out)
    else:
        rows = table.to_pylist()
        out.write(json.dumps(rows, ensure_ascii=False, default=str, indent=None).encode("utf-8"))
        out.write(b"\n")
