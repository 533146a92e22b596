"""Time limits in working days: reminders before, escalation after, each push written once."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.delivery.scheduler import tick
from core.people.staff import view
from core.registration.cases import pending
from core.registration.models import Registration
from core.registration.notify import due_text
from core.registration.routing import deadlines
from core.registration.rules import rules_for
from core.registration.sla import RegistrationDeadlines
from core.registration.workflow import Env
from core.runtime import Runtime
from core.storage.models import Staff
from core.timeutil import SHANGHAI
from tests.registration.conftest import latest, submit_job_seeker, submit_unemployed
from tests.registration.helpers import StaffChat, pushes
from tests.talk import Talk

JOBS = [RegistrationDeadlines()]


def _tick(runtime: Runtime, now: datetime) -> int:
    return tick(runtime.db, runtime.content, runtime.vault, JOBS, now).written[JOBS[0].name]


def test_limits_count_working_days_with_the_national_calendar(runtime: Runtime) -> None:
    rules = rules_for(runtime.content)
    friday = datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    reg = Registration(kind="unemployed", status="submitted", review_levels=2)
    limits = deadlines(runtime.content.worktime, rules, reg, friday)
    # 1 working day: Sunday 28 September 2025 is a make-up working day (调休).
    assert limits.due_at == datetime(2025, 9, 28, 17, 30, tzinfo=SHANGHAI)  # hall closes
    accepted = Registration(kind="job_seeker", status="accepted", review_levels=2)
    limits = deadlines(runtime.content.worktime, rules, accepted, limits.due_at)
    # 3 working days across the National Day holiday (1–8 October).
    assert limits.due_at == datetime(2025, 10, 9, 17, 30, tzinfo=SHANGHAI)
    assert limits.remind_at == datetime(2025, 9, 30, 17, 30, tzinfo=SHANGHAI)


def test_short_step_reminds_on_the_morning_of_the_due_day(runtime: Runtime) -> None:
    rules = rules_for(runtime.content)
    monday = datetime(2025, 11, 24, 15, 0, tzinfo=SHANGHAI)
    reg = Registration(kind="unemployed", status="submitted", review_levels=2)
    limits = deadlines(runtime.content.worktime, rules, reg, monday)
    assert limits.due_at == datetime(2025, 11, 25, 17, 30, tzinfo=SHANGHAI)
    assert limits.remind_at == datetime(2025, 11, 25, 9, 0, tzinfo=SHANGHAI)


def test_reminder_goes_once_to_the_community_before_the_deadline(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_job_seeker(resident)
    reg = latest(runtime)
    assert reg.remind_at is not None and reg.due_at is not None
    assert _tick(runtime, reg.remind_at - timedelta(seconds=1)) == 0
    assert _tick(runtime, reg.remind_at + timedelta(seconds=1)) == 1
    assert _tick(runtime, reg.remind_at + timedelta(seconds=2)) == 0
    assert pushes(runtime, community.talk.user) == [
        "staff_tasks.push.new",
        "staff_tasks.push.reminder",
    ]
    assert pushes(runtime, street.talk.user) == []


def test_overdue_step_escalates_to_the_street_once_per_working_day(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_unemployed(resident)
    reg = latest(runtime)
    assert reg.due_at is not None
    late = reg.due_at + timedelta(seconds=1)
    assert _tick(runtime, late) == 2  # the community and the street
    assert _tick(runtime, late + timedelta(seconds=5)) == 0
    next_day = runtime.content.worktime.add_workdays(late, 1)
    assert _tick(runtime, next_day) == 2
    assert pushes(runtime, street.talk.user) == ["staff_tasks.push.overdue"] * 2
    assert pushes(runtime, community.talk.user)[-1] == "staff_tasks.push.overdue"
    with runtime.db.transaction() as session:
        env = Env(session, runtime.content, runtime.vault, late)
        member = view(session.get(Staff, street.staff_id))  # type: ignore[arg-type]
        (line,) = pending(env, member)
        on_time = pending(Env(session, runtime.content, runtime.vault, reg.submitted_at), member)
    assert line.overdue and on_time == []  # the street sees community items once overdue


def test_handled_registrations_are_not_chased(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_unemployed(resident)
    community.talk.send("待办")
    community.talk.send("1")
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    reg = latest(runtime)
    assert reg.status == "accepted" and reg.due_at is not None
    _tick(runtime, reg.due_at - timedelta(seconds=1))
    before = pushes(runtime, community.talk.user)
    _tick(runtime, reg.due_at + timedelta(seconds=1))
    assert pushes(runtime, community.talk.user) == before
    assert pushes(runtime, street.talk.user)[-1] == "staff_tasks.push.overdue"


def test_a_step_begun_before_opening_is_due_at_closing_time_and_says_so(
    runtime: Runtime,
) -> None:
    rules = rules_for(runtime.content)
    early = datetime(2025, 11, 24, 7, 30, tzinfo=SHANGHAI)  # Monday, before the hall opens
    reg = Registration(id=7, kind="job_seeker", status="submitted", review_levels=2)
    limits = deadlines(runtime.content.worktime, rules, reg, early)
    assert limits.due_at == datetime(2025, 11, 26, 17, 30, tzinfo=SHANGHAI)
    reg.due_at = limits.due_at
    shown = runtime.content.catalog.text(due_text(runtime.content.worktime, reg.due_at), "zh-CN")
    assert shown == "2025-11-26（周三）下班前"
