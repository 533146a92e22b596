"""The complaint clocks as pure functions of the working calendar, the rules and a moment.

当日先有回音: a ticket received on a working day before the cut-off is answered by the
hall's closing time that day; after the cut-off or on a day off, by ``next_day_by`` of the
next working day. Handling deadlines are working dates chosen by staff, due at closing time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.complaints.rules import ComplaintRules
from core.content.worktime import WorkTime
from core.timeutil import SHANGHAI, local


def next_workday(worktime: WorkTime, day: date) -> date:
    nxt = day + timedelta(days=1)
    while not worktime.is_workday(nxt):
        nxt += timedelta(days=1)
    return nxt


def _at(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=SHANGHAI)


def closing(worktime: WorkTime, day: date) -> datetime:
    """When the hall closes on ``day`` (the end of its last opening span)."""
    return _at(day, worktime.hours[-1][1])


def first_answer_due(worktime: WorkTime, rules: ComplaintRules, received: datetime) -> datetime:
    moment = local(received)
    if worktime.is_workday(moment.date()) and moment.time() < rules.cutoff:
        return closing(worktime, moment.date())
    return _at(next_workday(worktime, moment.date()), rules.next_day_by)


def first_answer_reminder(
    rules: ComplaintRules, received: datetime, due: datetime
) -> datetime | None:
    """``remind_before_minutes`` ahead of the first-answer deadline; None when that is
    before the ticket arrived (the new-ticket push is the reminder then)."""
    if rules.first_remind_minutes <= 0:
        return None
    remind = due - timedelta(minutes=rules.first_remind_minutes)
    return remind if remind > received else None


def due_after(worktime: WorkTime, start: datetime, days: int) -> datetime:
    """Closing time of the working day ``days`` working days after ``start``."""
    return closing(worktime, worktime.add_workdays(start, days).date())


def latest_due(worktime: WorkTime, rules: ComplaintRules, answered: datetime) -> date:
    """The last working date a handling deadline may be set to."""
    return worktime.add_workdays(answered, rules.max_handling_days).date()


def latest_extension(worktime: WorkTime, rules: ComplaintRules, due: datetime) -> date:
    return worktime.add_workdays(due, rules.max_extension_days).date()


def workdays_before(worktime: WorkTime, day: date, days: int) -> date:
    moment = day
    remaining = days
    while remaining > 0:
        moment -= timedelta(days=1)
        if worktime.is_workday(moment):
            remaining -= 1
    return moment


def handling_reminder(
    worktime: WorkTime, rules: ComplaintRules, since: datetime, due: datetime
) -> datetime | None:
    """At opening time ``remind_before_workdays`` working days before the deadline; the due
    day's opening if that has passed already; None when both are before ``since``."""
    if rules.remind_before_days <= 0:
        return None
    opening = worktime.hours[0][0]
    due_day = local(due).date()
    for day in (workdays_before(worktime, due_day, rules.remind_before_days), due_day):
        remind = _at(day, opening)
        if since < remind < due:
            return remind
    return None
