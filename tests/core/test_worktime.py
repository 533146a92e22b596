"""Working days for a year the calendar package does not know yet."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar

from core.content.worktime import WorkTime
from core.timeutil import SHANGHAI

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_a_year_without_calendar_data_still_keeps_the_fixed_date_holidays() -> None:
    worktime = WorkTime.load(CONTENT / "worktime.yaml")
    assert not worktime.is_workday(date(2027, 1, 1))  # 元旦, a Friday
    assert not worktime.is_workday(date(2027, 10, 1))  # 国庆节, a Friday
    assert worktime.is_workday(date(2027, 1, 4))  # an ordinary Monday
    assert not worktime.is_workday(date(2027, 1, 2))  # a Saturday
    # Two working days after 30 December 2026 skip 元旦 2027 and the weekend.
    start = datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI)
    assert worktime.add_workdays(start, 2).date() == date(2027, 1, 4)


def test_a_year_the_calendar_knows_is_left_to_it() -> None:
    worktime = WorkTime.load(CONTENT / "worktime.yaml")
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(365)]
    assert [worktime.is_workday(d) for d in days] == [chinese_calendar.is_workday(d) for d in days]
