"""The ledger's time columns and summary shares, on a fixed clock."""

from __future__ import annotations

from datetime import date, datetime

from core.complaints import handling
from core.complaints.ledger import COLUMNS, Period, build
from core.people.staff import view
from core.registration.workflow import Env
from core.runtime import Runtime
from core.storage.models import Staff
from core.timeutil import SHANGHAI
from tests.complaints.conftest import Clock, Member, file_complaint, tickets
from tests.talk import Talk

MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)


def test_late_and_in_time_tickets_are_told_apart(
    runtime: Runtime, resident: Talk, street: Member, clock: Clock
) -> None:
    file_complaint(resident, text="第一件")
    file_complaint(resident, text="第二件")
    first, second = (t.id or 0 for t in tickets(runtime))
    with runtime.db.transaction() as session:
        staff = session.get(Staff, street.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, clock.now)
        handling.answer(env, view(staff), first, "已收到", date(2026, 12, 4))
        handling.answer(env, view(staff), second, "已收到", date(2026, 12, 4))
        handling.close(env, view(staff), first, "已办结")
    with runtime.db.transaction() as session:
        env = Env(session, runtime.content, runtime.vault, MONDAY)
        period = Period(date(2026, 12, 1), date(2026, 12, 31))
        ledger = build(env, "370102001000", period, unmasked=False, lang="zh-CN", actor="test")
    within = COLUMNS.index("within_time")
    same_day = COLUMNS.index("same_day")
    assert [row[within] for row in ledger.rows] == ["是", "否"]  # the second is past due, open
    assert [row[same_day] for row in ledger.rows] == ["是", "是"]
    summary = dict(ledger.summary)
    assert summary["按时办结比例"] == "1/1 (100.0%)"  # over closed tickets
    assert summary["当日回音比例"] == "2/2 (100.0%)"
