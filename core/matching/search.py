"""In-memory job-opening search: typo-, pinyin-, synonym- and area-aware, no search server.

Build once from the openings (``SearchIndex.build``), query many times (``search``). Work is
done per distinct normalised title, then mapped back to openings, so 100k openings that
share a few thousand titles stay fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from core.matching.normalize import normalize_title, to_simplified
from core.matching.query import query_tokens
from core.matching.ranking import (
    AreaFilter,
    DocTable,
    area_filter,
    candidates_from_titles,
    rank,
    timestamp,
)
from core.matching.scoring import query_scores
from core.matching.suggest import Suggester
from core.matching.titles import TitleTable
from core.matching.vocabulary import Vocabulary

TAG_WEIGHT = 0.92  # a tag match (公益性岗位) counts a little less than a title match


@dataclass(frozen=True)
class OpeningDoc:
    """What the index needs from an opening."""

    ref: str
    title: str
    employer: str
    area_code: str | None  # 12-digit area code if known
    area_name: str  # as given
    posted_at: datetime | None
    expires_at: datetime | None
    tags: tuple[str, ...] = ()


class AreaLookup(Protocol):
    def find_in_text(self, text: str) -> tuple[list[str], str]:
        """Area codes named in text, and the text with those names removed."""
        ...

    def contains(self, ancestor_code: str, code: str) -> bool:
        """Is ``code`` inside ``ancestor_code`` (or equal to it)."""
        ...


@dataclass(frozen=True)
class Hit:
    ref: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]  # the requested page
    total: int  # all good matches
    area_codes: tuple[str, ...]  # area filter understood from the query or given
    suggestions: tuple[str, ...]  # close alternative keywords when nothing good matched


def _prefix_contains(ancestor: str, code: str) -> bool:
    """Fallback containment for 12-digit codes: 370100000000 contains 370102xxxxxx."""
    trimmed = ancestor.rstrip("0")
    if len(trimmed) % 2:
        trimmed += "0"
    return code.startswith(trimmed)


class SearchIndex:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.titles = TitleTable(vocabulary.terms.ids)
        self.docs = DocTable()
        self.title_docs: list[list[int]] = []
        self.tag_docs: dict[int, list[int]] = {}
        self.prior: list[int] = []
        self.suggester: Suggester | None = None

    @classmethod
    def build(cls, docs: Iterable[OpeningDoc], vocabulary: Vocabulary) -> SearchIndex:
        index = cls(vocabulary)
        for doc in docs:
            index._add(doc)
        index._finish()
        return index

    def __len__(self) -> int:
        return len(self.docs.refs)

    def _add(self, opening: OpeningDoc) -> None:
        doc = self.docs.add(
            opening.ref,
            opening.area_code,
            timestamp(opening.posted_at),
            timestamp(opening.expires_at),
        )
        title = self._entry(normalize_title(opening.title))
        self.title_docs[title].append(doc)
        for tag in opening.tags:
            text = normalize_title(tag)
            if text:
                self.tag_docs.setdefault(self._entry(text), []).append(doc)

    def _entry(self, text: str) -> int:
        title = self.titles.add(text)
        if title == len(self.title_docs):
            self.title_docs.append([])
        return title

    def _finish(self) -> None:
        """Per-surface opening counts: the prior that ranks ambiguous initials (bj -> 保洁)."""
        counts = [len(d) + len(self.tag_docs.get(t, ())) for t, d in enumerate(self.title_docs)]
        self.prior = [0] * len(self.vocabulary.surfaces)
        for surface, postings in self.titles.postings.items():
            self.prior[surface] = sum(counts[title] for title, _score in postings)
        self.suggester = Suggester(self.vocabulary, self.prior)

    def search(
        self,
        query: str,
        *,
        areas: AreaLookup | None = None,
        area_codes: Sequence[str] = (),
        limit: int = 5,
        offset: int = 0,
        now: datetime | None = None,
    ) -> SearchResult:
        text = to_simplified(query)
        codes: tuple[str, ...] = tuple(area_codes)
        if areas is not None:
            named, text = areas.find_in_text(text)
            codes = tuple(dict.fromkeys(named)) or codes
        contains = areas.contains if areas is not None else _prefix_contains
        filter_ = area_filter(self.docs.by_area, codes, contains)
        tokens = query_tokens(text)
        moment = timestamp(now or datetime.now(UTC)) or 0.0
        top = max(0, offset) + max(0, limit)
        ranked, total = rank(self.docs, self._candidates(tokens, filter_), filter_, moment, top)
        hits = tuple(Hit(self.docs.refs[d], round(s, 2)) for s, d in ranked[max(0, offset) :])
        suggestions: tuple[str, ...] = ()
        if total == 0 and tokens and self.suggester is not None:
            suggestions = tuple(self.suggester.suggest(tokens))
        return SearchResult(hits, total, codes, suggestions)

    def _candidates(
        self, tokens: Sequence[str], filter_: AreaFilter | None
    ) -> Iterable[tuple[int, float]]:
        if not tokens:
            if filter_ is None:
                return ()
            return ((d, 100.0) for code in filter_.allowed for d in self.docs.by_area.get(code, ()))
        scores = query_scores(tokens, self.vocabulary, self.titles, self.prior)
        title_hits = candidates_from_titles(scores, self.title_docs)
        tag_scores = {t: s * TAG_WEIGHT for t, s in scores.items() if t in self.tag_docs}
        if not tag_scores:
            return title_hits
        merged = dict(title_hits)
        for doc, score in candidates_from_titles(tag_scores, self.tag_docs):
            if score > merged.get(doc, 0.0):
                merged[doc] = score
        return merged.items()
