"""Alternative keywords for a query that found nothing worth showing.

Only keywords related to the query: close ones (by hanzi and pinyin similarity), then those
of the same occupation family (会计 -> 出纳, 审计), then those sharing a distinctive
character (not a generic 员 or 工). When nothing related finds openings, the commonest
keywords that do, marked as not related (the chat says "most wanted" rather than "did you
mean"). Always only keywords that find openings under the same area filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process

from core.matching.normalize import HEAD_WORDS, generic_positions, has_cjk, is_ascii_query
from core.matching.pinyin import pinyin_forms
from core.matching.vocabulary import Vocabulary

_HANZI_CUTOFF = 60.0
_PINYIN_CUTOFF = 70.0
_CANDIDATES = 12
_FAMILY_SCORE = 58.0  # below a close keyword, above a shared character
_SHARED_SCORE = 45.0  # plus 5 per further distinctive character shared
_HEAD_CHARS = frozenset("".join(HEAD_WORDS))
_FAMILY_DIGITS = 7  # 2-06-03-01 -> 2-06-03: the 小类 of 《职业分类大典》


class Suggester:
    """Suggests canonical keywords (synonym keys, occupation names) that have openings."""

    def __init__(self, vocabulary: Vocabulary, prior: Sequence[int]) -> None:
        weight: dict[str, int] = {}
        for surface, count in enumerate(prior):
            term = vocabulary.keyword_for(surface)
            if count > 0 and term is not None:
                weight[term] = weight.get(term, 0) + count
        self._terms = sorted(weight, key=lambda t: -weight[t])
        self._weight = weight
        self._pinyin = [pinyin_forms(t).full for t in self._terms]
        self._vocabulary = vocabulary
        self._by_char: dict[str, list[str]] = {}
        for term in self._terms:
            for ch in set(term):
                if has_cjk(ch):
                    self._by_char.setdefault(ch, []).append(term)
        self._families: dict[str, frozenset[str]] = {}

    def suggest(
        self, tokens: Sequence[str], accept: Callable[[str], bool], limit: int = 5
    ) -> tuple[list[str], bool]:
        """Up to ``limit`` keywords for which ``accept`` (a search that finds) holds, and
        whether they are related to the tokens (else they are the commonest ones)."""
        scored: dict[str, float] = {}
        for token in tokens:
            for term, score in self._close(token):
                if term not in tokens and score > scored.get(term, 0.0):
                    scored[term] = score
            # Latin letters (hr, baoan) are pinyin or initials: only ``_close`` reads them
            related = [*self._family(token), *self._sharing(token)] if has_cjk(token) else []
            for term, score in related:
                if term not in tokens and score > scored.get(term, 0.0):
                    scored[term] = score
        ranked = sorted(scored, key=lambda t: (-scored[t], -self._weight[t], t))
        out = _first_accepted(ranked, accept, limit)
        if out:
            return out, True
        popular = [t for t in self._terms if t not in tokens]
        return _first_accepted(popular[: _CANDIDATES * 2], accept, limit), False

    def _family_of(self, text: str) -> frozenset[str]:
        found = self._families.get(text)
        if found is None:
            found = frozenset(
                m.code[:_FAMILY_DIGITS]
                for m in self._vocabulary.match_occupations(text, limit=3)
                if m.score >= 88  # a job the text names, not a generic alias (主管)
            )
            self._families[text] = found
        return found

    def _family(self, token: str) -> list[tuple[str, float]]:
        """Keywords naming an occupation of the same family as the token's."""
        families = self._family_of(token)
        if not families:
            return []
        pool = {t for ch in set(token) for t in self._by_char.get(ch, ())}
        pool.update(self._terms[: _CANDIDATES * 4])
        return [(t, _FAMILY_SCORE) for t in pool if self._family_of(t) & families]

    def _sharing(self, token: str) -> list[tuple[str, float]]:
        """Keywords sharing characters with the token, distinctive ones first."""
        found: list[tuple[str, float]] = []
        pool = {t for ch in set(token) for t in self._by_char.get(ch, ())}
        for term in pool:
            shared = set(term) & set(token)
            distinct = shared - _HEAD_CHARS
            if distinct:  # a generic 员 or 工 alone does not make a keyword related
                found.append((term, _SHARED_SCORE + 5 * (len(distinct) - 1)))
        return found

    def _close(self, token: str) -> list[tuple[str, float]]:
        found: list[tuple[str, float]] = []
        if not is_ascii_query(token):
            for term, score, _i in process.extract(
                token,
                self._terms,
                scorer=fuzz.WRatio,
                score_cutoff=_HANZI_CUTOFF,
                limit=_CANDIDATES,
            ):
                if (set(term) & set(token)) - _HEAD_CHARS:  # not merely a shared 员
                    found.append((term, score))
        pinyin = pinyin_forms(token).full
        sounds = _job_syllables(token) if has_cjk(token) else None
        if len(pinyin) >= 3:
            for _p, score, i in process.extract(
                pinyin,
                self._pinyin,
                scorer=fuzz.ratio,
                score_cutoff=_PINYIN_CUTOFF,
                limit=_CANDIDATES,
            ):
                term = self._terms[i]
                # sounding alike must come from the job's part (宝安 -> 保安), not from a
                # shared 员 (礼宾员 is not 护林员)
                if sounds is None or sounds & _job_syllables(term):
                    found.append((term, score * 0.95))
        return found


def _job_syllables(text: str) -> set[str]:
    """Syllables of the characters outside head and seniority words."""
    forms = pinyin_forms(text)
    generic = generic_positions(text)
    if len(forms.syllables) != len(text):
        return set(forms.syllables)
    return {s for s, g in zip(forms.syllables, generic, strict=True) if not g}


def _first_accepted(terms: Sequence[str], accept: Callable[[str], bool], limit: int) -> list[str]:
    out: list[str] = []
    for term in terms:
        if len(out) == limit:
            break
        if accept(term):
            out.append(term)
    return out
