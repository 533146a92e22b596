"""Measuring search quality on a labelled query set (hit@k and MRR).

Used by ``bench/search.py`` and by the quality-floor test. The query file is YAML::

    now: 2026-12-01            # search time (openings expiring before it are gone)
    areas: {济南: 370100000000, 历下区: 370102000000}
    queries:
      - q: 宝安
        kind: homophone
        relevant: [DEMO-0001, DEMO-0017]    # empty list: nothing should match
        suggest: true                        # optional: suggestions expected

``NamedAreas`` is a minimal name-table :class:`AreaLookup` for that file and for tests; the
application's own lookup (from ``content/areas.yaml``) replaces it in production.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from core.matching.normalize import to_simplified
from core.matching.search import OpeningDoc, SearchIndex, area_prefix


class NamedAreas:
    """Area lookup from a name -> 12-digit code table; containment by code prefix."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self._names = sorted(names.items(), key=lambda item: -len(item[0]))

    def names(self) -> list[tuple[str, str]]:
        """(name, code) pairs, longest name first."""
        return list(self._names)

    def find_in_text(self, text: str) -> tuple[list[str], str]:
        codes: list[str] = []
        for name, code in self._names:
            if name in text:
                codes.append(code)
                text = text.replace(name, " ")
        return codes, text

    def contains(self, ancestor_code: str, code: str) -> bool:
        return code.startswith(area_prefix(ancestor_code))

    def most_specific(self, text: str) -> str | None:
        codes, _rest = self.find_in_text(text)
        return max(codes, key=lambda c: len(area_prefix(c)), default=None)


@dataclass(frozen=True)
class LabelledQuery:
    q: str
    kind: str
    relevant: frozenset[str]
    suggest: bool = False


@dataclass(frozen=True)
class QuerySet:
    now: datetime
    areas: NamedAreas
    queries: tuple[LabelledQuery, ...]


@dataclass
class QualityReport:
    hit_at_k: float
    mrr: float
    empty_ok: float  # share of no-answer queries that returned nothing
    count: int
    by_kind: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)


def _as_datetime(value: date | datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def load_query_set(path: Path) -> QuerySet:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    queries = tuple(
        LabelledQuery(
            q=str(item["q"]),
            kind=str(item["kind"]),
            relevant=frozenset(str(r) for r in item.get("relevant") or ()),
            suggest=bool(item.get("suggest", False)),
        )
        for item in data["queries"]
    )
    areas = NamedAreas({str(k): str(v) for k, v in data["areas"].items()})
    return QuerySet(now=_as_datetime(data["now"]), areas=areas, queries=queries)


def load_openings_csv(path: Path, areas: NamedAreas) -> list[OpeningDoc]:
    """Openings from a CSV in the import format (demo data); area names resolved by ``areas``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        OpeningDoc(
            ref=row["id"],
            title=row["title"],
            employer=row["employer"],
            area_code=areas.most_specific(to_simplified(row["area"])),
            area_name=row["area"],
            posted_at=_as_datetime(row["posted_at"]) if row.get("posted_at") else None,
            expires_at=_end_of_day(row["expires_at"]) if row.get("expires_at") else None,
            tags=tuple(t for t in (row.get("tags") or "").split("|") if t),
        )
        for row in rows
    ]


def _end_of_day(value: str) -> datetime:
    moment = _as_datetime(value)
    if len(value) <= 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment


def evaluate(
    index: SearchIndex, query_set: QuerySet, k: int = 5, queries: Iterable[LabelledQuery] = ()
) -> QualityReport:
    """hit@k and MRR over queries with answers; no-answer queries must come back without a
    close answer (related openings, marked by ``near_from``, may follow)."""
    chosen: Sequence[LabelledQuery] = tuple(queries) or query_set.queries
    ranks: list[tuple[LabelledQuery, int | None]] = []
    empty_ok: list[bool] = []
    misses: list[str] = []
    for item in chosen:
        result = index.search(item.q, areas=query_set.areas, limit=k, now=query_set.now)
        refs = [hit.ref for hit in result.hits]
        if not item.relevant:  # nothing close; related openings shown as such may follow
            close = refs[: result.near_from] if result.near_from is not None else refs
            offered = bool(result.suggestions) or bool(refs)
            ok = not close and (offered or not item.suggest)
            empty_ok.append(ok)
            if not ok:
                misses.append(f"{item.kind}: {item.q!r} should be empty, got {refs}")
            continue
        rank = next((i + 1 for i, ref in enumerate(refs) if ref in item.relevant), None)
        ranks.append((item, rank))
        if rank is None:
            misses.append(f"{item.kind}: {item.q!r} missed, got {refs}")
    return _report(ranks, empty_ok, misses)


def _report(
    ranks: Sequence[tuple[LabelledQuery, int | None]], empty_ok: Sequence[bool], misses: list[str]
) -> QualityReport:
    def summary(rows: Sequence[tuple[LabelledQuery, int | None]]) -> tuple[float, float]:
        if not rows:
            return 0.0, 0.0
        hit = sum(1 for _q, r in rows if r is not None) / len(rows)
        mrr = sum(1 / r for _q, r in rows if r is not None) / len(rows)
        return hit, mrr

    by_kind: dict[str, tuple[int, float, float]] = {}
    for kind in sorted({q.kind for q, _r in ranks}):
        rows = [row for row in ranks if row[0].kind == kind]
        by_kind[kind] = (len(rows), *summary(rows))
    hit, mrr = summary(ranks)
    empty = sum(empty_ok) / len(empty_ok) if empty_ok else 1.0
    by_kind["no-answer"] = (len(empty_ok), empty, empty)
    return QualityReport(hit, mrr, empty, len(ranks) + len(empty_ok), by_kind, misses)


@dataclass(frozen=True)
class LabelledTitle:
    code: str  # occupation code (《职业分类大典》)
    title: str


@dataclass
class TitleReport:
    """Leave-one-out retrieval over labelled titles: each title is a query, the other titles
    of its occupation are the relevant ones, and the query's own opening is left out."""

    name: str
    queries: int
    hit_at_k: float
    precision_at_k: float
    empty: float  # share of queries answered with nothing
    empty_sharing: float  # ... among queries sharing >= 2 characters with a relevant title
    misses: list[str] = field(default_factory=list)


def load_labelled_titles(path: Path) -> list[LabelledTitle]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelledTitle(row["code"].strip(), row["title"].strip())
            for row in csv.DictReader(handle)
            if row.get("title", "").strip()
        ]


def title_docs(titles: Sequence[LabelledTitle]) -> list[OpeningDoc]:
    """One opening per labelled title (ref = its row number), all live, no area."""
    return [
        OpeningDoc(f"T{i:05d}", t.title, "", None, "", None, None) for i, t in enumerate(titles)
    ]


def evaluate_titles(
    name: str,
    titles: Sequence[LabelledTitle],
    ranker: Callable[[str], Sequence[str]],
    k: int = 5,
) -> TitleReport:
    """``ranker(query)`` returns refs (T00000 …) best first, the query's own among them or not."""
    code_of = {f"T{i:05d}": t.code for i, t in enumerate(titles)}
    by_code: dict[str, list[str]] = {}
    for t in titles:
        by_code.setdefault(t.code, []).append(t.title)
    hits = precision = empty = sharing = empty_sharing = 0
    counted = 0
    misses: list[str] = []
    for i, item in enumerate(titles):
        others = [t for t in by_code[item.code] if t != item.title]
        if not others:
            continue
        counted += 1
        own = f"T{i:05d}"
        found = [r for r in ranker(item.title) if r != own][:k]
        relevant = sum(1 for r in found if code_of.get(r) == item.code)
        hits += relevant > 0
        precision += relevant
        shares = any(len(set(item.title) & set(o)) >= 2 for o in others)
        sharing += shares
        if not found:
            empty += 1
            empty_sharing += shares
        if relevant == 0:
            misses.append(
                f"{item.title} ({item.code}): {[titles[int(r[1:])].title for r in found]}"
            )
    return TitleReport(
        name,
        counted,
        hits / counted if counted else 0.0,
        precision / (counted * k) if counted else 0.0,
        empty / counted if counted else 0.0,
        empty_sharing / sharing if sharing else 0.0,
        misses,
    )
