"""Quality on labelled job titles (bench/data/labelled_titles.csv) against a plain character
BM25 baseline computed in the same run: the search must do better, and answer nearly every
query that shares two or more characters with a relevant title."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.real_titles import PlainBM25
from core.matching import SearchIndex, Vocabulary
from core.matching.evaluation import (
    LabelledTitle,
    evaluate_titles,
    load_labelled_titles,
    title_docs,
)

DATA = Path(__file__).resolve().parents[2] / "bench" / "data" / "labelled_titles.csv"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
MAX_EMPTY_WHEN_SHARING = 0.10


@pytest.fixture(scope="module")
def titles() -> list[LabelledTitle]:
    return load_labelled_titles(DATA)


def test_labelled_titles_cover_many_occupations(titles: list[LabelledTitle]) -> None:
    codes = {t.code for t in titles}
    assert len(titles) >= 260 and len(codes) >= 50
    assert all(len([t for t in titles if t.code == c]) >= 3 for c in codes)


def test_search_beats_plain_bm25_on_labelled_titles(
    titles: list[LabelledTitle], vocabulary: Vocabulary
) -> None:
    docs = title_docs(titles)
    refs = [d.ref for d in docs]
    index = SearchIndex.build(docs, vocabulary)
    bm25 = PlainBM25([t.title for t in titles])
    ours = evaluate_titles(
        "jobbot", titles, lambda q: [h.ref for h in index.search(q, limit=6, now=NOW).hits]
    )
    plain = evaluate_titles("bm25", titles, lambda q: [refs[i] for i in bm25.rank(q)[:6]])
    assert ours.hit_at_k > plain.hit_at_k, (ours.hit_at_k, plain.hit_at_k, ours.misses)
    assert ours.precision_at_k > plain.precision_at_k
    assert ours.empty_sharing <= MAX_EMPTY_WHEN_SHARING, ours.misses
