"""Per-opening ranking: expiry, area filter, freshness and area bonus on top of match quality."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

FRESH_BONUS = 4.0  # points for an opening posted today, fading to 0 at FRESH_DAYS
FRESH_DAYS = 60.0
EXACT_AREA_BONUS = 1.0  # opening placed exactly in the requested area (not a sub-area)
_DAY = 86_400.0


def timestamp(moment: datetime | None) -> float | None:
    """POSIX seconds; naive datetimes are taken as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass
class DocTable:
    """Column store of the openings (index i is one opening)."""

    refs: list[str] = field(default_factory=list)
    area_codes: list[str | None] = field(default_factory=list)
    posted: list[float | None] = field(default_factory=list)
    expires: list[float | None] = field(default_factory=list)
    by_area: dict[str | None, list[int]] = field(default_factory=dict)

    def add(self, ref: str, area_code: str | None, posted: float | None, expires: float | None) -> int:
        doc = len(self.refs)
        self.refs.append(ref)
        self.area_codes.append(area_code)
        self.posted.append(posted)
        self.expires.append(expires)
        self.by_area.setdefault(area_code, []).append(doc)
        return doc


@dataclass(frozen=True)
class AreaFilter:
    """Which area codes pass, and which earn the exact-area bonus."""

    allowed: frozenset[str | None]
    exact: frozenset[str]


def area_filter(
    doc_codes: Iterable[str | None], wanted: Sequence[str], contains: Callable[[str, str], bool]
) -> AreaFilter | None:
    """Resolve requested codes against the distinct codes present in the index."""
    if not wanted:
        return None
    allowed = frozenset(
        code for code in doc_codes if code is not None and any(contains(w, code) for w in wanted)
    )
    return AreaFilter(allowed=allowed, exact=frozenset(wanted))


def _freshness(posted: float | None, now: float) -> float:
    if posted is None:
        return 0.0
    age = max(0.0, (now - posted) / _DAY)
    return FRESH_BONUS * max(0.0, 1.0 - age / FRESH_DAYS)


def rank(
    docs: DocTable,
    candidates: Iterable[tuple[int, float]],
    areas: AreaFilter | None,
    now: float,
    top: int,
) -> tuple[list[tuple[float, int]], int]:
    """Score live (and in-area) candidates; return the best ``top`` and how many there were."""
    scored: list[tuple[float, float, int]] = []
    expires, posted, codes = docs.expires, docs.posted, docs.area_codes
    for doc, quality in candidates:
        end = expires[doc]
        if end is not None and end < now:
            continue
        bonus = 0.0
        if areas is not None:
            code = codes[doc]
            if code not in areas.allowed:
                continue
            if code in areas.exact:
                bonus = EXACT_AREA_BONUS
        when = posted[doc]
        score = quality + bonus + _freshness(when, now)
        scored.append((score, when or 0.0, -doc))
    best = heapq.nlargest(top, scored)
    return [(score, -neg_doc) for score, _when, neg_doc in best], len(scored)


def candidates_from_titles(
    title_scores: Mapping[int, float],
    title_docs: Sequence[Sequence[int]] | Mapping[int, Sequence[int]],
) -> Iterable[tuple[int, float]]:
    for title, quality in title_scores.items():
        for doc in title_docs[title]:
            yield doc, quality
