"""Tables as spreadsheets staff can file: XLSX with typed cells, or CSV for other tools.

Shared by every ledger (registrations, bookings, complaints). The caller gives columns with
a kind and rows of plain values, one table or several sheets of one workbook (a ledger and
its summary); this module decides how each kind looks, the same on every sheet:

- the header row bold, shaded, frozen, with a filter, and repeated on every printed page;
- widths from the longest value (a Chinese character counts two), within limits;
- dates and times as real date cells (sortable, filterable), in local time, no time zone;
- text as text cells, never as formulas or numbers: an ID number keeps its 18 digits and
  an answer starting with "=" is shown as typed (Excel's quote prefix, no apostrophe in the
  cell). CSV has no cell types, so there a leading apostrophe is the usual defence;
- counts as number cells;
- the file created owner-only (names, phone and ID numbers, masked or not).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.people.files import open_private

Value = str | int | date | datetime | None

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MIN_WIDTH, _MAX_WIDTH = 6, 48
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


class Kind(StrEnum):
    TEXT = "text"
    DATE = "date"  # a date cell, yyyy-mm-dd
    DATETIME = "datetime"  # a date-and-time cell, yyyy-mm-dd hh:mm
    NUMBER = "number"  # a whole number (a count), summed and sorted as such


_FORMATS = {
    Kind.TEXT: "@",
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.NUMBER: "0",
}
_TEXT_FORMS = {Kind.DATE: "%Y-%m-%d", Kind.DATETIME: "%Y-%m-%d %H:%M"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook. ``keep_columns``: how many leading columns (the record's
    number and name) stay in view when scrolling right, and are printed on every page."""

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]
    keep_columns: int = 0


def write(
    path: Path,
    sheet: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Value]],
    *,
    keep_columns: int = 0,
) -> None:
    """One table as XLSX or CSV (UTF-8 with BOM, which Excel opens as such) by the suffix."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_book(path, [Sheet(sheet, columns, rows, keep_columns)])
    elif suffix == ".csv":
        write_csv(path, columns, rows)
    else:
        raise ValueError(f"unsupported format {path.suffix!r}: use .xlsx or .csv")


def write_book(path: Path, sheets: Sequence[Sheet]) -> None:
    """Several sheets in one XLSX workbook (a CSV file holds one table only)."""
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"unsupported format {path.suffix!r}: a workbook is .xlsx")
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    book = Workbook()
    first = book.active
    assert first is not None
    for index, sheet in enumerate(sheets):
        _table(first if index == 0 else book.create_sheet(), sheet)
    with open_private(path, "wb") as handle:  # names and IDs: owner-only from the start
        book.save(handle)


def _table(ws: Worksheet, sheet: Sheet) -> None:
    columns, rows, keep_columns = sheet.columns, sheet.rows, sheet.keep_columns
    ws.title = sheet.name[:31]  # Excel's limit for a sheet name
    bold = Font(bold=True)
    for c, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=c, value=column.header)
        cell.data_type = "s"
        cell.font, cell.fill = bold, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for r, row in enumerate(rows, start=2):
        for c, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            _fill(ws.cell(row=r, column=c), column.kind, value)
    for c, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = _width(column, rows, c - 1)
    last = get_column_letter(max(len(columns), 1))
    ws.freeze_panes = f"{get_column_letter(keep_columns + 1)}2"
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    # Printed: A3 landscape, the header row and the first columns on every page (a ledger
    # is too wide for one page at a readable size).
    ws.print_title_rows = "1:1"
    if keep_columns:
        ws.print_title_cols = f"A:{get_column_letter(keep_columns)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.print_options.gridLines = True  # ruled, like the paper ledger


def _fill(cell: Cell, kind: Kind, value: Value) -> None:
    if value is None or value == "":
        return
    if kind is Kind.TEXT or isinstance(value, str):
        text = str(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
        cell.number_format = "@"
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True  # stays text when someone edits the cell in Excel
        return
    if kind is Kind.NUMBER:
        cell.value = value
        cell.number_format = _FORMATS[kind]
        return
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise ValueError("give spreadsheet times in local time without a time zone")
    cell.value = value.date() if kind is Kind.DATE and isinstance(value, datetime) else value
    cell.number_format = _FORMATS[kind]


def _width(column: Column, rows: Sequence[Sequence[Value]], index: int) -> float:
    if column.kind is Kind.DATE:
        longest = 11
    elif column.kind is Kind.DATETIME:
        longest = 18
    else:
        longest = max((_display_width(_text(row[index])) for row in rows), default=0)
    header = min(_display_width(column.header), 24)  # a long header wraps instead
    return float(min(max(longest, header, _MIN_WIDTH) + 2, _MAX_WIDTH))


def _text(value: Value) -> str:
    return "" if value is None else str(value)


def _display_width(text: str) -> int:
    longest_line = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest_line)


def write_csv(path: Path, columns: Sequence[Column], rows: Sequence[Sequence[Value]]) -> None:
    with open_private(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.header for column in columns])
        for row in rows:
            writer.writerow(
                [_csv_cell(column.kind, value) for column, value in zip(columns, row, strict=True)]
            )


def _csv_cell(kind: Kind, value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.strftime(_TEXT_FORMS.get(kind, _TEXT_FORMS[Kind.DATETIME]))
    return "'" + value if value.startswith(_FORMULA_START) else value
