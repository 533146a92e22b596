"""Search quality on real job titles labelled with occupation codes, beside baselines.

The real set is a file of real job-title strings from public data, labelled by hand with
codes of ``content/occupations.csv`` (how it was made: ``bench/data/README.md``). It is not
in the repository: its source carries no licence to redistribute, so it is kept beside the
checkout and given with ``--file`` or ``JOBBOT_REAL_TITLES``.
``bench/data/invented_titles.csv`` (titles written for this project) is run after it for
comparison only, and is not real data.

Leave-one-out: every title is a query against openings made of all the titles; the other
titles of its occupation code are the relevant answers (the query's own opening is left
out), so every query is a different title of the same occupation. Compared in the same run
with a plain character unigram+bigram BM25 over the titles (no vocabulary, no head-word
weighting) and rapidfuzz WRatio over the titles; the jobbot-versus-BM25 difference in hit@5
is given with a paired bootstrap interval.

    python bench/real_titles.py [--file REAL_TITLES.csv] [--misses] [--no-invented] [--holdout]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
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

DATA = Path(os.environ["JOBBOT_REAL_TITLES"]) if os.environ.get("JOBBOT_REAL_TITLES") else None
INVENTED = ROOT / "bench" / "data" / "invented_titles.csv"
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


Ranker = Callable[[str], list[str]]


def rankers(titles: list[LabelledTitle], holdout: bool = False) -> dict[str, Ranker]:
    """The three methods, each answering with refs best first (at most 6).

    ``holdout``: jobbot answers each query from an index built without the query's own
    title (a resident's words are not an opening), not from one index holding every title
    (its own opening is then dropped from the answers, as for the baselines)."""
    docs = title_docs(titles)
    refs = [d.ref for d in docs]
    vocabulary = load_vocabulary(ROOT / "content")
    index = SearchIndex.build(docs, vocabulary)
    bm25 = PlainBM25([t.title for t in titles])
    texts = [t.title for t in titles]
    position = {t.title: i for i, t in enumerate(titles)}

    def without_own(query: str) -> list[str]:
        own = position.get(query)
        rest = [d for i, d in enumerate(docs) if i != own]
        held_out = SearchIndex.build(rest, vocabulary)
        return [h.ref for h in held_out.search(query, limit=6, now=NOW).hits]

    return {
        "jobbot": without_own
        if holdout
        else lambda q: [h.ref for h in index.search(q, limit=6, now=NOW).hits],
        "char BM25": lambda q: [refs[i] for i in bm25.rank(q)[:6]],
        "WRatio": lambda q: [
            refs[k] for _t, _s, k in process.extract(q, texts, scorer=fuzz.WRatio, limit=6)
        ],
    }


def hits_per_query(titles: list[LabelledTitle], ranker: Ranker, k: int = 5) -> list[bool]:
    """For each counted query (one with another title of its code): a relevant answer in the
    top k, the query's own opening left out (the rule of ``evaluate_titles``)."""
    out: list[bool] = []
    for i, item in enumerate(titles):
        if len({t.title for t in titles if t.code == item.code}) < 2:
            continue
        own = f"T{i:05d}"
        found = [r for r in ranker(item.title) if r != own][:k]
        out.append(any(titles[int(r[1:])].code == item.code for r in found))
    return out


def paired_difference(a: list[bool], b: list[bool], rounds: int = 2000) -> tuple[float, float]:
    """95 % paired bootstrap interval of mean(a) - mean(b) (fixed seed, reproducible)."""
    rng = random.Random(12)
    n = len(a)
    diffs = sorted(
        sum(a[j] - b[j] for j in (rng.randrange(n) for _ in range(n))) / n for _ in range(rounds)
    )
    return diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]


def run(titles: list[LabelledTitle], show_misses: bool, holdout: bool) -> list[TitleReport]:
    methods = rankers(titles, holdout)
    reports = [evaluate_titles(name, titles, ranker) for name, ranker in methods.items()]
    for r in reports:
        print(
            f"  {r.name:10} hit@5 {r.hit_at_k:.3f}  precision@5 {r.precision_at_k:.3f}  "
            f"empty {r.empty:.1%}  empty among queries sharing >=2 chars {r.empty_sharing:.1%}"
        )
    ours = hits_per_query(titles, methods["jobbot"])
    plain = hits_per_query(titles, methods["char BM25"])
    low, high = paired_difference(ours, plain)
    only_ours = sum(o and not p for o, p in zip(ours, plain, strict=True))
    only_plain = sum(p and not o for o, p in zip(ours, plain, strict=True))
    print(
        f"  jobbot - BM25 hit@5: {(sum(ours) - sum(plain)) / len(ours):+.3f} "
        f"(95% paired bootstrap {low:+.3f} .. {high:+.3f}); hit by jobbot only {only_ours}, "
        f"by BM25 only {only_plain}, of {len(ours)} queries"
    )
    if show_misses:
        for miss in reports[0].misses:
            print(f"  miss: {miss}")
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--file", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true")
    parser.add_argument("--no-invented", action="store_true", help="skip the invented set")
    parser.add_argument(
        "--holdout",
        action="store_true",
        help="answer each query from an index without its own title (slower)",
    )
    args = parser.parse_args()
    print(f"machine: {describe()}")
    sets: list[tuple[Path, str]] = []
    if args.file is None:
        print("no real set given (--file or JOBBOT_REAL_TITLES): see bench/data/README.md")
    else:
        sets.append((args.file, ""))
    if not args.no_invented and (args.file is None or args.file.resolve() != INVENTED.resolve()):
        sets.append((INVENTED, "; invented, for comparison only, not real data"))
    for path, note in sets:
        titles = load_labelled_titles(path)
        codes = len({t.code for t in titles})
        print(f"{len(titles)} labelled titles, {codes} occupations ({path.name}{note}):")
        mode = (
            "held out: an index per query without its title"
            if args.holdout
            else ("leave-one-out: one index, the query's own opening dropped from the answers")
        )
        print(f"  mode: {mode}")
        run(titles, args.misses, args.holdout)


if __name__ == "__main__":
    main()
