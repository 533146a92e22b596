"""Booking over HTTP: the staff's day (``/api/staff/bookings/...``, same bearer tokens and
area rules as the registration API) and the hall's queue screen (``/screen/queue``).

Refusals change nothing: 401 without a valid token, 403 for an office outside the
member's area, 404 for an unknown office or booking, 422 for a step not possible now or
a bad body. Names are masked. "Now" is the runtime's clock (the engine's), as in chat.
The screen is public (it hangs in the hall): queue numbers and windows only, never a name.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from bots.web.staff_api import RuntimeDep, StaffDep
from core.booking import hall
from core.booking import services as svc
from core.booking.models import Booking
from core.booking.offices import Office, offices_for
from core.booking.present import service_name
from core.people.personal import mask_name
from core.people.staff import StaffView
from core.runtime import Runtime
from core.timeutil import local

BookingId = Annotated[int, Path(ge=1, le=2**31 - 1)]
OfficeCode = Annotated[str, Query(pattern=r"^\d{12}$")]
REFRESH_SECONDS = 5

staff_router = APIRouter(prefix="/api/staff/bookings", tags=["staff", "booking"])
screen_router = APIRouter(prefix="/screen", tags=["screen"])


class BookingOut(BaseModel):
    id: int
    number: str
    queue_no: str
    office: str
    service: str
    service_name: str
    day: date
    start: str
    starts_at: datetime
    status: str
    name: str  # masked
    window: int | None
    note: str


class DayOut(BaseModel):
    office: str
    day: date
    items: list[BookingOut]


class CallIn(BaseModel):
    office: str = Field(pattern=r"^\d{12}$")
    window: int = Field(default=1, ge=1, le=99)


class CallOut(BaseModel):
    called: BookingOut | None


class DoneIn(BaseModel):
    note: str = Field(default="", max_length=500)


class BoardOut(BaseModel):
    office: str
    office_name: str
    day: date
    serving: list[dict[str, str | int]]
    waiting: list[str]
    served: int


def install(app: FastAPI, runtime: Runtime) -> None:
    app.include_router(staff_router)
    app.include_router(screen_router)


def _office(runtime: Runtime, staff: StaffView | None, code: str) -> Office:
    office = offices_for(runtime.content).get(code)
    if office is None:
        raise HTTPException(404, "unknown office")
    if staff is not None and not runtime.content.areas.contains(staff.area_code, code):
        raise HTTPException(403, "office outside your area")
    return office


def _out(runtime: Runtime, session: Session, booking: Booking) -> BookingOut:
    assert booking.id is not None
    return BookingOut(
        id=booking.id,
        number=booking.number,
        queue_no=booking.queue_no,
        office=booking.office,
        service=booking.service,
        service_name=service_name(runtime.content, booking.service, "zh-CN"),
        day=booking.day,
        start=booking.start,
        starts_at=booking.starts_at,
        status=booking.status,
        name=mask_name(runtime.vault.decrypt(booking.name_enc)),
        window=booking.window,
        note=booking.note,
    )


@staff_router.get("", response_model=DayOut)
def day_list(
    staff: StaffDep,
    runtime: RuntimeDep,
    office: OfficeCode,
    day: Annotated[date | None, Query()] = None,
) -> DayOut:
    """The office's bookings of a day (default today) in time order, names masked."""
    chosen = _office(runtime, staff, office)
    wanted = day or local(runtime.engine.clock()).date()
    with runtime.db.transaction() as session:
        rows = svc.day_of(session, chosen.code, wanted)
        return DayOut(
            office=chosen.code, day=wanted, items=[_out(runtime, session, b) for b in rows]
        )


@staff_router.post("/call", response_model=CallOut)
def call_next(staff: StaffDep, runtime: RuntimeDep, body: CallIn) -> CallOut:
    """叫号: the next waiting number to ``window``; ``called`` is null when nobody waits."""
    office = _office(runtime, staff, body.office)
    with runtime.db.transaction() as session:
        called = hall.call(session, runtime.content, office, body.window, runtime.engine.clock())
        return CallOut(called=_out(runtime, session, called) if called else None)


def _finish(
    staff: StaffView, runtime: Runtime, booking_id: int, *, served: bool, note: str
) -> BookingOut:
    with runtime.db.transaction() as session:
        booking = session.get(Booking, booking_id)
        if booking is None:
            raise HTTPException(404, "unknown booking")
        office = _office(runtime, staff, booking.office)
        hall.finish(session, office, booking, served=served, note=note, now=runtime.engine.clock())
        return _out(runtime, session, booking)


@staff_router.post("/{booking_id}/done", response_model=BookingOut)
def done(staff: StaffDep, runtime: RuntimeDep, booking_id: BookingId, body: DoneIn) -> BookingOut:
    """完成, with an optional note."""
    return _finish(staff, runtime, booking_id, served=True, note=body.note)


@staff_router.post("/{booking_id}/no-show", response_model=BookingOut)
def no_show(staff: StaffDep, runtime: RuntimeDep, booking_id: BookingId) -> BookingOut:
    """未到."""
    return _finish(staff, runtime, booking_id, served=False, note="")


def _board(runtime: Runtime, code: str) -> BoardOut:
    office = _office(runtime, None, code)
    with runtime.db.reading() as session:
        shown = hall.board(session, office, runtime.engine.clock())
    return BoardOut(
        office=office.code,
        office_name=office.name["zh-CN"],
        day=date.fromisoformat(shown.day),
        serving=[{"queue_no": q, "window": w} for q, w in shown.serving],
        waiting=list(shown.waiting),
        served=shown.done,
    )


@screen_router.get("/queue.json", response_model=BoardOut)
def queue_json(runtime: RuntimeDep, office: OfficeCode) -> BoardOut:
    """The queue screen's data: numbers being served (with windows) and waiting."""
    return _board(runtime, office)


@screen_router.get("/queue", response_class=HTMLResponse)
def queue_page(runtime: RuntimeDep, office: OfficeCode) -> HTMLResponse:
    """电子叫号: a plain page for a screen across the hall; refreshes itself."""
    shown = _board(runtime, office)
    serving = (
        "".join(
            f'<div class="now"><b>{html.escape(str(s["queue_no"]))}</b>'
            f"<span>请到 {int(s['window'])} 号窗口</span></div>"
            for s in shown.serving[:3]
        )
        or '<div class="now idle">暂无叫号</div>'
    )
    waiting = " ".join(f"<i>{html.escape(q)}</i>" for q in shown.waiting[:12]) or "—"
    page = _PAGE.format(
        refresh=REFRESH_SECONDS,
        office=html.escape(shown.office_name),
        day=shown.day.isoformat(),
        serving=serving,
        waiting=waiting,
        count=len(shown.waiting),
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{refresh}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>叫号 · {office}</title>
<style>
body {{ margin: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  background: #0b3d2e; color: #fff; }}
header {{ font-size: 4vh; padding: 2vh 4vw; background: #07261d; }}
h2 {{ font-size: 4vh; margin: 3vh 4vw 1vh; color: #9fe3c4; font-weight: normal; }}
.now {{ display: flex; align-items: baseline; gap: 4vw; margin: 1vh 4vw; }}
.now b {{ font-size: 18vh; line-height: 1; color: #ffd84d; }}
.now span {{ font-size: 8vh; }}
.idle {{ font-size: 8vh; color: #cfe; }}
.waiting {{ font-size: 7vh; margin: 1vh 4vw; }}
.waiting i {{ font-style: normal; margin-right: 3vw; }}
footer {{ position: fixed; bottom: 1vh; left: 4vw; font-size: 2.5vh; color: #9fe3c4; }}
</style></head>
<body>
<header>{office} · {day}</header>
<h2>正在办理 Now serving</h2>
{serving}
<h2>等候 Waiting（{count}）</h2>
<div class="waiting">{waiting}</div>
<footer>请留意叫号，过号请到窗口咨询 · Please watch for your number</footer>
</body></html>
"""
