"""Per-opening ranking: expiry, area filter, freshness and area bonus on top of match quality."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

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
    unplaced: dict[str, list[int]] = field(default_factory=dict)  # area name -> docs, no code

    def place(self, resolve: Callable[[str], str | None]) -> None:
        """Give openings that came with an area name but no code the code ``resolve`` finds."""
        for name in list(self.unplaced):
            code = resolve(name)
            if code is None:
                continue
            for doc in self.unplaced.pop(name):
                self.area_codes[doc] = code
                self.by_area.setdefault(code, []).append(doc)
        self.by_area[None] = [d for d in self.by_area.get(None, []) if self.area_codes[d] is None]

    def add(
        self,
        ref: str,
        area_code: str | None,
        posted: float | None,
        expires: float | None,
        area_name: str = "",
    ) -> int:
        doc = len(self.refs)
        self.refs.append(ref)
        self.area_codes.append(area_code)
        self.posted.append(posted)
        self.expires.append(expires)
        self.by_area.setdefault(area_code, []).append(doc)
        if area_code is None and area_name.strip():
            self.unplaced.setdefault(area_name.strip(), []).append(doc)
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


Group = tuple[float, Sequence[int]]  # match quality shared by these openings


def any_live(docs: DocTable, groups: Iterable[Group], areas: AreaFilter | None, now: float) -> bool:
    """Whether any opening is unexpired and inside the area filter (stops at the first)."""
    for _quality, members in groups:
        for doc in members:
            end = docs.expires[doc]
            if (end is None or end >= now) and (
                areas is None or docs.area_codes[doc] in areas.allowed
            ):
                return True
    return False


def title_groups(
    title_scores: Mapping[int, float],
    title_docs: Sequence[Sequence[int]] | Mapping[int, Sequence[int]],
    weight: float = 1.0,
) -> list[Group]:
    """(quality, openings) per matched title; ``weight`` scales the quality (tag matches)."""
    return [(quality * weight, title_docs[title]) for title, quality in title_scores.items()]


@dataclass
class Columns:
    """The openings as numpy columns, for ranking many candidates at once."""

    expires: npt.NDArray[np.float64]  # +inf: no end
    posted: npt.NDArray[np.float64]  # nan: unknown
    area: npt.NDArray[np.int32]  # index into codes; -1: unplaced
    codes: tuple[str, ...]

    @classmethod
    def of(cls, docs: DocTable) -> Columns:
        codes = tuple(sorted({c for c in docs.area_codes if c is not None}))
        position = {code: i for i, code in enumerate(codes)}
        return cls(
            np.array([math.inf if e is None else e for e in docs.expires], dtype=np.float64),
            np.array([math.nan if p is None else p for p in docs.posted], dtype=np.float64),
            np.array([position.get(c, -1) if c else -1 for c in docs.area_codes], dtype=np.int32),
            codes,
        )

    def area_mask(self, codes: Iterable[str | None]) -> npt.NDArray[np.bool_]:
        """Per area index (shifted by one: slot 0 is "unplaced"), whether it is in ``codes``."""
        wanted = set(codes)
        mask = np.zeros(len(self.codes) + 1, dtype=np.bool_)
        mask[0] = None in wanted
        for i, code in enumerate(self.codes):
            mask[i + 1] = code in wanted
        return mask


def rank_array(
    columns: Columns,
    quality: npt.NDArray[np.float32],
    candidates: npt.NDArray[np.intp],
    areas: AreaFilter | None,
    now: float,
    top: int,
) -> tuple[list[tuple[float, int]], int]:
    """``rank`` for candidates given as an index array with a quality per opening."""
    cand = candidates[columns.expires[candidates] >= now]
    score = quality[cand].astype(np.float64)
    if areas is not None:
        slot = columns.area[cand] + 1
        keep = columns.area_mask(areas.allowed)[slot]
        cand, score, slot = cand[keep], score[keep], slot[keep]
        score += EXACT_AREA_BONUS * columns.area_mask(areas.exact)[slot]
    age = now - columns.posted[cand]
    horizon = FRESH_DAYS * _DAY
    fresh = np.where(age <= 0, FRESH_BONUS, FRESH_BONUS - age * (FRESH_BONUS / horizon))
    score += np.where(np.isnan(age) | (age >= horizon), 0.0, fresh)
    total = len(cand)
    if total > top > 0:
        cut = np.partition(score, total - top)[total - top]
        chosen = score >= cut
        cand, score = cand[chosen], score[chosen]
    order = np.lexsort((cand, -score))[: max(top, 0)]
    return [(float(score[i]), int(cand[i])) for i in order], total
