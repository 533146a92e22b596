"""The booking ledger as XLSX, and a whole booking walked through `jobbot chat --script`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from bots.cli import app
from core.runtime import Runtime
from tests.booking.conftest import COMMUNITY_OFFICE, Clock, book_guidance
from tests.cli import invoke_ok, runner
from tests.registration.helpers import STREET, StaffChat
from tests.talk import Talk


def test_booking_ledger_counts_served_no_show_cancelled_per_service(
    runtime: Runtime, clock: Clock, community: StaffChat, tmp_path: Path
) -> None:
    today = clock.now.date()
    for user in ("a", "b"):
        book_guidance(
            Talk(runtime, user=user),
            office=COMMUNITY_OFFICE,
            day=today,
            start="14:00" if user == "a" else "15:00",
            name="欧阳娜娜",
        )
    cancelled = Talk(runtime, user="c")
    book_guidance(cancelled, office=COMMUNITY_OFFICE, day=today, start="16:00", name="张三丰")
    cancelled.send("我的预约")
    cancelled.send(choice=cancelled.options()[0])
    cancelled.send(choice="b:x")
    cancelled.send(choice="b:x:y")
    clock.now = clock.now.replace(hour=14, minute=5)
    staff = community.talk
    staff.send("今日预约")
    staff.send("叫号")
    staff.send(choice="b:done")
    staff.send("=SUM(A1)")
    staff.send("叫号")
    staff.send(choice="b:noshow")

    from core.booking.ledger import build, write

    out = tmp_path / "bookings.xlsx"
    with runtime.db.transaction() as session:
        ledger = build(
            session,
            runtime.content,
            runtime.vault,
            area=STREET,
            start=today,
            end=today,
            lang="zh-CN",
            actor="test",
        )
        write(ledger, out)
    book = load_workbook(out)
    sheet = book["bookings"]
    assert sheet.freeze_panes == "B2" and sheet["A1"].font.bold  # header and number stay
    assert sheet.column_dimensions["D"].width >= 30
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["预约号", "排队号", "服务"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    assert all(isinstance(r[4], datetime) and r[4].date() == today for r in rows)  # real dates
    assert "欧阳娜娜" not in str(rows) and rows[0][6].startswith("欧")
    note = sheet.cell(row=2, column=11)  # typed text, not a formula, no apostrophe shown
    assert (note.value, note.data_type, note.quotePrefix) == ("=SUM(A1)", "s", True)
    assert rows[2][6].startswith("张")  # masked
    summary = list(book["summary"].iter_rows(values_only=True))
    assert summary[1] == ("职业指导", 3, 1, 1, 1)


def test_ledger_command_refuses_bad_dates_and_writes_xlsx(cli_env: Path) -> None:
    invoke_ok("db", "upgrade")
    out = cli_env / "b.xlsx"
    bad = runner.invoke(
        app,
        [
            "ledger",
            "bookings",
            "--area",
            STREET,
            "--from",
            "2026-13-01",
            "--to",
            "2026-12-31",
            "--out",
            str(out),
        ],
    )
    assert bad.exit_code == 2 and "not a date" in bad.output
    backwards = runner.invoke(
        app,
        [
            "ledger",
            "bookings",
            "--area",
            STREET,
            "--from",
            "2026-12-31",
            "--to",
            "2026-12-01",
            "--out",
            str(out),
        ],
    )
    assert backwards.exit_code == 2
    shown = invoke_ok(
        "ledger",
        "bookings",
        "--area",
        STREET,
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--out",
        str(out),
    )
    assert "Wrote 0 bookings" in shown and out.exists()
    assert load_workbook(out)["summary"]["A1"].value == "服务"


def test_booking_walked_through_jobbot_chat(cli_env: Path) -> None:
    invoke_ok("db", "upgrade")
    script = cli_env / "book.txt"
    # 预约 → 职业指导 → the community desk → the first free half-day → its first slot →
    # name → skip → confirm; then 我的 shows it.
    script.write_text("预约\n1\n2\n1\n1\n张三\n1\n1\n我的\n", encoding="utf-8")
    output = invoke_ok("chat", "--script", str(script))
    assert "预约成功" in output and "排队号：A001" in output
    assert "我的预约：" in output and "解放桥社区党群服务中心就业服务站" in output
