"""The shared spreadsheet writer every ledger uses."""

from __future__ import annotations

import csv
import stat
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.exports.sheets import Column, Kind, Sheet, write, write_book

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


def test_a_book_holds_several_sheets_styled_alike_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"")
    path.chmod(0o644)  # an older export left readable: rewriting it makes it private
    counts = (Column("服务"), Column("预约", Kind.NUMBER))
    write_book(
        path,
        [
            Sheet("ledger", COLUMNS, ROWS, keep_columns=1),
            Sheet("summary", counts, [("职业指导", 3), ("政策咨询", 0)]),
        ],
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    book = load_workbook(path)
    assert book.sheetnames == ["ledger", "summary"]
    ledger, summary = book["ledger"], book["summary"]
    assert ledger.freeze_panes == "B2" and summary.freeze_panes == "A2"
    assert all(cell.font.bold for sheet in (ledger, summary) for cell in sheet[1])
    assert ledger["B2"].value == "=1+2" and ledger["B2"].data_type == "s"
    assert [(c.value, c.data_type) for c in summary[3]] == [("政策咨询", "s"), (0, "n")]
    assert summary.column_dimensions["A"].width == 10  # 4 wide characters, plus margin


def test_a_book_is_xlsx_only_and_not_empty(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"workbook is \.xlsx"):
        write_book(tmp_path / "t.csv", [Sheet("sheet", COLUMNS, ROWS)])
    with pytest.raises(ValueError, match="at least one sheet"):
        write_book(tmp_path / "t.xlsx", [])
    assert not (tmp_path / "t.csv").exists() and not (tmp_path / "t.xlsx").exists()
