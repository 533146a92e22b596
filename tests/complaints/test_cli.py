"""From the terminal: a scripted complaint, the complaints ledger (XLSX) and the appraisal."""

from __future__ import annotations

import stat
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from bots.cli import app
from core.complaints import handling
from core.complaints.models import ComplaintTicket
from core.people.staff import view
from core.registration.workflow import Env
from core.runtime import build_runtime
from core.settings import get_settings
from core.storage.models import AuditEntry, Staff
from core.timeutil import local, utcnow
from tests.cli import invoke_ok, runner

SCRIPT = """# a resident complains about a named street member, by numbers as on WeChat
投诉建议
1
1
解放桥社区
1
2
李建国
窗口工作人员态度恶劣，拒绝解释政策。
1
2
139 1234 5678
1
我的
"""


@pytest.fixture
def cli_ready(cli_env: Path) -> Path:
    invoke_ok("db", "upgrade")
    invoke_ok(
        "staff",
        "add",
        "--username",
        "jfl-li",
        "--name",
        "李建国",
        "--role",
        "street",
        "--area",
        "370102001000",
    )
    invoke_ok(
        "staff",
        "add",
        "--username",
        "lx-zhao",
        "--name",
        "赵主任",
        "--role",
        "admin",
        "--area",
        "370102000000",
    )
    return cli_env


def _complain(tmp: Path, user: str = "zhang") -> str:
    script = tmp / "complain.txt"
    script.write_text(SCRIPT, encoding="utf-8")
    return invoke_ok("chat", "--user", user, "--script", str(script))


def _verify_all(finding: str = "verified") -> None:
    """The level above answers, finds and closes every open ticket (as by chat or API)."""
    rt = build_runtime(get_settings())
    with rt.db.transaction() as session:
        admin = session.exec(select(Staff).where(Staff.username == "lx-zhao")).one()
        env = Env(session, rt.content, rt.vault, utcnow())
        due = rt.content.worktime.add_workdays(utcnow(), 3).date()
        waiting = select(ComplaintTicket).where(ComplaintTicket.status == "received")
        for ticket in session.exec(waiting.order_by(col(ComplaintTicket.id))):
            assert ticket.id is not None
            handling.answer(env, view(admin), ticket.id, "已收到", due)
            handling.mark(env, view(admin), ticket.id, finding)
            handling.close(env, view(admin), ticket.id, "已批评教育")
            ticket.rating = "satisfied"
    rt.close()


def _today() -> str:
    return local(utcnow()).date().isoformat()


def test_scripted_chat_files_a_complaint_and_lists_it(cli_ready: Path) -> None:
    output = _complain(cli_ready)
    assert "已找到工作人员 李*国" in output
    assert "编号 TS-" in output and "我的投诉建议" in output
    replies = [line for line in output.splitlines() if line.startswith("bot:")]
    assert not any("13912345678" in line for line in replies)


def test_ledger_is_masked_with_a_summary_sheet(cli_ready: Path) -> None:
    _complain(cli_ready)
    _verify_all()
    out = cli_ready / "complaints.xlsx"
    said = invoke_ok(
        "ledger",
        "complaints",
        "--area",
        "370102001000",
        "--from",
        _today(),
        "--to",
        _today(),
        "--out",
        str(out),
    )
    assert "1 tickets (masked)" in said
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # masked, still names and areas
    book = load_workbook(out)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert str(record["编号"]).startswith("TS-")
    assert (record["类型"], record["认定"], record["评价"]) == ("投诉", "查实", "满意")
    assert record["联系方式"] == "139****5678" and record["涉及人员"] == "李*国"
    assert record["当日回音"] == "是" and record["按时办结"] == "是"
    assert isinstance(record["受理时间"], datetime)  # a real date, sortable
    assert book.worksheets[0].freeze_panes == "B2" and book.worksheets[1]["A1"].font.bold
    summary = dict(book.worksheets[1].iter_rows(values_only=True))
    assert summary["件数"] == "1"
    assert summary["当日回音比例"] == "1/1 (100.0%)"
    assert summary["满意率（满意+基本满意）"] == "1/1 (100.0%)"


def test_unmasked_ledger_is_audited_and_private(cli_ready: Path) -> None:
    _complain(cli_ready)
    out = cli_ready / "full.xlsx"
    invoke_ok(
        "ledger", "complaints", "--area", "370102000000", "--from", _today(), "--to", _today(),
        "--out", str(out), "--unmasked", "--lang", "en",
    )  # fmt: skip
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = list(load_workbook(out).worksheets[0].iter_rows(values_only=True))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["Contact"], record["Staff concerned"]) == ("13912345678", "李建国")
    rt = build_runtime(get_settings())
    with rt.db.transaction() as session:
        found = session.exec(
            select(AuditEntry).where(AuditEntry.action == "ledger.complaints_unmasked")
        ).all()
    rt.close()
    assert len(found) == 1


def test_ledger_refuses_bad_arguments(cli_ready: Path) -> None:
    out = str(cli_ready / "x.xlsx")
    for args in (
        ["--from", "2026-13-01", "--to", "2026-12-31", "--out", out],
        ["--from", "2026-12-31", "--to", "2026-12-01", "--out", out],
        ["--from", "2026-12-01", "--to", "2026-12-31", "--out", str(cli_ready / "x.csv")],
    ):
        result = runner.invoke(app, ["ledger", "complaints", "--area", "370102001000", *args])
        assert result.exit_code == 2, result.output
    result = runner.invoke(
        app,
        [
            "ledger",
            "complaints",
            "--area",
            "999",
            "--from",
            "2026-12-01",
            "--to",
            "2026-12-02",
            "--out",
            out,
        ],
    )
    assert result.exit_code == 2


def test_appraisal_flags_three_verified_complaints(cli_ready: Path) -> None:
    for user in ("a", "b"):
        _complain(cli_ready, user)
    year = str(local(utcnow()).year)
    _verify_all()
    below = invoke_ok("staff", "appraisal", "--year", year)
    line = next(x for x in below.splitlines() if "jfl-li" in x)
    assert "verified=2" in line and "不称职=no" in line
    _complain(cli_ready, "c")
    _verify_all()
    flagged = invoke_ok("staff", "appraisal", "--year", year, "--area", "370102001000")
    line = next(x for x in flagged.splitlines() if "jfl-li" in x)
    assert "verified=3" in line and "不称职=YES" in line
    assert "lx-zhao" not in flagged  # outside the street asked for
    admin = next(x for x in below.splitlines() if "lx-zhao" in x)
    assert "handled: satisfied=2" in admin
    other_year = invoke_ok("staff", "appraisal", "--year", str(int(year) - 1))
    assert "YES" not in other_year and "verified=0" in other_year


def test_ledgers_take_an_area_by_the_name_the_bot_shows(cli_ready: Path) -> None:
    _complain(cli_ready)
    out = cli_ready / "named.xlsx"
    for ledger in ("complaints", "bookings"):
        invoke_ok(
            "ledger", ledger, "--area", "解放路街道", "--from", _today(), "--to", _today(),
            "--out", str(out),
        )  # fmt: skip
        assert out.exists()
        out.unlink()
    ambiguous = runner.invoke(
        app,
        ["ledger", "complaints", "--area", "市中区", "--from", _today(), "--to", _today(),
         "--out", str(out)],
    )  # fmt: skip
    assert ambiguous.exit_code == 2 and "370103000000" in ambiguous.output
    assert not out.exists()
