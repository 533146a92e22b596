"""Alternative keywords for a query that found nothing worth showing.

Close keywords first (by hanzi and pinyin similarity); when none is close, the commonest
keywords. Either way only keywords that find openings under the same area filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process

from core.matching.normalize import is_ascii_query
from core.matching.pinyin import pinyin_forms
from core.matching.vocabulary import Vocabulary

_HANZI_CUTOFF = 60.0
_PINYIN_CUTOFF = 70.0
_CANDIDATES = 12


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

    def suggest(
        self, tokens: Sequence[str], accept: Callable[[str], bool], limit: int = 5
    ) -> list[str]:
        """Up to ``limit`` close keywords for which ``accept`` (a search that finds) holds."""
        scored: dict[str, float] = {}
        for token in tokens:
            for term, score in self._close(token):
                if term not in tokens and score > scored.get(term, 0.0):
                    scored[term] = score
        ranked = sorted(scored, key=lambda t: (-scored[t], -self._weight[t], t))
        out = _first_accepted(ranked, accept, limit)
        if not out:  # nothing close: offer the commonest keywords that do find openings
            popular = [t for t in self._terms if t not in tokens]
            out = _first_accepted(popular[: _CANDIDATES * 2], accept, limit)
        return out

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
                found.append((term, score))
        pinyin = pinyin_forms(token).full
        if len(pinyin) >= 3:
            for _p, score, i in process.extract(
                pinyin,
                self._pinyin,
                scorer=fuzz.ratio,
                score_cutoff=_PINYIN_CUTOFF,
                limit=_CANDIDATES,
            ):
                found.append((self._terms[i], score * 0.95))
        return found


def _first_accepted(terms: Sequence[str], accept: Callable[[str], bool], limit: int) -> list[str]:
    out: list[str] = []
    for term in terms:
        if len(out) == limit:
            break
        if accept(term):
            out.append(term)
    return out
