"""Search quality on the labelled query set over the demo openings, and the demo data itself."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from core.matching import SearchIndex, Vocabulary
from core.matching.evaluation import QuerySet, evaluate, load_openings_csv, load_query_set
from core.openings.rows import COLUMNS
from tests.matching.conftest import CONTENT

QUERIES = Path(__file__).with_name("queries.yaml")
DEMO = CONTENT / "demo" / "openings.csv"
KINDS = {
    "exact",
    "partial",
    "synonym",
    "homophone",
    "pinyin",
    "initials",
    "traditional",
    "area",
    "phrase",
    "none",
}

# Floors a little below what the engine reaches (hit@5 1.00, MRR 1.00 when set).
HIT_AT_5_FLOOR = 0.95
MRR_FLOOR = 0.90
NO_ANSWER_FLOOR = 0.90
KIND_HIT_FLOOR = 0.85


@pytest.fixture(scope="module")
def query_set() -> QuerySet:
    return load_query_set(QUERIES)


@pytest.fixture(scope="module")
def demo_index(vocabulary: Vocabulary, query_set: QuerySet) -> SearchIndex:
    return SearchIndex.build(load_openings_csv(DEMO, query_set.areas), vocabulary)


def test_labelled_set_covers_every_kind(query_set: QuerySet) -> None:
    kinds = Counter(q.kind for q in query_set.queries)
    assert len(query_set.queries) >= 80
    assert set(kinds) == KINDS
    assert min(kinds.values()) >= 8


def test_labelled_refs_exist_and_are_live(query_set: QuerySet) -> None:
    docs = {d.ref: d for d in load_openings_csv(DEMO, query_set.areas)}
    for query in query_set.queries:
        for ref in query.relevant:
            assert ref in docs, (query.q, ref)
            expires = docs[ref].expires_at
            assert expires is None or expires >= query_set.now, (query.q, ref)


def test_search_quality_holds_its_floor(demo_index: SearchIndex, query_set: QuerySet) -> None:
    report = evaluate(demo_index, query_set)
    assert report.hit_at_k >= HIT_AT_5_FLOOR, report.misses
    assert report.mrr >= MRR_FLOOR, report.misses
    assert report.empty_ok >= NO_ANSWER_FLOOR, report.misses
    for kind, (_count, hit, _mrr) in report.by_kind.items():
        assert hit >= KIND_HIT_FLOOR, (kind, report.misses)


def test_demo_openings_are_realistic_and_marked_as_demo() -> None:
    with DEMO.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert 300 <= len(rows) <= 400
    assert list(rows[0]) == list(COLUMNS)
    assert len({r["id"] for r in rows}) == len(rows)
    assert all("演示数据" in r["description"] for r in rows)
    assert all(r["contact"].endswith("00000000（演示）") for r in rows)
    assert all("2026-10-01" <= r["posted_at"] <= r["expires_at"] <= "2027-03-31" for r in rows)
    assert sum("公益性岗位" in r["tags"] for r in rows) >= 10
