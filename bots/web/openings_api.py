"""Public openings API for hall screens and kiosks: `GET /api/openings`, `/api/openings/{ref}`.

Openings are public information; no personal data is served here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Query
from pydantic import BaseModel
from sqlmodel import col, func, select

from core.openings.models import Opening
from core.runtime import Runtime
from core.timeutil import utcnow

MAX_LIMIT = 100


class OpeningOut(BaseModel):
    ref: str
    title: str
    employer: str
    area: str
    salary_min: int | None
    salary_max: int | None
    headcount: int | None
    posted_at: datetime | None
    expires_at: datetime | None
    tags: list[str]
    score: float | None = None


class OpeningDetail(OpeningOut):
    description: str
    contact: str


class OpeningPage(BaseModel):
    items: list[OpeningOut]
    total: int
    # nothing in the requested area: the items come from these enclosing areas (its city)
    widened_to: list[str] = []
    # few or no close matches: from this position of the whole result (0-based, counted
    # before offset) on, the items are related openings (same occupation family, or sharing
    # a distinctive word), not matches; null when every item matches
    related_from: int | None = None


def _out(opening: Opening, score: float | None = None) -> OpeningOut:
    return OpeningOut(
        ref=opening.ref,
        title=opening.title,
        employer=opening.employer,
        area=opening.area_name,
        salary_min=opening.salary_min,
        salary_max=opening.salary_max,
        headcount=opening.headcount,
        posted_at=opening.posted_at,
        expires_at=opening.expires_at,
        tags=list(opening.tags),
        score=score,
    )


def _live(now: datetime):  # type: ignore[no-untyped-def]
    return (col(Opening.expires_at).is_(None)) | (col(Opening.expires_at) > now)


def install(app: FastAPI, runtime: Runtime) -> None:
    router = APIRouter(prefix="/api/openings", tags=["openings"])

    @router.get("", response_model=OpeningPage)
    async def list_openings(
        q: Annotated[str, Query(max_length=60, description="keyword, pinyin, area…")] = "",
        area: Annotated[str, Query(max_length=40, description="area code or name")] = "",
        limit: Annotated[int, Query(ge=1, description=f"page size, capped at {MAX_LIMIT}")] = 20,
        offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    ) -> OpeningPage:
        codes = _area_codes(runtime, area)
        size = min(limit, MAX_LIMIT)
        return await anyio.to_thread.run_sync(_page, runtime, q.strip(), codes, size, offset)

    @router.get("/{ref}", response_model=OpeningDetail)
    async def one_opening(ref: str) -> OpeningDetail:
        opening = await anyio.to_thread.run_sync(_one, runtime, ref)
        if opening is None:
            raise HTTPException(status_code=404, detail="no such open position")
        return OpeningDetail(
            **_out(opening).model_dump(), description=opening.description, contact=opening.contact
        )

    app.include_router(router)


def _area_codes(runtime: Runtime, area: str) -> tuple[str, ...]:
    """An area code, a name (历下区, 历下) or a full name as the bot shows it (济南市历下区).
    A name several areas share (市中区) is refused with the full names to choose from."""
    tree = runtime.content.areas
    area = "".join(area.split())
    if not area:
        return ()
    if tree.get(area) is not None:
        return (area,)
    found = [a.code for a in tree.by_name(area)]
    if not found:
        named, rest = tree.find_in_text(area)
        inner = [c for c in named if not any(o != c and tree.contains(c, o) for o in named)]
        if not rest and len(inner) == 1:  # a full name: the innermost area it names
            found = inner
    if not found:
        raise HTTPException(
            status_code=422,
            detail=f"unknown area {area!r}: give an area code "
            "or a name from the area list, such as 历下区 or 济南市历下区",
        )
    if len(found) > 1:
        choices = ", ".join(f"{tree.full_name(c)} ({c})" for c in found)
        raise HTTPException(
            status_code=422,
            detail=f"area {area!r} names more than one place: {choices}; "
            "give the full name or the code",
        )
    return tuple(found)


def _page(runtime: Runtime, q: str, codes: tuple[str, ...], limit: int, offset: int) -> OpeningPage:
    now = utcnow()
    if q or codes:
        result = runtime.catalogue.index().search(
            q, areas=runtime.content.areas, area_codes=codes, limit=limit, offset=offset, now=now
        )
        with runtime.db.reading() as session:
            rows = {
                o.ref: o
                for o in session.exec(
                    select(Opening).where(col(Opening.ref).in_([h.ref for h in result.hits]))
                )
            }
        items = [_out(rows[h.ref], round(h.score, 2)) for h in result.hits if h.ref in rows]
        return OpeningPage(
            items=items,
            total=result.total,
            widened_to=list(result.widened),
            related_from=result.near_from,
        )
    with runtime.db.reading() as session:
        total = session.exec(select(func.count()).select_from(Opening).where(_live(now))).one()
        rows_list = session.exec(
            select(Opening)
            .where(_live(now))
            .order_by(col(Opening.posted_at).desc(), col(Opening.id))
            .offset(offset)
            .limit(limit)
        ).all()
    return OpeningPage(items=[_out(o) for o in rows_list], total=int(total))


def _one(runtime: Runtime, ref: str) -> Opening | None:
    with runtime.db.reading() as session:
        opening = session.exec(select(Opening).where(Opening.ref == ref)).first()
    if opening is None or (opening.expires_at is not None and opening.expires_at <= utcnow()):
        return None
    return opening
