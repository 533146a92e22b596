"""Job-opening search at scale: build time, memory and query latency, with a baseline.

Generates N openings (default 100,000) whose titles are drawn from the occupation list and
the synonym table, dressed the way postings are written (急招…包吃住, 【区】…（白班）, salary
figures), spread over the Shandong areas of the labelled query set. Then, on one core:

* ``SearchIndex.build`` time and resident memory added;
* p50/p95 latency over a mixed query load (labelled queries of every kind, random occupation
  names, their pinyin and initials, 2-character fragments, area + keyword, nonsense);
* the same for the baseline ``rapidfuzz.process.extract(query, raw_titles, scorer=WRatio,
  limit=5)`` (its "build" is making the title list);
* hit@5 and MRR on ``tests/matching/queries.yaml`` over the demo openings, for both;
* hit@5, precision@5 and empty answers on labelled job titles (the real set when
  ``JOBBOT_REAL_TITLES`` names it, else the invented one) beside a plain character BM25 and
  WRatio (``bench/real_titles.py``).

    python bench/search.py [--openings 100000] [--queries 1000] [--baseline-queries 200]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from bench.real_titles import DATA as REAL_TITLES  # noqa: E402
from bench.real_titles import INVENTED  # noqa: E402
from bench.real_titles import run as run_titles  # noqa: E402
from core.matching.evaluation import (  # noqa: E402
    QuerySet,
    evaluate,
    load_labelled_titles,
    load_openings_csv,
    load_query_set,
)
from core.matching.pinyin import pinyin_forms  # noqa: E402
from core.matching.search import OpeningDoc, SearchIndex  # noqa: E402
from core.matching.vocabulary import Vocabulary, load_vocabulary  # noqa: E402

QUERIES = ROOT / "tests" / "matching" / "queries.yaml"
DEMO = ROOT / "content" / "demo" / "openings.csv"

PREFIXES = ["", "", "", "急招", "诚聘", "高薪招聘", "【{area}】", "招聘", "{area}"]
SUFFIXES = [
    "",
    "",
    "",
    " 包吃住",
    " 五险一金",
    "（白班）",
    "（夜班）",
    "（长白班）",
    " 月薪4000-6000元",
    "（有经验优先）",
    "（持证上岗）",
    " 双休",
    "（2名）",
]


TAGS = ["包吃住", "五险一金", "双休", "日结", "C1驾照", "公益性岗位", "长白班", "可兼职"]
DESCRIPTIONS = [
    "招聘{word}若干名，工作地点{area}，要求身体健康，吃苦耐劳，有相关经验者优先。",
    "负责{word}相关工作，服从安排，待遇面议，公司缴纳社保，节假日福利。",
    "{area}某单位诚聘{word}，月休四天，提供住宿，工资按月发放。",
    "",
]


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux), 0 where unknown."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def job_words(vocabulary: Vocabulary) -> tuple[list[str], list[str]]:
    """(common words: synonym terms, used for most openings; rare: all occupation names/aliases)."""
    common = [t for g in vocabulary.groups for t in (g.canonical, *g.aliases[:3])]
    rare = [n for o in vocabulary.occupations for n in (o.name, *o.aliases[:2]) if "/" not in n]
    return common, rare


def generate(
    n: int, vocabulary: Vocabulary, query_set: QuerySet, seed: int = 7
) -> list[OpeningDoc]:
    rng = random.Random(seed)
    common, rare = job_words(vocabulary)
    areas = [(name, code) for name, code in _area_names(query_set)]
    start = datetime(2026, 9, 1, tzinfo=UTC)
    docs = []
    for i in range(n):
        word = rng.choice(common) if rng.random() < 0.75 else rng.choice(rare)
        area_name, area_code = rng.choice(areas)
        short = area_name[:-1] if len(area_name) > 2 else area_name
        title = rng.choice(PREFIXES).format(area=short) + word + rng.choice(SUFFIXES)
        posted = start + timedelta(days=rng.randint(0, 90))
        docs.append(
            OpeningDoc(
                ref=f"B{i:06d}",
                title=title,
                employer=f"某{rng.randint(1, 999)}号企业",
                area_code=area_code,
                area_name=area_name,
                posted_at=posted,
                expires_at=posted + timedelta(days=rng.choice([20, 45, 60, 90, 120])),
                tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
                description=rng.choice(DESCRIPTIONS).format(word=word, area=area_name),
            )
        )
    return docs


def _area_names(query_set: QuerySet) -> list[tuple[str, str]]:
    return [(n, c) for n, c in query_set.areas.names() if n.endswith(("市", "区", "县"))]


def query_load(size: int, vocabulary: Vocabulary, query_set: QuerySet, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    labelled = [q.q for q in query_set.queries]
    common, rare = job_words(vocabulary)
    areas = [name for name, _code in _area_names(query_set)]
    makers: list[tuple[float, Callable[[], str]]] = [
        (0.40, lambda: rng.choice(labelled)),
        (0.15, lambda: rng.choice(common)),
        (0.10, lambda: rng.choice(rare)),
        (0.08, lambda: pinyin_forms(rng.choice(common)).full),
        (0.05, lambda: pinyin_forms(rng.choice(common)).initials),
        (0.08, lambda: _fragment(rng, rng.choice(common + rare))),
        (0.10, lambda: f"{rng.choice(areas)} {rng.choice(common)}"),
        (0.04, lambda: rng.choice(["宇航员", "xyzzy", "区块链", "潜水教练", "钢琴调律", "abc"])),
    ]
    weights = [w for w, _m in makers]
    return [rng.choices(makers, weights)[0][1]() for _ in range(size)]


def _fragment(rng: random.Random, word: str) -> str:
    if len(word) <= 2:
        return word
    start = rng.randrange(len(word) - 1)
    return word[start : start + 2]


def time_queries_cpu(
    run: Callable[[str], object], queries: Sequence[str]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per query. On a machine shared with other work the
    CPU time is what the query would take on a core of its own; both are printed."""
    wall, cpu = [], []
    for query in queries:
        began, began_cpu = time.perf_counter(), time.thread_time()
        run(query)
        cpu.append((time.thread_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    return wall, cpu


def load_average() -> str:
    try:
        return f"load average {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load average unknown"


def baseline_quality(query_set: QuerySet, docs: Sequence[OpeningDoc]) -> tuple[float, float]:
    """hit@5/MRR of plain WRatio over raw titles of the live demo openings (no areas)."""
    live = [d for d in docs if d.expires_at is None or d.expires_at >= query_set.now]
    titles = [d.title for d in live]
    hits, reciprocal, counted = 0, 0.0, 0
    for item in query_set.queries:
        if not item.relevant:
            continue
        counted += 1
        found = process.extract(item.q, titles, scorer=fuzz.WRatio, limit=5)
        rank = next(
            (i + 1 for i, (_t, _s, k) in enumerate(found) if live[k].ref in item.relevant), 0
        )
        hits += rank > 0
        reciprocal += 1 / rank if rank else 0.0
    return hits / counted, reciprocal / counted


def bench_index(
    docs: list[OpeningDoc], vocabulary: Vocabulary, qs: QuerySet, load: list[str]
) -> None:
    gc.collect()
    before = rss_mb()
    began, began_cpu = time.perf_counter(), time.process_time()
    index = SearchIndex.build(docs, vocabulary)
    build_s, build_cpu = time.perf_counter() - began, time.process_time() - began_cpu
    gc.collect()
    added = rss_mb() - before
    print(f"\nopenings: {len(docs)}, distinct indexed texts: {len(index.titles.texts)}")
    timings, cpu = time_queries_cpu(lambda q: index.search(q, areas=qs.areas, now=qs.now), load)
    print(
        f"jobbot index: build {build_s:.2f} s ({build_cpu:.2f} s CPU), +{added:.0f} MB RSS, "
        f"p50 {percentile(timings, 0.5):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms, "
        f"max {max(timings):.1f} ms, mean {statistics.fmean(timings):.2f} ms "
        f"over {len(load)} queries; CPU p50 {percentile(cpu, 0.5):.2f} ms, "
        f"p95 {percentile(cpu, 0.95):.2f} ms ({load_average()})"
    )


def bench_baseline(docs: list[OpeningDoc], sample: list[str]) -> None:
    gc.collect()
    before = rss_mb()
    began = time.perf_counter()
    raw_titles = [d.title for d in docs]
    build_s = time.perf_counter() - began
    added = rss_mb() - before

    def run(query: str) -> object:
        return process.extract(query, raw_titles, scorer=fuzz.WRatio, limit=5)

    timings, cpu = time_queries_cpu(run, sample)
    print(
        f"baseline WRatio over raw titles: build {build_s:.2f} s, +{added:.0f} MB RSS, "
        f"p50 {percentile(timings, 0.5):.2f} ms, p95 {percentile(timings, 0.95):.2f} ms "
        f"over {len(sample)} queries; CPU p50 {percentile(cpu, 0.5):.2f} ms, "
        f"p95 {percentile(cpu, 0.95):.2f} ms"
    )


def report_quality(vocabulary: Vocabulary, query_set: QuerySet) -> None:
    demo = load_openings_csv(DEMO, query_set.areas)
    report = evaluate(SearchIndex.build(demo, vocabulary), query_set)
    base_hit, base_mrr = baseline_quality(query_set, demo)
    print(f"\nquality on {QUERIES.relative_to(ROOT)} ({report.count} queries, demo openings):")
    print(
        f"  jobbot:   hit@5 {report.hit_at_k:.3f}  MRR {report.mrr:.3f}  "
        f"no-answer queries without a close answer {report.empty_ok:.3f}"
    )
    print(f"  baseline: hit@5 {base_hit:.3f}  MRR {base_mrr:.3f}  (no area filter, never empty)")
    for kind, (count, hit, mrr) in report.by_kind.items():
        if kind == "no-answer":
            print(f"    {kind:12} n={count:3d}  no close answer {hit:.3f}")
        else:
            print(f"    {kind:12} n={count:3d}  hit@5 {hit:.3f}  MRR {mrr:.3f}")
    for miss in report.misses:
        print(f"  miss: {miss}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--openings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--baseline-queries", type=int, default=200)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    print(f"machine: {describe()}; pinned to one core")
    query_set = load_query_set(QUERIES)
    began = time.perf_counter()
    vocabulary = load_vocabulary(ROOT / "content")
    print(
        f"vocabulary: {len(vocabulary.surfaces)} surfaces, loaded in "
        f"{time.perf_counter() - began:.2f} s"
    )
    docs = generate(args.openings, vocabulary, query_set)
    load = query_load(args.queries, vocabulary, query_set)
    bench_index(docs, vocabulary, query_set, load)
    bench_baseline(docs, load[: args.baseline_queries])
    report_quality(vocabulary, query_set)
    path, kind = (REAL_TITLES, "real") if REAL_TITLES else (INVENTED, "invented, not real")
    titles = load_labelled_titles(path)
    print(f"\nlabelled job titles ({len(titles)}, {kind}, leave-one-out, {path.name}):")
    run_titles(titles, show_misses=False, holdout=False)


if __name__ == "__main__":
    main()
