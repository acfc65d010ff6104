"""A JSON array of row objects, with the curated format's keys, as a curated CSV file.

The loader reads CSV only, so a JSON source is written out in the curated format and then
goes through exactly the checks and rules a hand-made file does. The shape is checked
first: an array of objects, each with every required key, and only text, numbers, booleans
or null as values. Anything else (an error object, an HTML page, a nested value) is not a
source's data and keeps the last good copy.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from etl.files import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, FileKind


class RowsShapeError(Exception):
    """The JSON is not an array of row objects of the curated format."""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(type(value).__name__)


def rows_to_csv(body: bytes, kind: FileKind) -> bytes:
    """The CSV of a JSON array of row objects: required columns, then optional, then the
    other keys in order of first appearance (the loader ignores and reports those)."""
    try:
        rows = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RowsShapeError(f"not valid JSON ({exc})") from None
    if not isinstance(rows, list):
        raise RowsShapeError(f"JSON is {type(rows).__name__}, not an array of row objects")
    required = REQUIRED_COLUMNS[kind]
    columns = list(required) + list(OPTIONAL_COLUMNS[kind])
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise RowsShapeError(f"item #{index} is {type(row).__name__}, not an object")
        missing = [key for key in required if key not in row]
        if missing:
            raise RowsShapeError(f"item #{index} lacks required key(s) {', '.join(missing)}")
        columns += [key for key in row if key not in columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for index, row in enumerate(rows):
        try:
            writer.writerow([_cell(row.get(column)) for column in columns])
        except TypeError as exc:
            raise RowsShapeError(f"item #{index} has a nested {exc} value") from None
    return out.getvalue().encode("utf-8")
