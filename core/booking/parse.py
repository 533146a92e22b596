"""Dates and times as residents type them: 12月3日, 12-03, 2026/12/3, 明天; ９：００, 9点半."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time, timedelta

_DATE = re.compile(
    r"^(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?\s*$"
)
_TIME = re.compile(r"^(?P<h>\d{1,2})\s*(?:[:：.点時时]\s*(?P<m>\d{1,2}|半)?\s*分?)?\s*$")
_RELATIVE = {"今天": 0, "今日": 0, "today": 0, "明天": 1, "明日": 1, "tomorrow": 1, "后天": 2}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().rstrip("。.")


def parse_date(text: str, today: date) -> date | None:
    """A typed date; without a year, the next such date from a month ago on."""
    folded = fold(text)
    if folded in _RELATIVE:
        return today + timedelta(days=_RELATIVE[folded])
    found = _DATE.match(folded)
    if found is None:
        return None
    year = int(found["y"]) if found["y"] else today.year
    try:
        day = date(year, int(found["m"]), int(found["d"]))
    except ValueError:
        return None
    if not found["y"] and day < today - timedelta(days=31):
        try:
            day = day.replace(year=year + 1)
        except ValueError:
            return None
    return day


def parse_time(text: str) -> time | None:
    found = _TIME.match(fold(text))
    if found is None:
        return None
    minute = 30 if found["m"] == "半" else int(found["m"] or 0)
    hour = int(found["h"])
    if not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)
