"""Search quality on labelled job titles (bench/data/labelled_titles.csv), beside baselines.

Leave-one-out: every title is a query against openings made of all the titles; the other
titles of its occupation code are the relevant answers (the query's own opening is left
out). Compared in the same run with a plain character unigram+bigram BM25 over the titles
(no vocabulary, no head-word weighting) and rapidfuzz WRatio over the titles.

    python bench/real_titles.py [--file bench/data/labelled_titles.csv] [--misses]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rapidfuzz import fuzz, process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from core.matching.evaluation import (  # noqa: E402
    LabelledTitle,
    TitleReport,
    evaluate_titles,
    load_labelled_titles,
    title_docs,
)
from core.matching.lexical import fold  # noqa: E402
from core.matching.search import SearchIndex  # noqa: E402
from core.matching.vocabulary import load_vocabulary  # noqa: E402

DATA = ROOT / "bench" / "data" / "labelled_titles.csv"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def grams(text: str) -> list[str]:
    out: list[str] = []
    for part in fold(text).split():
        out.extend(part)
        out.extend(part[i : i + 2] for i in range(len(part) - 1))
    return out


class PlainBM25:
    """Textbook BM25 (k1 1.2, b 0.75) over character unigrams and bigrams of the titles."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.docs = [Counter(grams(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / max(1, len(self.lengths))
        df: Counter[str] = Counter(g for d in self.docs for g in d)
        n = len(self.docs)
        self.idf = {g: math.log1p((n - c + 0.5) / (c + 0.5)) for g, c in df.items()}

    def rank(self, query: str) -> list[int]:
        wanted = set(grams(query))
        scored = []
        for i, doc in enumerate(self.docs):
            score = 0.0
            for g in wanted & doc.keys():
                tf = doc[g]
                norm = 1.2 * (1 - 0.75 + 0.75 * self.lengths[i] / self.avg)
                score += self.idf[g] * tf * 2.2 / (tf + norm)
            if score > 0:
                scored.append((-score, i))
        return [i for _s, i in sorted(scored)]


def run(titles: list[LabelledTitle], show_misses: bool) -> list[TitleReport]:
    docs = title_docs(titles)
    refs = [d.ref for d in docs]
    index = SearchIndex.build(docs, load_vocabulary(ROOT / "content"))
    bm25 = PlainBM25([t.title for t in titles])
    texts = [t.title for t in titles]
    reports = [
        evaluate_titles(
            "jobbot", titles, lambda q: [h.ref for h in index.search(q, limit=6, now=NOW).hits]
        ),
        evaluate_titles("char BM25", titles, lambda q: [refs[i] for i in bm25.rank(q)[:6]]),
        evaluate_titles(
            "WRatio",
            titles,
            lambda q: [
                refs[k] for _t, _s, k in process.extract(q, texts, scorer=fuzz.WRatio, limit=6)
            ],
        ),
    ]
    for r in reports:
        print(
            f"  {r.name:10} hit@5 {r.hit_at_k:.3f}  precision@5 {r.precision_at_k:.3f}  "
            f"empty {r.empty:.1%}  empty among queries sharing >=2 chars {r.empty_sharing:.1%}"
        )
    if show_misses:
        for miss in reports[0].misses:
            print(f"  miss: {miss}")
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--file", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    titles = load_labelled_titles(args.file)
    print(f"machine: {describe()}")
    codes = len({t.code for t in titles})
    print(f"{len(titles)} labelled titles, {codes} occupations ({args.file.name}):")
    run(titles, args.misses)


if __name__ == "__main__":
    main()
