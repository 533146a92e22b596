"""Close alternative keywords for a query that found nothing worth showing."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process

from core.matching.normalize import is_ascii_query
from core.matching.pinyin import pinyin_forms
from core.matching.vocabulary import Vocabulary

_HANZI_CUTOFF = 50.0
_PINYIN_CUTOFF = 60.0


class Suggester:
    """Suggests only keywords that would find openings in this index."""

    def __init__(self, vocabulary: Vocabulary, prior: Sequence[int]) -> None:
        self._vocabulary = vocabulary
        self._ids = [s for s, count in enumerate(prior) if count > 0]
        self._prior = prior
        self._surfaces = [vocabulary.surfaces[s] for s in self._ids]
        self._pinyin = [vocabulary.terms.pinyin[s] for s in self._ids]

    def suggest(self, tokens: Sequence[str], limit: int = 5) -> list[str]:
        best: dict[str, tuple[float, int]] = {}
        for token in tokens:
            for surface, score in self._close(token):
                term = self._vocabulary.display_term(surface)
                if term in tokens:
                    continue
                key = (score, self._prior[surface])
                if term not in best or key > best[term]:
                    best[term] = key
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], -item[1][1], item[0]))
        return [term for term, _key in ranked[:limit]]

    def _close(self, token: str) -> list[tuple[int, float]]:
        found: list[tuple[int, float]] = []
        if not is_ascii_query(token):
            for _s, score, i in process.extract(
                token, self._surfaces, scorer=fuzz.WRatio, score_cutoff=_HANZI_CUTOFF, limit=10
            ):
                found.append((self._ids[i], score))
        pinyin = pinyin_forms(token).full
        if len(pinyin) >= 3:
            for _p, score, i in process.extract(
                pinyin, self._pinyin, scorer=fuzz.ratio, score_cutoff=_PINYIN_CUTOFF, limit=10
            ):
                found.append((self._ids[i], score * 0.95))
        return found
