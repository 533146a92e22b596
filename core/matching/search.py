"""In-memory job-opening search: typo-, pinyin-, synonym- and area-aware, no search server.

Build once from the openings (``SearchIndex.build``), query many times (``search``); rebuild
when openings change. Work is done per distinct normalised title, then mapped back to
openings, so 100k openings that share tens of thousands of titles stay fast.

What ``search`` does with a query:

* traditional -> simplified, full-width -> ASCII; area names found by the ``AreaLookup`` are
  taken out and become the area filter (the narrowest named area wins; named areas replace
  ``area_codes``, which otherwise apply). An opening given an area name but no code is placed
  by the first lookup that resolves the name unambiguously; unplaced ones never pass a filter.
* chat phrasing is dropped (我想找…的活); each remaining token is matched against the
  vocabulary (exact words inside the token, homophones by pinyin incl. other readings,
  Latin pinyin, pinyin prefixes, initials ranked by how many openings use them, then fuzzy)
  and expanded to the same job's other names (synonym groups, occupation aliases);
* titles score 0..100 by how prominently they contain one of those words (whole title 100;
  inside a different known job word such as 水电工 for 电工, lower), or the token itself;
  bracketed notes and tags count a little less. Only scores >= ``scoring.GOOD`` (70) count.
  Titles of the occupation the query surely names score too (出纳员 finds 总账会计).
* beside that vocabulary layer, the lexical layer (``lexical.py``: character unigram +
  bigram BM25 over title, tags, employer and description) rates every opening by how much
  of the query's text it carries, rare characters more than head words (主管, 员). Quality
  = VOCAB_SHARE * vocabulary quality + LEX_SHARE * lexical coverage; an opening is an answer
  when the vocabulary rates it, or it carries enough of the query's job words (thresholds
  below), so unknown words still find openings and extra words (C1, 包吃住) rank them.
* openings whose ``expires_at`` is before ``now`` never appear; the rest rank by quality +
  freshness (up to 4 points, fading over 60 days) + 1 point for an opening placed exactly in
  the requested area. Nothing inside a named area: the enclosing area up to the city is
  searched instead and ``widened`` says so.
* no answer: ``suggestions`` holds related keywords (close, same occupation family, sharing
  a distinctive character) or, failing that and marked ``related=False``, the commonest
  ones, always keywords that find openings under the same area filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from core.matching.lexical import LexicalIndex, release_memory
from core.matching.normalize import (
    HEAD_WORDS,
    compact,
    generic_positions,
    has_cjk,
    is_ascii_query,
    normalize_title,
    title_parts,
    to_simplified,
)
from core.matching.query import lexical_query, query_tokens
from core.matching.ranking import (
    AreaFilter,
    Columns,
    DocTable,
    any_live,
    area_filter,
    rank_array,
    timestamp,
    title_groups,
)
from core.matching.scoring import query_scores
from core.matching.suggest import Suggester
from core.matching.titles import TitleTable, placement
from core.matching.vocabulary import Vocabulary

TAG_WEIGHT = 0.92  # a tag match (公益性岗位) counts a little less than a title match
_SUGGESTION_CACHE = 512
_HEADS = frozenset(HEAD_WORDS)
Tier = npt.NDArray[np.intp]  # related openings of one kind
# Blending the layers: quality = VOCAB_SHARE * vocabulary quality (0..100) + LEX_SHARE *
# lexical coverage (0..1). An opening is an answer when the vocabulary rates it GOOD, or when
# its lexical coverage reaches LEX_MIN, or half the best coverage of this query (at least
# LEX_FLOOR): with nothing closer, sharing a generic word (主管) is still an answer.
VOCAB_SHARE = 0.4
LEX_SHARE = 80.0
LEX_MIN = 0.33
LEX_RELATIVE = 0.5
LEX_FLOOR = 0.3
LEX_PAIR = 0.2  # ... or from this coverage when a distinctive character pair is shared
# Occupation layer: a title and a query that name the same occupation (出纳员 and 总账会计
# are both 会计专业人员) match at OCCUPATION_QUALITY scaled by the weaker of the two matches.
OCCUPATION_QUALITY = 80.0
OCCUPATION_SURE = 88.0  # how sure the query's words must name it
TITLE_OCCUPATION_SURE = 80.0  # a title's: its job word may be a small part of a long title
# Field weights of the lexical layer, and how much of a description it reads.
TITLE_FIELD, TAG_FIELD, EMPLOYER_FIELD, DESCRIPTION_FIELD = 1.0, 0.5, 0.3, 0.15
DESCRIPTION_CHARS = 60
# A token the vocabulary explains only in part (淘宝客服 -> 客服, 硬件开发工程师 -> 开发工程师)
# must not rank every opening of the part it knows first: its vocabulary scores are scaled by
# the share of its characters' rarity the known words hold, and its unknown words (淘宝, 硬件)
# carry the rest through the lexical layer (``_explained``).
# Fewer close answers than this (a page): related openings follow them, in tiers, marked as
# such (``SearchResult.near_from``; see ``_candidates``).
NEAR_FILL = 5
NEAR_MIN = 0.2  # a shared character must carry this much of the query (not 保 of 保洁 for 保安)
_FAMILY_DIGITS = 7  # 2-06-03-01 -> 2-06-03: the 小类 of 《职业分类大典》


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
    description: str = ""


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
    # nothing inside the named area: these are the enclosing areas (the same city) whose
    # openings ``hits`` shows instead
    widened: tuple[str, ...] = ()
    keywords: str = ""  # the query without the area names (to search again anywhere)
    related: bool = True  # the suggestions are related to the query (not just the commonest)
    # fewer than NEAR_FILL close answers: from this rank on, the answers only share a
    # distinctive character with the job words (礼宾员 -> 宾馆服务员), to be shown as related
    # openings, not as matches; None when every answer is close
    near_from: int | None = None


_CODE_LEVELS = (2, 4, 6, 9, 12)  # province, city, county, township, village digits


def area_prefix(code: str) -> str:
    """The part of a 12-digit area code shared by every area inside it (370102000000 -> 370102)."""
    for digits in _CODE_LEVELS:
        if not code[digits:].strip("0"):
            return code[:digits]
    return code


def _prefix_contains(ancestor: str, code: str) -> bool:
    """Containment by code prefix, used when no area lookup is given."""
    return code.startswith(area_prefix(ancestor))


def _narrowest(codes: Sequence[str], contains: Callable[[str, str], bool]) -> tuple[str, ...]:
    """Named areas without those containing another named one (历下区 解放路街道 -> the street)."""
    unique = tuple(dict.fromkeys(codes))
    return tuple(
        code for code in unique if not any(o != code and contains(code, o) for o in unique)
    )


class SearchIndex:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.titles = TitleTable(vocabulary.terms.ids)
        self.docs = DocTable()
        self.title_docs: list[list[int]] = []
        self.tag_docs: dict[int, list[int]] = {}
        self.prior: list[int] = []
        self.suggester = Suggester(vocabulary, ())
        self._suggestion_cache: dict[str, dict[int, float]] = {}
        self._placed_with: AreaLookup | None = None
        self._fields: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
        self._doc_title: list[int] = []
        self.doc_title: npt.NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self.lexical = LexicalIndex((), 0)
        self.columns = Columns.of(self.docs)
        self.occupation_titles: dict[str, list[tuple[int, float]]] = {}

    @classmethod
    def build(cls, docs: Iterable[OpeningDoc], vocabulary: Vocabulary) -> SearchIndex:
        index = cls(vocabulary)
        for doc in docs:
            index._add(doc)
        index._finish()
        release_memory()
        return index

    def __len__(self) -> int:
        return len(self.docs.refs)

    def _add(self, opening: OpeningDoc) -> None:
        doc = self.docs.add(
            opening.ref,
            opening.area_code,
            timestamp(opening.posted_at),
            timestamp(opening.expires_at),
            opening.area_name,
        )
        title = self._entry(*title_parts(opening.title))
        self.title_docs[title].append(doc)
        self._doc_title.append(title)
        for field, text in zip(
            self._fields,
            (opening.title, " ".join(opening.tags), opening.employer, opening.description),
            strict=True,
        ):
            field.append(text)
        for tag in opening.tags:
            text = normalize_title(tag)
            if text:
                self.tag_docs.setdefault(self._entry(text), []).append(doc)

    def _entry(self, main: str, notes: tuple[str, ...] = ()) -> int:
        title = self.titles.add(main, notes)
        if title == len(self.title_docs):
            self.title_docs.append([])
        return title

    def _finish(self) -> None:
        """Per-surface opening counts: the prior that ranks ambiguous initials (bj -> 保洁)."""
        counts = [len(d) + len(self.tag_docs.get(t, ())) for t, d in enumerate(self.title_docs)]
        self.prior = [0] * len(self.vocabulary.surfaces)
        for surface, postings in self.titles.postings.items():
            self.prior[surface] = sum(counts[o.title] for o in postings)
        self.suggester = Suggester(self.vocabulary, self.prior)
        self.doc_title = np.array(self._doc_title, dtype=np.int32)
        weights = (TITLE_FIELD, TAG_FIELD, EMPLOYER_FIELD, DESCRIPTION_FIELD)
        limits = (None, None, None, DESCRIPTION_CHARS)
        self.lexical = LexicalIndex.build(
            list(zip(weights, self._fields, limits, strict=True)), len(self.docs.refs)
        )
        self._fields = ([], [], [], [])
        self._doc_title = []
        self.columns = Columns.of(self.docs)
        for title in range(len(self.titles.texts)):
            for code, score in self._title_occupations(title):
                self.occupation_titles.setdefault(code, []).append((title, score))

    def _title_occupations(self, title: int) -> list[tuple[str, float]]:
        """Occupations a title surely names, from the job words found in it at build time
        (the outermost ones: 维修电工, not 电工 inside it): the best and those tied with it."""
        best: dict[int, float] = {}
        surfaces = self.vocabulary.surfaces
        for part in self.titles.parts[title]:
            for start, stop, surface in part.spans:
                if surfaces[surface] in _HEADS or any(
                    a <= start and stop <= b and (a, b) != (start, stop) for a, b, _s in part.spans
                ):
                    continue
                where = placement(start, stop, part)
                for occupation, weight in self.vocabulary.occupation_links(surface):
                    best[occupation] = max(best.get(occupation, 0.0), where * weight)
        return _sure(best, self.vocabulary, TITLE_OCCUPATION_SURE)

    def _occupations(
        self, tokens: Sequence[str], shares: Sequence[float]
    ) -> list[tuple[str, float]]:
        """Occupations a query surely names (a head word such as 主管 names none, although
        published aliases like 财务经理/主管 list it): the best and those tied with it. A
        token's matches count by ``shares`` (how much of it the vocabulary explains)."""
        best: dict[int, float] = {}
        surfaces = self.vocabulary.surfaces
        for token, share in zip(tokens, shares, strict=True):
            for match in self.vocabulary.match_terms(token, self.prior):
                if surfaces[match.surface] in _HEADS:
                    continue
                for occupation, weight in self.vocabulary.occupation_links(match.surface):
                    score = match.score * weight * share
                    best[occupation] = max(best.get(occupation, 0.0), score)
        return _sure(best, self.vocabulary, OCCUPATION_SURE)

    def _explained(self, token: str) -> tuple[float, str]:
        """How much of a token the vocabulary's exact words explain, as a factor 0..1, and
        the rest of the token (its unknown words, space-separated).
        Characters weigh by their rarity in titles; a character no title has cannot rank
        anything and weighs nothing, nor do head and seniority words. Pinyin and fuzzy
        readings explain the whole token."""
        if is_ascii_query(token):
            return 1.0, ""
        covered = self.vocabulary.terms.covered(token)
        if not any(covered):
            return 1.0, ""
        text = compact(token)
        total = known = 0.0
        rest = []
        for char, held, generic in zip(text, covered, generic_positions(text), strict=True):
            rarity = 0.0 if generic else self.lexical.char_idf(char)  # 员, 高级: no job
            total += rarity
            known += rarity if held else 0.0
            rest.append(" " if held or generic else char)
        if total <= 0 or known >= total:
            return 1.0, ""
        return known / total, " ".join("".join(rest).split())

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
        """Openings matching what a resident typed (see the module docstring).

        ``now`` defaults to the current time; naive datetimes are taken as UTC.
        """
        tokens, text, codes, filter_ = self._understand(query, areas, area_codes)
        moment = timestamp(now or datetime.now(UTC)) or 0.0
        start = max(0, offset)
        quality, candidates, related_tiers = self._candidates(tokens, text, filter_)
        top = start + max(0, limit)
        wider = None
        if filter_ is not None:
            wider = area_filter(self.docs.by_area, _enclosing_areas(codes), self._contains(areas))
        ranked, total, widened = self._ranked(quality, candidates, filter_, wider, moment, top)
        near_from: int | None = None
        tiers = related_tiers() if total < NEAR_FILL else []
        if tiers:  # few close answers: related ones after them
            area = wider if widened else filter_
            if total == 0:  # the related ones decide whether the search widens
                union = np.concatenate(tiers)
                widened = self._ranked(quality, union, filter_, wider, moment, 1)[2]
                area = wider if widened else filter_
            for tier in tiers:
                more, count = rank_array(self.columns, quality, tier, area, moment, top - total)
                if count:
                    near_from = total if near_from is None else near_from
                    ranked, total = ranked + more, total + count
        hits = tuple(Hit(self.docs.refs[d], round(s, 2)) for s, d in ranked[start:])
        suggestions: tuple[str, ...] = ()
        related = True
        if total == 0 and tokens:  # nothing shares even a character: other keywords

            def finds(term: str) -> bool:
                groups = title_groups(self._term_scores(term), self.title_docs)
                return any_live(self.docs, groups, filter_, moment)

            found, related = self.suggester.suggest(tokens, finds)
            suggestions = tuple(found)
        return SearchResult(hits, total, codes, suggestions, widened, text, related, near_from)

    def _ranked(
        self,
        quality: npt.NDArray[np.float32],
        candidates: npt.NDArray[np.intp],
        filter_: AreaFilter | None,
        wider: AreaFilter | None,
        moment: float,
        top: int,
    ) -> tuple[list[tuple[float, int]], int, tuple[str, ...]]:
        """Ranked candidates inside the area filter, else inside the enclosing areas (then
        the third value names those areas)."""
        ranked, total = rank_array(self.columns, quality, candidates, filter_, moment, top)
        if total or wider is None or not len(candidates):
            return ranked, total, ()
        ranked, total = rank_array(self.columns, quality, candidates, wider, moment, top)
        return ranked, total, tuple(sorted(wider.exact)) if total else ()

    @staticmethod
    def _contains(areas: AreaLookup | None) -> Callable[[str, str], bool]:
        return areas.contains if areas is not None else _prefix_contains

    def _understand(
        self, query: str, areas: AreaLookup | None, area_codes: Sequence[str]
    ) -> tuple[list[str], str, tuple[str, ...], AreaFilter | None]:
        """Search tokens, the lexical query, area codes (named in the query, else given) and
        the area filter."""
        text = to_simplified(query)
        codes: tuple[str, ...] = tuple(area_codes)
        contains = areas.contains if areas is not None else _prefix_contains
        if areas is not None:
            self._place_unplaced(areas)
            named, text = areas.find_in_text(text)
            codes = _narrowest(named, contains) or codes
        filter_ = area_filter(self.docs.by_area, codes, contains)
        known = self.vocabulary.terms.ids
        return query_tokens(text, known), lexical_query(text, known), codes, filter_

    def _place_unplaced(self, areas: AreaLookup) -> None:
        """Openings given only an area name get a code from the first lookup that knows it."""
        if not self.docs.unplaced or areas is self._placed_with:
            return
        self._placed_with = areas

        def resolve(name: str) -> str | None:
            codes = _narrowest(areas.find_in_text(to_simplified(name))[0], areas.contains)
            return codes[0] if len(codes) == 1 else None  # ambiguous (市中区): leave it

        self.docs.place(resolve)
        self.columns = Columns.of(self.docs)

    def _term_scores(self, term: str) -> dict[int, float]:
        """Title scores of one suggested keyword, cached (the same few keywords recur)."""
        cached = self._suggestion_cache.get(term)
        if cached is None:
            if len(self._suggestion_cache) >= _SUGGESTION_CACHE:
                self._suggestion_cache.clear()
            cached = query_scores([term], self.vocabulary, self.titles, self.prior)
            self._suggestion_cache[term] = cached
        return cached

    def _candidates(
        self, tokens: Sequence[str], text: str, filter_: AreaFilter | None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.intp], Callable[[], list[Tier]]]:
        """Quality per opening (both layers blended), the openings that are answers, and
        what finds the tiers of related ones (only asked for when the answers are few),
        nearest first: of the same occupation family as one the query names; sharing a
        distinctive pair, or a distinctive character ending a word on both sides; sharing a
        head word of two or more characters (董事助理 and 副总助理: both assistants)."""
        size = len(self.docs.refs)
        found = self.lexical.match(text, " ".join(tokens)) if text else None
        lexical = found.coverage if found is not None else None
        if not tokens and lexical is None:
            if filter_ is None:
                return np.zeros(size, dtype=np.float32), np.zeros(0, dtype=np.intp), _no_tiers
            return np.full(size, 100.0, dtype=np.float32), np.arange(size, dtype=np.intp), _no_tiers
        vocab = np.zeros(size, dtype=np.float32)
        vocab_answer = np.zeros(size, dtype=np.bool_)
        named: list[tuple[str, float]] = []
        if tokens:
            explained = [self._explained(t) for t in tokens]
            shares = [share for share, _rest in explained]
            scores = query_scores(tokens, self.vocabulary, self.titles, self.prior, shares)
            by_title = np.zeros(len(self.titles.texts), dtype=np.float32)
            if scores:
                by_title[np.fromiter(scores, dtype=np.intp)] = np.fromiter(
                    scores.values(), dtype=np.float32
                )
            named = self._occupations(tokens, shares)
            for code, sure in named:
                for title, score in self.occupation_titles.get(code, ()):
                    same_job = OCCUPATION_QUALITY * min(sure, score) / 100
                    if same_job > by_title[title]:
                        by_title[title] = same_job
            vocab = by_title[self.doc_title]
            for title in self.tag_docs.keys() & scores.keys():  # matched by a tag: keep the best
                members = np.array(self.tag_docs[title], dtype=np.intp)
                vocab[members] = np.maximum(vocab[members], scores[title] * TAG_WEIGHT)
            vocab_answer = vocab > 0
            for share, rest in explained:  # the unknown words carry the rest of the token
                unknown = self.lexical.match(rest) if rest else None
                if unknown is not None:
                    vocab += (1 - share) * 100 * unknown.coverage
        answer = vocab_answer  # query_scores keeps only GOOD titles; occupations only sure ones
        quality = VOCAB_SHARE * vocab
        if lexical is not None:
            assert found is not None
            core = found.core  # extra words (包吃住) raise openings but do not admit them
            best = float(core.max()) if size else 0.0
            bar = max(LEX_FLOOR, min(LEX_MIN, LEX_RELATIVE * best))
            answer |= (core >= bar) & found.chars
            answer |= found.pairs & (core >= LEX_PAIR)  # a shared distinctive pair counts
            quality += LEX_SHARE * lexical

        def tiers() -> list[Tier]:
            related: list[npt.NDArray[np.bool_]] = []
            if named:
                related.append(self._family(named))
            if found is not None:
                related.append(found.pairs)  # a shared distinctive pair, however long
                shared = found.shared & (found.core >= NEAR_MIN)
                related.append(self._same_head_char(tokens, shared))
                related.append(found.heads)
            out: list[Tier] = []
            taken = answer.copy()
            for mask in related:
                tier = np.flatnonzero(mask & ~taken)
                if len(tier):
                    out.append(tier)
                    taken[tier] = True
            return out

        return quality, np.flatnonzero(answer), tiers

    def _same_head_char(
        self, tokens: Sequence[str], shared: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.bool_]:
        """Of the openings sharing one distinctive character, those where it ends a word on
        both sides: Chinese compounds end in their head (化验 and 检验 are both 验, tests;
        彩妆 and 化妆 both 妆), while a shared first character often is not (保安, 保洁;
        飞行, 行政)."""
        ends: set[str] = set()
        for token in tokens:
            generic = generic_positions(token)
            for i, char in enumerate(token):
                distinct = not generic[i] and has_cjk(char)
                after = i + 1 < len(token) and not generic[i + 1] and has_cjk(token[i + 1])
                before = i > 0 and not generic[i - 1] and has_cjk(token[i - 1])
                if distinct and before and not after:
                    ends.add(char)
        if not ends or not shared.any():
            return np.zeros_like(shared)
        titles = np.unique(self.doc_title[shared])
        texts = self.titles.texts
        kept = [
            title
            for title in titles.tolist()
            if any(
                k > 0 and has_cjk(texts[title][k - 1])
                for char in ends
                for k in _positions(texts[title], char)
            )
        ]
        return shared & np.isin(self.doc_title, np.array(kept, dtype=np.int32))

    def _family(self, named: Sequence[tuple[str, float]]) -> npt.NDArray[np.bool_]:
        """Per opening, whether its title names an occupation of the same family (小类 of
        the classification) as one the query names."""
        families = {code[:_FAMILY_DIGITS] for code, _sure in named}
        titles = [
            title
            for code, found in self.occupation_titles.items()
            if code[:_FAMILY_DIGITS] in families
            for title, _score in found
        ]
        return np.isin(self.doc_title, np.array(titles, dtype=np.int32))


def _no_tiers() -> list[Tier]:
    return []


def _positions(text: str, char: str) -> list[int]:
    return [k for k, c in enumerate(text) if c == char]


def _sure(
    scores: dict[int, float], vocabulary: Vocabulary, threshold: float
) -> list[tuple[str, float]]:
    if not scores:
        return []
    top = max(scores.values())
    if top < threshold:
        return []
    return [(vocabulary.occupations[o].code, s) for o, s in scores.items() if s >= top - 0.5]


def _enclosing_areas(codes: Sequence[str]) -> tuple[str, ...]:
    """The areas one level up, never above a city (历下区 -> 济南市): the nearest openings."""
    out: list[str] = []
    for code in codes:
        prefix = area_prefix(code)
        shorter = [d for d in _CODE_LEVELS if 4 <= d < len(prefix)]
        if shorter:
            parent = prefix[: shorter[-1]].ljust(12, "0")
            if parent not in out:
                out.append(parent)
    return tuple(out)
