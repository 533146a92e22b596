"""Checks of typed answers; each failure carries a problem code that names the rule broken."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from core.registration.idcard import IdNumber, InvalidIdNumber, Sex, parse_id_number
from core.registration.pension import age_on, pension_date
from core.registration.rules import RegistrationRules
from core.registration.surnames import COMPOUND, SINGLE


class Invalid(ValueError):
    """A typed answer that breaks a rule; ``problem`` picks the explanation text."""

    def __init__(self, problem: str, **params: object) -> None:
        super().__init__(problem)
        self.problem = problem
        self.params = params


_PHONE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_NOISE = re.compile(r"[\s\-()（）]+")
_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z·. ]*[\u3400-\u9fffA-Za-z]$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits (+86, 0086, full-width and spaces accepted)."""
    value = _PHONE_NOISE.sub("", fold(raw))
    for prefix in ("+86", "0086", "86"):
        if value.startswith(prefix) and len(value) == len(prefix) + 11:
            value = value[len(prefix) :]
            break
    if not value.isdigit():
        raise Invalid("phone_characters")
    if len(value) != 11:
        raise Invalid("phone_length", count=len(value))
    if not _PHONE.match(value):
        raise Invalid("phone_prefix")
    return value


def parse_name(raw: str) -> str:
    value = " ".join(fold(raw).split())
    if len(value) < 2:
        raise Invalid("name_short")
    if len(value) > 30:
        raise Invalid("name_long")
    if not _NAME.match(value):
        raise Invalid("name_characters")
    return value


# Words of a request or a question, not of a name ("我要找工作", "有没有活", "怎么填").
_NOT_IN_NAMES = frozenset("我你您们吗呢吧啊呀哦嗯么怎什哪谁没找填问请帮的了这")


def name_doubtful(value: str) -> bool:
    """Whether a name that passed ``parse_name`` reads more like a request than a name: a
    Chinese name that does not start with a known surname, carries the words of a question,
    or is long without the "·" of a transliterated one. Letters (a foreign name) are not
    judged."""
    if any("A" <= c <= "z" for c in value):
        return False
    chars = value.replace(" ", "")
    if any(c in _NOT_IN_NAMES for c in chars):
        return True
    if "·" in chars:
        return False
    if len(chars) > 4 or (len(chars) == 2 and chars[0] == chars[1]):  # 谢谢, 哈哈
        return True
    return not (chars[0] in SINGLE or chars[:2] in COMPOUND)


def parse_id(raw: str, today: date, rules: RegistrationRules, *, check_pension: bool) -> IdNumber:
    """GB 11643 plus the age rules: at least the minimum age; below pension age if asked."""
    try:
        number = parse_id_number(raw, today)
    except InvalidIdNumber as exc:
        raise Invalid(f"id_{exc.problem.value}") from None
    if age_on(number.birth_date, today) < rules.minimum_age:
        raise Invalid("id_too_young", age=rules.minimum_age)
    if check_pension:
        track = rules.pension["male" if number.sex is Sex.MALE else "female"]
        reached = pension_date(track, number.birth_date)
        if reached <= today:
            raise Invalid("id_pension_age", date=reached.isoformat())
    return number


def parse_date(raw: str) -> date:
    value = fold(raw)
    match = _DATE.match(value) or _DATE_COMPACT.match(value)
    if not match:
        raise Invalid("date_format")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise Invalid("date_not_real") from None


def parse_past_date(raw: str, today: date, *, not_before: date | None = None) -> date:
    """A real date, not in the future and (when given) not before ``not_before``."""
    day = parse_date(raw)
    if day > today:
        raise Invalid("date_future")
    if not_before is not None and day < not_before:
        raise Invalid("date_too_early", date=not_before.isoformat())
    return day


def parse_end_date(raw: str, start: date) -> date:
    day = parse_date(raw)
    if day <= start:
        raise Invalid("date_end_before_start", start=start.isoformat())
    return day


MIN_SALARY = 100  # a smaller figure is a slip (a menu number typed here), not a wish


@dataclass(frozen=True)
class Salary:
    low: int | None
    high: int | None


def parse_salary(raw: str, ceiling: int) -> Salary:
    """``3000``, ``3000-5000``, ``3千到5千`` or ``3k-5k`` (monthly yuan)."""
    value = fold(raw).lower().replace(",", "").replace("，", "")
    numbers = [_amount(m.group(0), value[m.end() : m.end() + 1]) for m in _NUMBER.finditer(value)]
    if not numbers or len(numbers) > 2:
        raise Invalid("salary_format")
    low, high = numbers[0], numbers[-1]
    if any(n < MIN_SALARY or n > ceiling for n in numbers):
        raise Invalid("salary_range", min=MIN_SALARY, max=ceiling)
    if low > high:
        raise Invalid("salary_order")
    return Salary(low, high)


def _amount(number: str, unit: str) -> int:
    scale = {"k": 1000, "千": 1000, "w": 10000, "万": 10000}.get(unit, 1)
    return round(float(number) * scale)


def parse_free_text(raw: str, *, limit: int) -> str:
    """Kept as typed (full-width punctuation too); only runs of spaces become one."""
    value = " ".join(raw.split())
    if not value:
        raise Invalid("text_empty")
    if len(value) > limit:
        raise Invalid("text_long", max=limit)
    return value
