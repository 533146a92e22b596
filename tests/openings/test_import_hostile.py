"""Hostile or broken import files: every bad row is refused with its row number and reason,
nothing crashes, nothing half-imports, and files of any size are read with bounded memory."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from core.openings.importing import import_openings
from core.openings.models import Opening
from core.openings.rows import UnreadableFile, read_bytes, read_rows
from core.runtime import Runtime
from tests.openings.conftest import HEADER, NOW, ROWS


def _refs(runtime: Runtime) -> list[str]:
    with runtime.db.transaction() as session:
        return sorted(o.ref for o in session.exec(select(Opening)))


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("salary_min", str(2**63), "salary_min: must be at most"),
        ("salary_max", "9" * 30, "salary_max: must be at most"),
        ("headcount", str(2**31), "headcount: must be at most"),
        ("expires_at", "9999-12-31", "expires_at: year must be between"),
        ("posted_at", "0001-01-01", "posted_at: year must be between"),
        ("posted_at", "0001-01-01T00:00:00+14:00", "posted_at: year must be between"),
        ("title", "保安\x00", "title contains a NUL character"),
        ("contact", "0531\x00", "contact contains a NUL character"),
        ("tags", "x" * 2000, "tags is longer than"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_out_of_range_values_are_row_errors_and_skip_invalid_stores_the_rest(
    runtime: Runtime, write_csv: Callable[..., Path], column: str, value: str, reason: str
) -> None:
    rows = [list(r) for r in ROWS]
    rows[2][HEADER.index(column)] = value
    refused = import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    assert not refused.applied and [(e.row, reason in e.reason) for e in refused.errors] == [
        (3, True)
    ], refused.errors
    assert _refs(runtime) == []
    kept = import_openings(
        runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW, skip_invalid=True
    )
    assert kept.applied and kept.created == 3
    assert _refs(runtime) == ["A-1", "A-2", "A-4"]


def test_csv_field_over_the_limit_is_a_row_error_and_the_next_rows_still_count(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][HEADER.index("description")] = "长" * 131_073
    report = import_openings(
        runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW, skip_invalid=True
    )
    assert [(e.row, "longer than" in e.reason) for e in report.errors] == [(2, True)]
    assert _refs(runtime) == ["A-1", "A-3", "A-4"]


def test_a_line_far_over_the_limit_is_refused_without_reading_it_whole(
    runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(HEADER) + "\n")
        handle.write(",".join(ROWS[0]) + "\n")
        handle.write("B-1,保洁," + "x," * 2_000_000 + "\n")
        handle.write(",".join(ROWS[1]) + "\n")
    report = import_openings(
        runtime.db, runtime.content, read_rows(path), now=NOW, skip_invalid=True
    )
    assert [e.row for e in report.errors] == [2] and "longer than" in report.errors[0].reason
    assert _refs(runtime) == ["A-1", "A-2"]


def test_json_nested_deep_is_a_row_error_not_a_crash(runtime: Runtime) -> None:
    good = dict(zip(HEADER, ROWS[0], strict=True))
    deep = "[" * 100_000 + "]" * 100_000
    body = f'[{json.dumps(good)}, {{"id": "D-1", "title": {deep}}}]'.encode()
    report = import_openings(runtime.db, runtime.content, read_bytes(body, "json"), now=NOW)
    assert not report.applied and [e.row for e in report.errors] == [2]
    assert "nested" in report.errors[0].reason
    assert _refs(runtime) == []


def test_deep_json_that_never_closes_is_unreadable_not_cut_short(runtime: Runtime) -> None:
    good = json.dumps(dict(zip(HEADER, ROWS[0], strict=True)))
    body = f"[{good}, {good.replace('A-1', 'A-2')}, " + "[" * 100_000
    with pytest.raises(UnreadableFile, match="never closed"):
        import_openings(runtime.db, runtime.content, read_bytes(body.encode(), "json"), now=NOW)
    assert _refs(runtime) == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"a": 1}, "title must be text or a number"),
        ("\ud800保安", "title is not valid Unicode"),
    ],
)
def test_json_values_that_are_not_text_are_row_errors(
    runtime: Runtime, value: object, reason: str
) -> None:
    rows = [dict(zip(HEADER, ROWS[0], strict=True)), {**dict(zip(HEADER, ROWS[1], strict=True))}]
    rows[1]["title"] = value
    body = json.dumps(rows).encode()
    report = import_openings(runtime.db, runtime.content, read_bytes(body, "json"), now=NOW)
    assert [(e.row, reason in e.reason) for e in report.errors] == [(2, True)], report.errors


def test_json_too_big_to_hold_is_refused_with_advice(tmp_path: Path) -> None:
    from core.openings import rows as rows_module

    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b" " * (rows_module.MAX_JSON_BYTES + 1) + b"]")
    with pytest.raises(UnreadableFile, match="CSV"):
        list(read_rows(path))


def _understated_xlsx(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    lying = tmp_path / "lying.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(lying, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<dimension ref=")
                end = text.index("/>", start) + 2
                data = (text[:start] + '<dimension ref="A1:D2"/>' + text[end:]).encode()
            dst.writestr(item, data)
    return lying


def test_xlsx_whose_dimension_understates_its_rows_imports_every_row(
    runtime: Runtime, tmp_path: Path
) -> None:
    report = import_openings(
        runtime.db, runtime.content, read_rows(_understated_xlsx(tmp_path)), now=NOW
    )
    assert report.applied and report.created == 4
    with runtime.db.transaction() as session:
        first = session.exec(select(Opening).where(Opening.ref == "A-1")).one()
    assert first.contact == "0531-00000000" and first.posted_at is not None
