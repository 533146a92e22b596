"""Pinyin forms (toneless full pinyin and initials) of normalised text, cached."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from core.matching.normalize import compact


@dataclass(frozen=True)
class PinyinForms:
    """Toneless pinyin of a text: one syllable per hanzi, non-hanzi runs kept as they are."""

    syllables: tuple[str, ...]

    @property
    def full(self) -> str:
        return "".join(self.syllables)

    @property
    def initials(self) -> str:
        return "".join(_initial(s) for s in self.syllables)

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
    return PinyinForms(syllables=syllables)


def full_pinyin(text: str) -> str:
    return pinyin_forms(text).full


def initials(text: str) -> str:
    return pinyin_forms(text).initials
