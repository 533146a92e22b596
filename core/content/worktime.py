"""Working days and hours: the national calendar (with 调休) plus overrides from content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar

from core.content.yamlfile import YamlDoc, load_yaml
from core.timeutil import SHANGHAI

# 《全国年节及纪念日放假办法》 (as revised in 2024): 元旦 1 January; 劳动节 1–2 May;
# 国庆节 1–3 October. Their dates never move, so a year without calendar data keeps them.
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class WorkTime:
    """Knows which days are working days and when the service hall is open."""

    hours: tuple[tuple[time, time], ...]
    extra_holidays: frozenset[date]
    extra_workdays: frozenset[date]

    @classmethod
    def load(cls, path: Path) -> WorkTime:
        doc = load_yaml(path)
        data = doc.data if isinstance(doc.data, dict) else {}
        hours = tuple(
            parse_span(doc, f"hours[{i}]", s) for i, s in enumerate(data.get("hours") or [])
        )
        if not hours:
            raise doc.error("hours", "at least one opening span such as '09:00-12:00' is needed")
        return cls(
            hours=hours,
            extra_holidays=_dates(doc, "extra_holidays", data.get("extra_holidays")),
            extra_workdays=_dates(doc, "extra_workdays", data.get("extra_workdays")),
        )

    def is_workday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return False
        if day in self.extra_workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # A year the calendar package does not know yet: weekdays, less the holidays the
            # law fixes by date. The lunar ones (春节, 清明, 端午, 中秋) and 调休 come with the
            # State Council's yearly notice: list them in content/worktime.yaml.
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS

    def add_workdays(self, start: datetime, days: int) -> datetime:
        """The same local time ``days`` working days after ``start`` (aware)."""
        moment = start.astimezone(SHANGHAI)
        remaining = days
        while remaining > 0:
            moment += timedelta(days=1)
            if self.is_workday(moment.date()):
                remaining -= 1
        return moment

    @property
    def closing(self) -> time:
        """When the hall closes for the day (the end of its last opening span)."""
        return max(end for _, end in self.hours)

    def closing_on(self, moment: datetime) -> datetime:
        """Closing time on the local day of ``moment`` (aware)."""
        day = moment.astimezone(SHANGHAI)
        return day.replace(
            hour=self.closing.hour, minute=self.closing.minute, second=0, microsecond=0
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(SHANGHAI)
        return self.is_workday(local.date()) and any(a <= local.time() < b for a, b in self.hours)


def parse_span(doc: YamlDoc, key: str, raw: object) -> tuple[time, time]:
    try:
        start, end = (time.fromisoformat(part.strip()) for part in str(raw).split("-"))
    except ValueError:
        raise doc.error(key, f"expected 'HH:MM-HH:MM', got {raw!r}") from None
    if start >= end:
        raise doc.error(key, f"span {raw!r} ends before it starts")
    return start, end


def _dates(doc: YamlDoc, key: str, raw: object) -> frozenset[date]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise doc.error(key, "expected a list of dates (YYYY-MM-DD)")
    out = set()
    for i, item in enumerate(raw):
        if isinstance(item, date):
            out.add(item)
            continue
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise doc.error(f"{key}[{i}]", f"not a date: {item!r}") from None
    return frozenset(out)
