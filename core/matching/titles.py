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

Span = tuple[int, int, int]  # start, stop, surface
NOTE_WEIGHT = 0.9
_KEY = 3  # letters of the syllable-start pinyin index


@dataclass(frozen=True)
class Occurrence:
    """A title's best occurrence of a word: how prominent it is, and inside which longer
    known words it sits (电工 inside 水电工), so a query can tell a different job apart."""

    title: int
    score: float
    enclosing: tuple[int, ...] = ()


@dataclass(frozen=True)
class Part:
    """One space-separated part of a title ("网约配送员 外卖骑手" has two)."""

    start: int
    stop: int
    spans: tuple[Span, ...]  # vocabulary surfaces found in the part (absolute offsets)
    weight: float = 1.0  # bracketed notes ("保洁" of "公益性岗位（保洁）") count less


def placement(start: int, stop: int, part: Part) -> float:
    """How well an occurrence text[start:stop] stands for the part it is in (0..100).

    Whole part: 100. Otherwise 90-99 by coverage, unless the occurrence sits strictly inside a
    longer known word (护工 inside 维护工程): then 78-84, since it is probably an accident.
    """
    length = part.stop - part.start
    coverage = (stop - start) / length
    if coverage >= 1:
        score = 100.0
    elif any(s0 < start and stop < s1 for s0, s1, _s in part.spans):
        score = 78 + 6 * coverage
    else:
        score = min(99.0, 90 + 10 * coverage)
    return score * part.weight


class TitleTable:
    """Distinct normalised texts; ids are dense ints in insertion order."""

    def __init__(self, surface_ids: dict[str, int]) -> None:
        self._surface_ids = surface_ids
        self.texts: list[str] = []
        self.ids: dict[str, int] = {}
        self.parts: list[tuple[Part, ...]] = []
        self.pinyin: list[str] = []
        self.initials: list[str] = []
        self.postings: dict[int, list[Occurrence]] = {}
        self._bigrams: dict[str, list[int]] = {}
        self._chars: dict[str, list[int]] = {}
        self._syllable_starts: dict[str, list[int]] = {}
        self._initial_pairs: dict[str, list[int]] = {}

    def add(self, main: str, notes: tuple[str, ...] = ()) -> int:
        """Id of a title (main text plus bracketed notes), adding it when new."""
        text = " ".join((main, *notes))
        key = f"{main}\x00{text}"
        found = self.ids.get(key)
        if found is not None:
            return found
        title = len(self.texts)
        self.ids[key] = title
        self.texts.append(text)
        primary = len(main.split())
        parts = tuple(
            self._tag(title, text, start, stop, 1.0 if n < primary else NOTE_WEIGHT)
            for n, (start, stop) in enumerate(_part_bounds(text))
        )
        self.parts.append(parts)
        self._index_chars(title, text)
        self._index_pinyin(title, text)
        return title

    def _tag(self, title: int, text: str, start: int, stop: int, weight: float) -> Part:
        found: list[tuple[int, int, int]] = []
        for i in range(start, stop):
            for j in range(i + 2, min(stop, i + MAX_SURFACE_LEN) + 1):
                surface = self._surface_ids.get(text[i:j])
                if surface is not None:
                    found.append((i, j, surface))
        part = Part(start, stop, tuple(found), weight)
        best: dict[int, Occurrence] = {}
        for i, j, surface in found:
            occurrence = Occurrence(title, placement(i, j, part), _enclosing(i, j, part))
            if surface not in best or occurrence.score > best[surface].score:
                best[surface] = occurrence
        for surface, occurrence in best.items():
            self.postings.setdefault(surface, []).append(occurrence)
        return part

    def _index_chars(self, title: int, text: str) -> None:
        for ch in set(text.replace(" ", "")):
            self._chars.setdefault(ch, []).append(title)
        for gram in {text[i : i + 2] for i in range(len(text) - 1)}:
            if " " not in gram:
                self._bigrams.setdefault(gram, []).append(title)

    def _index_pinyin(self, title: int, text: str) -> None:
        # per part: parts recur across titles ("保洁员" with many notes), pinyin_forms caches
        parts = [pinyin_forms(part) for part in text.split(" ")]
        full = "".join(p.full for p in parts)
        initials = "".join(p.initials for p in parts)
        self.pinyin.append(full)
        self.initials.append(initials)
        for key in _syllable_keys(full, [s for p in parts for s in p.syllables]):
            self._syllable_starts.setdefault(key, []).append(title)
        if len(initials) >= 2:
            self._initial_pairs.setdefault(initials[:2], []).append(title)

    def part_of(self, title: int, start: int) -> Part:
        return next(p for p in self.parts[title] if p.start <= start < p.stop)

    def containing(self, token: str) -> Iterator[Occurrence]:
        """Titles containing the token verbatim, with its best occurrence."""
        if len(token) == 1:
            for title in self._chars.get(token, ()):
                text = self.texts[title]
                part = self.part_of(title, text.index(token))
                yield Occurrence(title, 70 + 20 / (part.stop - part.start))
            return
        grams = [token[i : i + 2] for i in range(len(token) - 1)]
        candidates = min((self._bigrams.get(g, []) for g in grams), key=len)
        for title in candidates:
            text = self.texts[title]
            start = text.find(token)
            if start >= 0:
                yield self._best_occurrence(title, text, token, start)

    def _best_occurrence(self, title: int, text: str, token: str, start: int) -> Occurrence:
        best = Occurrence(title, 0.0)
        while start >= 0:
            stop = start + len(token)
            part = self.part_of(title, start)
            score = placement(start, stop, part)
            if score > best.score:
                best = Occurrence(title, score, _enclosing(start, stop, part))
            start = text.find(token, start + 1)
        return best

    def pinyin_containing(self, token: str) -> Iterator[tuple[int, float]]:
        """Titles whose full pinyin contains the Latin token (3+ letters) starting on a syllable."""
        for title in self._syllable_starts.get(token[:_KEY], ()):
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
        """Last resort: close titles by hanzi ratio (hanzi tokens) or pinyin ratio (Latin)."""
        if not token.isascii():
            if len(token) < 3:
                return []
            hits = process.extract(token, self.texts, scorer=fuzz.ratio, score_cutoff=75, limit=20)
            return [(title, score * 0.92) for _t, score, title in hits]
        if len(pinyin) < 6:
            return []
        hits = process.extract(pinyin, self.pinyin, scorer=fuzz.ratio, score_cutoff=85, limit=20)
        return [(title, score * 0.86) for _t, score, title in hits]


def _syllable_keys(full: str, syllables: list[str]) -> set[str]:
    """The first letters of the pinyin at each syllable start (may run into the next one)."""
    keys: set[str] = set()
    offset = 0
    for syllable in syllables:
        key = full[offset : offset + _KEY]
        if len(key) == _KEY and syllable.isalpha():
            keys.add(key)
        offset += len(syllable)
    return keys


def _enclosing(start: int, stop: int, part: Part) -> tuple[int, ...]:
    """Known words of the part that strictly contain text[start:stop]."""
    return tuple(
        surface
        for s0, s1, surface in part.spans
        if s0 <= start and stop <= s1 and (s0, s1) != (start, stop)
    )


def _part_bounds(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for piece in text.split(" "):
        if piece:
            yield start, start + len(piece)
        start += len(piece) + 1
