"""Distinct normalised titles (and tags) with the look-ups search needs.

Many openings share a title ("保洁员"), so everything here is per distinct text: its
pinyin, the vocabulary surfaces it contains (with how prominently), and character bigram and
pinyin-syllable indexes for direct containment of words the vocabulary does not know.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.matching.pinyin import pinyin_forms
from core.matching.terms import MAX_SURFACE_LEN

Span = tuple[int, int]


@dataclass(frozen=True)
class Part:
    """One space-separated part of a title ("网约配送员 外卖骑手" has two)."""

    start: int
    stop: int
    spans: tuple[Span, ...]  # vocabulary surfaces found in the part (absolute offsets)


def placement(start: int, stop: int, part: Part) -> float:
    """How well an occurrence text[start:stop] stands for the part it is in (0..100).

    Whole part: 100. Otherwise 90-99 by coverage, unless the occurrence sits strictly inside a
    longer known word (护工 inside 维护工程): then 78-84, since it is probably an accident.
    """
    length = part.stop - part.start
    coverage = (stop - start) / length
    if coverage >= 1:
        return 100.0
    if any(s0 < start and stop < s1 for s0, s1 in part.spans):
        return 78 + 6 * coverage
    return min(99.0, 90 + 10 * coverage)


class TitleTable:
    """Distinct normalised texts; ids are dense ints in insertion order."""

    def __init__(self, surface_ids: dict[str, int]) -> None:
        self._surface_ids = surface_ids
        self.texts: list[str] = []
        self.ids: dict[str, int] = {}
        self.parts: list[tuple[Part, ...]] = []
        self.pinyin: list[str] = []
        self.initials: list[str] = []
        self.postings: dict[int, list[tuple[int, float]]] = {}
        self._bigrams: dict[str, list[int]] = {}
        self._chars: dict[str, list[int]] = {}
        self._syllable_starts: dict[str, list[int]] = {}
        self._initial_pairs: dict[str, list[int]] = {}

    def add(self, text: str) -> int:
        found = self.ids.get(text)
        if found is not None:
            return found
        title = len(self.texts)
        self.ids[text] = title
        self.texts.append(text)
        parts = tuple(self._tag(title, text, start, stop) for start, stop in _part_bounds(text))
        self.parts.append(parts)
        self._index_chars(title, text)
        self._index_pinyin(title, text)
        return title

    def _tag(self, title: int, text: str, start: int, stop: int) -> Part:
        found: list[tuple[int, int, int]] = []
        for i in range(start, stop):
            for j in range(i + 2, min(stop, i + MAX_SURFACE_LEN) + 1):
                surface = self._surface_ids.get(text[i:j])
                if surface is not None:
                    found.append((i, j, surface))
        part = Part(start, stop, tuple((i, j) for i, j, _ in found))
        best: dict[int, float] = {}
        for i, j, surface in found:
            best[surface] = max(best.get(surface, 0.0), placement(i, j, part))
        for surface, score in best.items():
            self.postings.setdefault(surface, []).append((title, score))
        return part

    def _index_chars(self, title: int, text: str) -> None:
        for ch in set(text.replace(" ", "")):
            self._chars.setdefault(ch, []).append(title)
        for gram in {text[i : i + 2] for i in range(len(text) - 1)}:
            if " " not in gram:
                self._bigrams.setdefault(gram, []).append(title)

    def _index_pinyin(self, title: int, text: str) -> None:
        forms = pinyin_forms(text)
        self.pinyin.append(forms.full)
        self.initials.append(forms.initials)
        for key in {s[:2] for s in forms.syllables if s.isalpha()}:
            self._syllable_starts.setdefault(key, []).append(title)
        if len(forms.initials) >= 2:
            self._initial_pairs.setdefault(forms.initials[:2], []).append(title)

    def part_of(self, title: int, start: int) -> Part:
        return next(p for p in self.parts[title] if p.start <= start < p.stop)

    def containing(self, token: str) -> Iterator[tuple[int, float]]:
        """Titles containing the token verbatim, with the placement of its best occurrence."""
        if len(token) == 1:
            for title in self._chars.get(token, ()):
                text = self.texts[title]
                part = self.part_of(title, text.index(token))
                yield title, 70 + 20 / (part.stop - part.start)
            return
        grams = [token[i : i + 2] for i in range(len(token) - 1)]
        candidates = min((self._bigrams.get(g, []) for g in grams), key=len)
        for title in candidates:
            text = self.texts[title]
            start = text.find(token)
            if start >= 0:
                yield title, self._best_placement(title, text, token, start)

    def _best_placement(self, title: int, text: str, token: str, start: int) -> float:
        best = 0.0
        while start >= 0:
            best = max(best, placement(start, start + len(token), self.part_of(title, start)))
            start = text.find(token, start + 1)
        return best

    def pinyin_containing(self, token: str) -> Iterator[tuple[int, float]]:
        """Titles whose full pinyin contains the Latin token starting on a syllable."""
        for title in self._syllable_starts.get(token[:2], ()):
            pinyin = self.pinyin[title]
            if token in pinyin:
                yield title, min(97.0, 85 + 12 * len(token) / len(pinyin))

    def initials_prefixed(self, token: str) -> Iterator[tuple[int, float]]:
        """Titles whose initials start with a short Latin token ("bjy" for 保洁员)."""
        for title in self._initial_pairs.get(token[:2], ()):
            initials = self.initials[title]
            if initials.startswith(token):
                yield title, 80 + 8 * len(token) / len(initials)

    def fuzzy(self, token: str, pinyin: str) -> list[tuple[int, float]]:
        """Last resort: close titles by hanzi ratio, or by pinyin ratio."""
        out: list[tuple[int, float]] = []
        if len(token) >= 3 and not token.isascii():
            hits = process.extract(token, self.texts, scorer=fuzz.ratio, score_cutoff=75, limit=20)
            out.extend((title, score * 0.92) for _t, score, title in hits)
        if len(pinyin) >= 6:
            hits = process.extract(pinyin, self.pinyin, scorer=fuzz.ratio, score_cutoff=85, limit=20)
            out.extend((title, score * 0.86) for _t, score, title in hits)
        return out


def _part_bounds(text: str) -> Iterator[Span]:
    start = 0
    for piece in text.split(" "):
        if piece:
            yield start, start + len(piece)
        start += len(piece) + 1
