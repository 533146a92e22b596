"""The complaint clocks on a fixed calendar: cut-off, weekend, public holiday, 调休 Saturday."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.complaints import clocks
from core.complaints.rules import rules_for
from core.runtime import Runtime
from core.timeutil import SHANGHAI


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Thursday before the 16:00 cut-off: the same day, by closing time.
        ("2026-12-03 10:00", "2026-12-03 17:30"),
        ("2026-12-03 15:59", "2026-12-03 17:30"),
        # At or after the cut-off: noon of the next working day.
        ("2026-12-03 16:00", "2026-12-04 12:00"),
        ("2026-12-03 21:40", "2026-12-04 12:00"),
        # Friday after the cut-off and the weekend: Monday noon.
        ("2026-12-04 16:30", "2026-12-07 12:00"),
        ("2026-12-05 09:00", "2026-12-07 12:00"),
        ("2026-12-06 23:59", "2026-12-07 12:00"),
        # Before opening on a working day still counts as that day.
        ("2026-12-07 06:30", "2026-12-07 17:30"),
        # National Day (1–7 October 2026): noon of Thursday 8 October.
        ("2026-10-01 10:00", "2026-10-08 12:00"),
        ("2026-09-30 17:00", "2026-10-08 12:00"),
        # 调休: Saturday 14 February 2026 is a working day.
        ("2026-02-14 09:30", "2026-02-14 17:30"),
        ("2026-02-13 16:45", "2026-02-14 12:00"),
    ],
)
def test_first_answer_is_due_the_same_working_day_or_next_noon(
    runtime: Runtime, received: str, due: str
) -> None:
    rules = rules_for(runtime.content)
    assert clocks.first_answer_due(runtime.content.worktime, rules, at(received)) == at(due)


def test_handling_deadline_counts_working_days_across_a_holiday(runtime: Runtime) -> None:
    rules = rules_for(runtime.content)
    worktime = runtime.content.worktime
    # 15 working days from Thursday 24 September 2026 skip 中秋节 (Friday 25 September)
    # and National Day (1–7 October), and count Saturday 10 October (调休).
    assert clocks.latest_due(worktime, rules, at("2026-09-24 11:00")) == date(2026, 10, 22)
    assert clocks.latest_due(worktime, rules, at("2026-12-03 10:00")) == date(2026, 12, 24)
    assert clocks.latest_extension(worktime, rules, at("2026-12-03 17:30")) == date(2026, 12, 17)


def test_reminders_come_before_each_deadline(runtime: Runtime) -> None:
    rules = rules_for(runtime.content)
    worktime = runtime.content.worktime
    due = at("2026-12-03 17:30")
    assert clocks.first_answer_reminder(rules, at("2026-12-03 10:00"), due) == at(
        "2026-12-03 15:30"
    )
    # Filed after the reminder time: the new-ticket push is the reminder.
    assert clocks.first_answer_reminder(rules, at("2026-12-03 15:45"), due) is None
    # One working day ahead, at opening time; Monday's deadline is reminded on Friday.
    answered = at("2026-12-03 11:00")
    assert clocks.handling_reminder(worktime, rules, answered, at("2026-12-14 17:30")) == at(
        "2026-12-11 09:00"
    )
    # A deadline the next day whose reminder time has passed: the due day's opening.
    assert clocks.handling_reminder(
        worktime, rules, at("2026-12-03 11:00"), at("2026-12-04 17:30")
    ) == at("2026-12-04 09:00")
