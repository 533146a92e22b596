"""Scoring distinct titles against one query token (0..100, higher is better)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence

from core.matching.normalize import HEAD_WORDS, is_ascii_query
from core.matching.pinyin import pinyin_forms
from core.matching.titles import Occurrence, TitleTable
from core.matching.vocabulary import Vocabulary

GOOD = 70.0  # below this a title is not a match worth showing
_TITLE_INITIALS_WEIGHT = 0.95
FOREIGN_COMPOUND = 0.88  # 电工 inside 水电工, 服务员 inside 家政服务员: a different job
# A generic head word found inside a longer token (主管 in 校招主管) does not name the job:
# left to the lexical layer, which weighs the token's other characters.
HEAD_INSIDE = 0.6
_HEADS = frozenset(HEAD_WORDS)


def _in_context(occurrence: Occurrence, related: Container[int]) -> float:
    """Occurrence score, lowered when it sits inside a known word of another job."""
    if any(surface not in related for surface in occurrence.enclosing):
        return occurrence.score * FOREIGN_COMPOUND
    return occurrence.score


def _keep_max(scores: dict[int, float], pairs: Iterable[tuple[int, float]]) -> None:
    for title, score in pairs:
        if score > scores.get(title, 0.0):
            scores[title] = score


def expansion_weights(token: str, vocabulary: Vocabulary, prior: Sequence[int]) -> dict[int, float]:
    """Surfaces that stand for what the token means, weighted 0..1."""
    weights: dict[int, float] = {}
    for match in vocabulary.match_terms(token, prior):
        surface = vocabulary.surfaces[match.surface]
        damp = HEAD_INSIDE if surface in _HEADS and len(surface) < len(token) else 1.0
        for link in vocabulary.expansions(match.surface):
            weight = match.score / 100 * link.weight * damp
            if weight > weights.get(link.surface, 0.0):
                weights[link.surface] = weight
    return weights


def vocabulary_scores(weights: Mapping[int, float], titles: TitleTable) -> dict[int, float]:
    """Titles containing a surface the token means, or a surface of the same job."""
    scores: dict[int, float] = {}
    for surface, weight in weights.items():
        postings = titles.postings.get(surface, ())
        _keep_max(scores, ((o.title, weight * _in_context(o, weights)) for o in postings))
    return scores


def direct_scores(token: str, titles: TitleTable, related: Container[int]) -> dict[int, float]:
    """Titles containing the token itself (hanzi), or its letters as pinyin or initials."""
    scores: dict[int, float] = {}
    if not is_ascii_query(token):
        _keep_max(scores, ((o.title, _in_context(o, related)) for o in titles.containing(token)))
        return scores
    letters = token.lower()
    if len(letters) >= 3 and letters.isalpha():
        _keep_max(scores, titles.pinyin_containing(letters))
    if 2 <= len(letters) <= 5 and letters.isalpha():
        pairs = titles.initials_prefixed(letters)
        _keep_max(scores, ((t, s * _TITLE_INITIALS_WEIGHT) for t, s in pairs))
    return scores


def token_scores(
    token: str, vocabulary: Vocabulary, titles: TitleTable, prior: Sequence[int]
) -> dict[int, float]:
    """Best score per title for one token; fuzzy title matching only when nothing else fits."""
    weights = expansion_weights(token, vocabulary, prior)
    scores = vocabulary_scores(weights, titles)
    _keep_max(scores, direct_scores(token, titles, weights).items())
    if not any(score >= GOOD for score in scores.values()):
        _keep_max(scores, titles.fuzzy(token, pinyin_forms(token).full))
    return {title: score for title, score in scores.items() if score >= GOOD}


def query_scores(
    tokens: Sequence[str],
    vocabulary: Vocabulary,
    titles: TitleTable,
    prior: Sequence[int],
    shares: Sequence[float] = (),
) -> dict[int, float]:
    """Combine tokens: a title scores its best token, plus 2 for every other token it matches.

    ``shares`` (one per token, default 1) scale each token's scores after the GOOD cut: how
    much of the token the vocabulary explains (see ``SearchIndex._explained``)."""
    per_token = [token_scores(t, vocabulary, titles, prior) for t in tokens]
    for scores, share in zip(per_token, shares, strict=False):
        if share < 1.0:
            for title in scores:
                scores[title] *= share
    if len(per_token) == 1:
        return per_token[0]
    combined: dict[int, float] = {}
    for scores in per_token:
        for title, score in scores.items():
            combined[title] = max(combined.get(title, 0.0), score)
    for title in combined:
        matched = sum(1 for scores in per_token if title in scores)
        combined[title] += 2.0 * (matched - 1)
    return combined
