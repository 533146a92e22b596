"""Quality on labelled job titles against a plain character BM25 baseline computed in the same
run (leave-one-out, see bench/real_titles.py).

The real set is not in the repository (its source states no licence; bench/data/README.md):
bench/real_titles.py measures it. bench/data/invented_titles.csv holds titles written for
this project; there the search must do better than BM25."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench.real_titles import PlainBM25
from core.matching import SearchIndex, Vocabulary
from core.matching.evaluation import (
    LabelledTitle,
    TitleReport,
    evaluate_titles,
    load_labelled_titles,
    title_docs,
)

ROOT = Path(__file__).resolve().parents[2]
INVENTED = ROOT / "bench" / "data" / "invented_titles.csv"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def compare(titles: list[LabelledTitle], vocabulary: Vocabulary) -> tuple[TitleReport, TitleReport]:
    docs = title_docs(titles)
    refs = [d.ref for d in docs]
    index = SearchIndex.build(docs, vocabulary)
    bm25 = PlainBM25([t.title for t in titles])
    ours = evaluate_titles(
        "jobbot", titles, lambda q: [h.ref for h in index.search(q, limit=6, now=NOW).hits]
    )
    plain = evaluate_titles("bm25", titles, lambda q: [refs[i] for i in bm25.rank(q)[:6]])
    return ours, plain


def test_search_beats_plain_bm25_on_invented_titles(vocabulary: Vocabulary) -> None:
    titles = load_labelled_titles(INVENTED)
    assert len(titles) >= 260 and len({t.code for t in titles}) >= 50
    ours, plain = compare(titles, vocabulary)
    assert ours.hit_at_k > plain.hit_at_k, (ours.hit_at_k, plain.hit_at_k, ours.misses)
    assert ours.precision_at_k > plain.precision_at_k
    assert ours.empty_sharing <= 0.10, ours.misses
