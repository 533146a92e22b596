"""Importing openings: all-or-nothing by default, idempotent, with row numbers for errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import col, select

from core.openings.importing import import_openings
from core.openings.models import Opening
from core.openings.rows import UnreadableFile, read_rows
from core.openings.store import ImportReport
from core.runtime import Runtime
from core.storage.models import AuditEntry
from tests.openings.conftest import HEADER, NOW, ROWS


def _refs(runtime: Runtime) -> list[str]:
    with runtime.db.transaction() as session:
        return sorted(o.ref for o in session.exec(select(Opening)))


def test_import_stores_every_valid_row(runtime: Runtime, imported: ImportReport) -> None:
    assert imported.applied and imported.created == 4
    assert _refs(runtime) == ["A-1", "A-2", "A-3", "A-4"]
    with runtime.db.transaction() as session:
        street = session.exec(select(Opening).where(Opening.ref == "A-3")).one()
    assert street.area_code == "370102001000" and street.tags == ["灵活就业"]


def test_reimporting_the_same_file_changes_nothing(
    runtime: Runtime, imported: ImportReport, write_csv: Callable[..., Path]
) -> None:
    again = import_openings(runtime.db, runtime.content, read_rows(write_csv(ROWS)), now=NOW)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 4


def test_changed_row_is_updated_by_ref(
    runtime: Runtime, imported: ImportReport, write_csv: Callable[..., Path]
) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][5] = "4800"
    report = import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    assert report.updated == 1 and report.unchanged == 3
    with runtime.db.transaction() as session:
        changed = session.exec(select(Opening).where(Opening.ref == "A-1")).one()
    assert changed.salary_max == 4800


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("title", "", "title is empty"),
        ("area", "火星区", "not in the area list"),
        ("salary_min", "abc", "not a whole number"),
        ("salary_min", "9000", "greater than salary_max"),
        ("headcount", "-2", "must not be negative"),
        ("expires_at", "2026-02-30", "not a real date"),
        ("posted_at", "next week", "not a date"),
    ],
)
def test_invalid_row_is_reported_and_nothing_is_imported(
    runtime: Runtime, write_csv: Callable[..., Path], column: str, value: str, reason: str
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][HEADER.index(column)] = value
    report = import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    assert not report.applied and report.errors[0].row == 2
    assert reason in report.errors[0].reason
    assert _refs(runtime) == []


def test_skip_invalid_imports_the_rest(runtime: Runtime, write_csv: Callable[..., Path]) -> None:
    rows = [list(r) for r in ROWS] + [["", "无编号", "某单位", "历下区"] + [""] * 8]
    report = import_openings(
        runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW, skip_invalid=True
    )
    assert report.applied and len(report.errors) == 1 and report.errors[0].row == 5
    assert _refs(runtime) == ["A-1", "A-2", "A-3", "A-4"]


def test_repeated_id_in_one_file_is_an_error(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    report = import_openings(
        runtime.db, runtime.content, read_rows(write_csv([ROWS[0], ROWS[0]])), now=NOW
    )
    assert "repeats row 1" in report.errors[0].reason and not report.applied


def test_missing_required_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,title\n1,保安\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="employer, area"):
        list(read_rows(path))


def test_xlsx_and_json_import_like_csv(runtime: Runtime, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(ROWS[0])
    book.save(tmp_path / "o.xlsx")
    json_rows = [dict(zip(HEADER, ROWS[1], strict=True))]
    (tmp_path / "o.json").write_text(json.dumps(json_rows, ensure_ascii=False), encoding="utf-8")
    for name in ("o.xlsx", "o.json"):
        report = import_openings(runtime.db, runtime.content, read_rows(tmp_path / name), now=NOW)
        assert report.applied and report.created == 1
    assert _refs(runtime) == ["A-1", "A-2"]


def test_cli_import_prints_row_numbers_and_exit_code(
    runtime: Runtime, write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bots.cli import app
    from core.settings import get_settings

    monkeypatch.setenv("JOBBOT_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("JOBBOT_SECRET_KEY", "cli-test-secret-" + "y" * 32)
    monkeypatch.setenv("JOBBOT_VAR_DIR", str(runtime.settings.var_dir))
    if runtime.db.schema:
        pytest.skip("the CLI cannot address a throw-away PostgreSQL schema")
    get_settings.cache_clear()
    rows = [list(r) for r in ROWS]
    rows[1][1] = ""
    bad = CliRunner().invoke(app, ["openings", "import", str(write_csv(rows))])
    assert bad.exit_code == 1 and "row 2: title is empty" in bad.output
    good = CliRunner().invoke(app, ["openings", "import", "--skip-invalid", str(write_csv(rows))])
    assert good.exit_code == 0 and "3 added" in good.output
    get_settings.cache_clear()
    with runtime.db.transaction() as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    assert [(e.action, e.channel) for e in entries] == [
        ("openings.import_refused", "cli"),
        ("openings.import", "cli"),
    ]
    assert entries[1].actor.startswith("cli:") and "added=3 [A-1, A-3, A-4]" in entries[1].detail
