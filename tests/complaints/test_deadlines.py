"""Reminders before each deadline and escalation after it, on a fixed clock, each once."""

from __future__ import annotations

from datetime import date, datetime

from core.complaints import handling
from core.complaints.sla import ComplaintDeadlines
from core.delivery.scheduler import tick
from core.people.staff import view
from core.registration.workflow import Env
from core.runtime import Runtime
from core.storage.models import Staff
from core.timeutil import SHANGHAI
from tests.complaints.conftest import Clock, Member, file_complaint, latest
from tests.registration.helpers import pushes
from tests.talk import Talk

JOBS = [ComplaintDeadlines()]


def _tick(runtime: Runtime, when: str) -> int:
    now = datetime.fromisoformat(when).replace(tzinfo=SHANGHAI)
    return tick(runtime.db, runtime.content, runtime.vault, JOBS, now).written[JOBS[0].name]


def test_first_answer_reminder_then_daily_escalation_on_working_days(
    runtime: Runtime, resident: Talk, street: Member, admin: Member, clock: Clock
) -> None:
    clock.now = datetime(2026, 12, 4, 15, 0, tzinfo=SHANGHAI)  # Friday, due 17:30
    file_complaint(resident)
    assert _tick(runtime, "2026-12-04 15:29") == 0
    assert _tick(runtime, "2026-12-04 15:31") == 1  # the street member
    assert _tick(runtime, "2026-12-04 16:00") == 0
    assert pushes(runtime, street.talk.user)[-1] == "complaints.push.remind_answer"
    assert _tick(runtime, "2026-12-04 17:31") == 2  # the street and the level above
    assert _tick(runtime, "2026-12-04 20:00") == 0  # once per working day
    assert _tick(runtime, "2026-12-05 10:00") == 0  # Saturday
    assert _tick(runtime, "2026-12-06 10:00") == 0  # Sunday
    assert _tick(runtime, "2026-12-07 08:00") == 2  # Monday
    assert pushes(runtime, admin.talk.user)[-2:] == ["complaints.push.overdue_answer"] * 2


def test_escalation_skips_a_public_holiday_and_runs_on_a_make_up_saturday(
    runtime: Runtime, resident: Talk, street: Member, admin: Member, clock: Clock
) -> None:
    clock.now = datetime(2026, 2, 13, 16, 30, tzinfo=SHANGHAI)  # Friday after the cut-off
    file_complaint(resident)
    assert latest(runtime).answer_due_at == datetime(2026, 2, 14, 12, 0, tzinfo=SHANGHAI)
    assert _tick(runtime, "2026-02-14 10:01") == 1  # 调休 Saturday: reminded 2 h ahead
    assert _tick(runtime, "2026-02-14 12:01") == 2  # … and escalated at noon
    assert _tick(runtime, "2026-02-15 09:00") == 0  # 春节: 15–23 February are days off
    assert _tick(runtime, "2026-02-20 09:00") == 0
    assert _tick(runtime, "2026-02-24 09:00") == 2


def test_handling_deadline_is_reminded_and_escalated_until_closed(
    runtime: Runtime, resident: Talk, street: Member, admin: Member, clock: Clock
) -> None:
    file_complaint(resident)
    ticket = latest(runtime)
    assert ticket.id is not None
    with runtime.db.transaction() as session:
        staff = session.get(Staff, street.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, clock.now)
        handling.answer(env, view(staff), ticket.id, "已收到", date(2026, 12, 14))
    # Answered: the first-answer clock is done, even past its time.
    assert _tick(runtime, "2026-12-03 18:00") == 0
    assert _tick(runtime, "2026-12-11 08:59") == 0
    assert _tick(runtime, "2026-12-11 09:00") == 1  # Friday: one working day before Monday
    assert _tick(runtime, "2026-12-14 17:31") == 2
    assert pushes(runtime, street.talk.user)[-2:] == [
        "complaints.push.remind_due",
        "complaints.push.overdue_due",
    ]
    with runtime.db.transaction() as session:
        staff = session.get(Staff, street.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, clock.now)
        handling.close(env, view(staff), ticket.id, "已办结")
    assert _tick(runtime, "2026-12-15 09:00") == 0


def test_an_extension_restarts_the_reminder(
    runtime: Runtime, resident: Talk, street: Member, clock: Clock
) -> None:
    file_complaint(resident)
    ticket = latest(runtime)
    assert ticket.id is not None
    with runtime.db.transaction() as session:
        staff = session.get(Staff, street.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, clock.now)
        handling.answer(env, view(staff), ticket.id, "已收到", date(2026, 12, 7))
    assert _tick(runtime, "2026-12-04 09:00") == 1
    clock.now = datetime(2026, 12, 4, 11, 0, tzinfo=SHANGHAI)
    with runtime.db.transaction() as session:
        staff = session.get(Staff, street.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, clock.now)
        handling.extend(env, view(staff), ticket.id, "需要调查", date(2026, 12, 11))
    assert _tick(runtime, "2026-12-07 18:00") == 0  # the old deadline no longer counts
    assert _tick(runtime, "2026-12-10 09:00") == 1
