"""The shared spreadsheet writer every ledger uses."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.exports.sheets import Column, Kind, write

COLUMNS = (Column("编号"), Column("内容"), Column("日期", Kind.DATE), Column("时间", Kind.DATETIME))
ROWS = [("0012", "=1+2", date(2026, 11, 30), datetime(2026, 11, 30, 9, 5))]


def test_xlsx_keeps_text_as_text_and_dates_as_dates(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    write(path, "sheet", COLUMNS, ROWS)
    sheet = load_workbook(path).active
    assert sheet is not None
    number, formula, day, moment = sheet[2]
    assert number.value == "0012" and number.data_type == "s"
    assert formula.value == "=1+2" and formula.data_type == "s" and formula.quotePrefix
    assert day.value == datetime(2026, 11, 30) and day.number_format == "yyyy-mm-dd"
    assert moment.value == datetime(2026, 11, 30, 9, 5)


def test_csv_defuses_formulas_with_an_apostrophe(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    write(path, "sheet", COLUMNS, ROWS)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        (header, row) = list(csv.reader(handle))
    assert header == ["编号", "内容", "日期", "时间"]
    assert row == ["0012", "'=1+2", "2026-11-30", "2026-11-30 09:05"]


def test_times_with_a_zone_and_unknown_formats_are_refused(tmp_path: Path) -> None:
    aware = [("1", "x", None, datetime(2026, 11, 30, 1, 0, tzinfo=UTC))]
    with pytest.raises(ValueError, match="local time"):
        write(tmp_path / "t.xlsx", "sheet", COLUMNS, aware)
    with pytest.raises(ValueError, match="unsupported"):
        write(tmp_path / "t.pdf", "sheet", COLUMNS, ROWS)
