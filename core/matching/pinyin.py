"""Pinyin forms (toneless full pinyin and initials) of normalised text, cached."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product
from typing import Any

from pypinyin import Style, lazy_pinyin, pinyin

from core.matching.normalize import compact


@dataclass(frozen=True)
class PinyinForms:
    """Toneless pinyin of a text: one syllable per hanzi, non-hanzi runs kept as they are."""

    syllables: tuple[str, ...]
    full: str  # "baojieyuan"
    initials: str  # "bjy"

    def window(self, start: int, stop: int) -> str:
        """Full pinyin of syllables ``start`` to ``stop`` (exclusive)."""
        return "".join(self.syllables[start:stop])


def _initial(syllable: str) -> str:
    if syllable.isascii() and not syllable.isalpha():
        return syllable
    return syllable[:1]


@lru_cache(maxsize=200_000)
def pinyin_forms(text: str) -> PinyinForms:
    """Pinyin of ``text`` (already normalised); whitespace is ignored.

    pypinyin is phrase-aware, so 会计 gives ``kuaiji`` and 银行 ``yinhang``. Runs of
    non-hanzi characters (``c1``, ``it``) are kept whole and lower-cased.
    """
    syllables = tuple(s.lower() for s in lazy_pinyin(compact(text)) if s.strip())
    initials = "".join(_initial(s) for s in syllables)
    return PinyinForms(syllables=syllables, full="".join(syllables), initials=initials)


def full_pinyin(text: str) -> str:
    return pinyin_forms(text).full


def initials(text: str) -> str:
    return pinyin_forms(text).initials


@lru_cache(maxsize=50_000)
def char_readings(text: str) -> tuple[tuple[str, ...], ...]:
    """Every toneless reading of each character (会 -> hui, kuai), for homophone look-ups."""
    split_chars: Callable[[str], Any] = list  # keeps one row per non-hanzi character
    rows = pinyin(compact(text), style=Style.NORMAL, heteronym=True, errors=split_chars)
    return tuple(tuple(dict.fromkeys(r.lower() for r in row)) for row in rows)


def reading_variants(
    readings: tuple[tuple[str, ...], ...], start: int, stop: int, cap: int = 16
) -> list[str]:
    """Full-pinyin spellings of characters ``start:stop`` over their readings (at most ``cap``)."""
    combos = islice(product(*readings[start:stop]), cap)
    return ["".join(combo) for combo in combos]
