"""Dates and times as residents type them: 12月3日, 12-03, 2026/12/3, 明天; ９：００, 9点半,
下午两点."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time, timedelta

_DATE = re.compile(
    r"^(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?\s*$"
)
_TIME = re.compile(
    r"^(?P<part>上午|早上|早晨|中午|下午|傍晚|晚上|am|pm)?\s*的?\s*"
    r"(?P<h>\d{1,2}|[零一二两三四五六七八九十]{1,3})\s*"
    r"(?:[:：.点時时]\s*(?P<m>\d{1,2}|半|一刻|三刻)?\s*[分钟]*)?\s*(?P<after>am|pm)?\s*(?:左右|前后)?$"
)
_LATER = frozenset({"中午", "下午", "傍晚", "晚上", "pm"})
_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_MINUTES = {"半": 30, "一刻": 15, "三刻": 45}
_RELATIVE = {
    "今天": 0,
    "今日": 0,
    "today": 0,
    "明天": 1,
    "明日": 1,
    "tomorrow": 1,
    "后天": 2,
    "大后天": 3,
}


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().rstrip("。.")


_WEEKDAY = re.compile(r"^(?P<which>下个?|这个?|本)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])$")
_WEEKDAYS = (
    {c: n for n, c in enumerate("一二三四五六日")} | {"天": 6} | {str(n + 1): n for n in range(7)}
)
_HALVES = (("上午", "am"), ("早上", "am"), ("下午", "pm"), ("傍晚", "pm"))


def parse_day(text: str, today: date) -> tuple[date, str] | None:
    """A typed day with, when said, its half: 明天上午 → (tomorrow, "am"), 周五 → (Friday, "")."""
    folded = fold(text)
    half = ""
    for word, which in _HALVES:
        if folded.endswith(word) and len(folded) > len(word):
            folded, half = folded[: -len(word)].strip(), which
            break
    day = parse_date(folded, today)
    return None if day is None else (day, half)


def parse_date(text: str, today: date) -> date | None:
    """A typed date; without a year, the next such date from a month ago on. 周五 is the
    nearest Friday from today on, 下周五 the Friday of next week, 这周五 this week's."""
    folded = fold(text)
    if folded in _RELATIVE:
        return today + timedelta(days=_RELATIVE[folded])
    weekday = _WEEKDAY.match(folded)
    if weekday is not None:
        wanted = _WEEKDAYS[weekday["d"]]
        monday = today - timedelta(days=today.weekday())
        if weekday["which"] and weekday["which"].startswith("下"):
            return monday + timedelta(days=7 + wanted)
        if weekday["which"]:
            return monday + timedelta(days=wanted)
        return today + timedelta(days=(wanted - today.weekday()) % 7)
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
    """9:00, ９：００, 9点, 9点半, 上午九点, 下午2点半 (the afternoon counts from noon), 2pm."""
    found = _TIME.match(fold(text))
    if found is None:
        return None
    hour = _hour(found["h"])
    minute = _MINUTES.get(found["m"] or "")
    if minute is None:
        minute = int(found["m"] or 0)
    later = (found["part"] or found["after"] or "") in _LATER
    if hour is None or (later and hour == 12 and found["part"] == "中午"):
        later = False
    if hour is not None and later and hour < 12:
        hour += 12
    if hour is None or not (0 <= hour < 24 and 0 <= minute < 60):
        return None
    return time(hour, minute)


def _hour(said: str) -> int | None:
    """An hour in digits or in Chinese numerals up to 二十四 (十 = 10, 十二 = 12, 二十 = 20)."""
    if said.isdigit():
        return int(said)
    if "十" not in said:
        return _DIGITS.get(said) if len(said) == 1 else None
    tens, _, ones = said.partition("十")
    if (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
