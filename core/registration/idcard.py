"""Resident identity numbers (GB 11643-1999): 18 characters, birth date, MOD 11-2 check.

Each failure names the rule it broke, so the resident knows what to look at. The region
code is only a warning (codes are retired and renamed; stdnum refuses valid old ones).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SEPARATORS = re.compile(r"[\s\-_.·]+")
# GB/T 2260 province-level codes (incl. 71/81/82 and 83 used on 港澳台居民居住证).
_PROVINCE_CODES = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83"  # noqa: E501
PROVINCES = frozenset(_PROVINCE_CODES.split(" "))


class IdProblem(StrEnum):
    OLD_FORMAT = "old_format"  # 15 digits (GB 11643-1989)
    LENGTH = "length"
    CHARACTERS = "characters"
    BIRTH_DATE = "birth_date"
    FUTURE_BIRTH = "future_birth"
    CHECK_DIGIT = "check_digit"


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    sex: Sex

    @property
    def known_province(self) -> bool:
        return self.value[:2] in PROVINCES


class InvalidIdNumber(ValueError):
    def __init__(self, problem: IdProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def normalise(raw: str) -> str:
    """Full-width to ASCII, separators removed, ``x`` upper-cased."""
    folded = unicodedata.normalize("NFKC", raw)
    return _SEPARATORS.sub("", folded).upper()


def check_character(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_id_number(raw: str, today: date) -> IdNumber:
    """The validated number, or ``InvalidIdNumber`` naming the first rule it breaks."""
    value = normalise(raw)
    if len(value) == 15 and value.isdigit():
        raise InvalidIdNumber(IdProblem.OLD_FORMAT)
    if len(value) != 18:
        raise InvalidIdNumber(IdProblem.LENGTH)
    if not (value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
        raise InvalidIdNumber(IdProblem.CHARACTERS)
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(IdProblem.BIRTH_DATE) from None
    if birth > today:
        raise InvalidIdNumber(IdProblem.FUTURE_BIRTH)
    if birth.year < 1900:
        raise InvalidIdNumber(IdProblem.BIRTH_DATE)
    if check_character(value[:17]) != value[17]:
        raise InvalidIdNumber(IdProblem.CHECK_DIGIT)
    sex = Sex.MALE if int(value[16]) % 2 else Sex.FEMALE
    return IdNumber(value, birth, sex)
