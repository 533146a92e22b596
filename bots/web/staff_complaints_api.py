"""Staff REST API for 投诉建议: the same steps as 待办 in chat, area-scoped, token auth.

Same tokens and rules as the registration API (``bots.web.staff_api``): 401 without a
valid token; 403 outside the member's area or level, or for the staff member a complaint
names (they never see it); 404 for an unknown ticket; 422 for a step not possible now or
a bad body. The complainant's phone is masked unless ``?unmasked=true`` (audited).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Path, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from bots.web.staff_api import RuntimeDep, StaffDep
from core.complaints import handling
from core.complaints.cases import TicketView, open_ticket, pending
from core.people.staff import StaffView
from core.registration.workflow import Env
from core.runtime import Runtime
from core.timeutil import utcnow

CHANNEL = "web"
TicketId = Annotated[int, Path(ge=1, le=2**31 - 1)]
StaffText = Annotated[str, Field(min_length=1, max_length=handling.MAX_STAFF_TEXT)]


class LineOut(BaseModel):
    id: int
    number: str
    kind: str
    category: str
    status: str
    area_code: str
    due_at: datetime


class EventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    note: str


class TicketOut(BaseModel):
    id: int
    number: str
    kind: str
    category: str
    status: str
    level: str
    area_code: str
    service: str | None
    text: str
    photos: list[str]
    contact: str
    phone: str | None
    staff_id: int | None
    staff_name: str | None
    received_at: datetime
    answer_due_at: datetime
    answered_at: datetime | None
    due_at: datetime | None
    extended_at: datetime | None
    closed_at: datetime | None
    rating: str | None
    finding: str | None
    unmasked: bool
    events: list[EventOut]


class PendingOut(BaseModel):
    items: list[LineOut]


class AnswerIn(BaseModel):
    text: StaffText
    due_date: date


class ExtendIn(BaseModel):
    reason: StaffText
    due_date: date


class NoteIn(BaseModel):
    text: StaffText


class CloseIn(BaseModel):
    result: StaffText


class FindingIn(BaseModel):
    finding: Literal["verified", "partly", "unfounded"]
    staff_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


router = APIRouter(prefix="/api/staff/complaints", tags=["staff"])


def install(app: FastAPI, runtime: Runtime) -> None:
    app.include_router(router)


@router.get("", response_model=PendingOut)
def list_open(staff: StaffDep, runtime: RuntimeDep) -> PendingOut:
    """The member's open tickets, oldest deadline first (as 待办 in chat)."""
    with runtime.db.transaction() as session:
        rows = pending(_env(runtime, session), staff)
        return PendingOut(
            items=[
                LineOut(
                    id=r.id or 0,
                    number=r.number,
                    kind=r.kind,
                    category=r.category,
                    status=r.status,
                    area_code=r.area_code,
                    due_at=r.due_at or r.answer_due_at,
                )
                for r in rows
            ]
        )


@router.get("/{ticket_id}", response_model=TicketOut)
def one(
    staff: StaffDep,
    runtime: RuntimeDep,
    ticket_id: TicketId,
    unmasked: Annotated[bool, Query()] = False,
) -> TicketOut:
    return _run(
        runtime,
        lambda env: open_ticket(env, staff, ticket_id, unmasked=unmasked, channel=CHANNEL),
    )


@router.post("/{ticket_id}/answer", response_model=TicketOut)
def answer(staff: StaffDep, runtime: RuntimeDep, ticket_id: TicketId, body: AnswerIn) -> TicketOut:
    """先行回复 with the handling deadline (a working day within the maximum)."""
    return _act(
        runtime,
        staff,
        ticket_id,
        lambda env: handling.answer(
            env, staff, ticket_id, body.text, body.due_date, channel=CHANNEL
        ),
    )


@router.post("/{ticket_id}/extend", response_model=TicketOut)
def extend(staff: StaffDep, runtime: RuntimeDep, ticket_id: TicketId, body: ExtendIn) -> TicketOut:
    """The one extension, with the reason told to the resident."""
    return _act(
        runtime,
        staff,
        ticket_id,
        lambda env: handling.extend(
            env, staff, ticket_id, body.reason, body.due_date, channel=CHANNEL
        ),
    )


@router.post("/{ticket_id}/note", response_model=TicketOut)
def note(staff: StaffDep, runtime: RuntimeDep, ticket_id: TicketId, body: NoteIn) -> TicketOut:
    """An internal note (never sent to the resident)."""
    return _act(
        runtime,
        staff,
        ticket_id,
        lambda env: handling.add_note(env, staff, ticket_id, body.text, channel=CHANNEL),
    )


@router.post("/{ticket_id}/close", response_model=TicketOut)
def close(staff: StaffDep, runtime: RuntimeDep, ticket_id: TicketId, body: CloseIn) -> TicketOut:
    """办结: the result goes to the resident, who is asked to rate it."""
    return _act(
        runtime,
        staff,
        ticket_id,
        lambda env: handling.close(env, staff, ticket_id, body.result, channel=CHANNEL),
    )


@router.post("/{ticket_id}/finding", response_model=TicketOut)
def finding(
    staff: StaffDep, runtime: RuntimeDep, ticket_id: TicketId, body: FindingIn
) -> TicketOut:
    """查实 / 部分查实 / 不属实, against the staff member named (or ``staff_id``)."""
    return _act(
        runtime,
        staff,
        ticket_id,
        lambda env: handling.mark(
            env, staff, ticket_id, body.finding, body.staff_id, channel=CHANNEL
        ),
    )


def _env(runtime: Runtime, session: Session) -> Env:
    return Env(session, runtime.content, runtime.vault, utcnow())


def _act(
    runtime: Runtime, staff: StaffView, ticket_id: int, step: Callable[[Env], object]
) -> TicketOut:
    def run(env: Env) -> TicketView:
        step(env)
        return open_ticket(env, staff, ticket_id)

    return _run(runtime, run)


def _run(runtime: Runtime, work: Callable[[Env], TicketView]) -> TicketOut:
    """One transaction; a refused step rolls back and becomes its 403/404/422 (the app's
    handler for ``Refused``)."""
    with runtime.db.transaction() as session:
        return _out(work(_env(runtime, session)))


def _out(view: TicketView) -> TicketOut:
    return TicketOut(
        id=view.id,
        number=view.number,
        kind=view.kind,
        category=view.category,
        status=view.status,
        level=view.level,
        area_code=view.area_code,
        service=view.service,
        text=view.text,
        photos=list(view.photos),
        contact=view.contact,
        phone=view.phone,
        staff_id=view.staff_id,
        staff_name=view.staff_name,
        received_at=view.received_at,
        answer_due_at=view.answer_due_at,
        answered_at=view.answered_at,
        due_at=view.due_at,
        extended_at=view.extended_at,
        closed_at=view.closed_at,
        rating=view.rating,
        finding=view.finding,
        unmasked=view.unmasked,
        events=[
            EventOut(at=e.at, actor=e.actor, action=e.action, note=e.note) for e in view.events
        ],
    )
