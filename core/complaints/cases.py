"""A ticket as staff read it (chat and REST): the complainant's contact masked unless asked,
allowed and audited; the pending list of a member in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from core.complaints import routing
from core.complaints.handling import load_for
from core.complaints.models import ComplaintEvent, ComplaintTicket
from core.people import audit
from core.people.personal import mask_name, mask_phone, redact
from core.people.staff import StaffView
from core.registration.workflow import Env
from core.storage.models import Staff


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    action: str
    note: str


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    kind: str
    category: str
    status: str
    level: str
    area_code: str
    service: str | None
    text: str
    photos: tuple[str, ...]
    contact: str
    phone: str | None
    staff_id: int | None
    staff_name: str | None  # masked unless unmasked
    received_at: datetime
    answer_due_at: datetime
    answered_at: datetime | None
    due_at: datetime | None
    extended_at: datetime | None
    closed_at: datetime | None
    rating: str | None
    finding: str | None
    unmasked: bool
    events: tuple[EventView, ...]


def open_ticket(
    env: Env,
    staff: StaffView,
    ticket_id: int,
    *,
    unmasked: bool = False,
    channel: str | None = None,
) -> TicketView:
    """The ticket for a member allowed to see it; an unmasked view is audited."""
    ticket = load_for(env, staff, ticket_id)
    if unmasked:
        audit.record(
            env.session,
            actor=f"staff:{staff.id}",
            action="complaint.view_unmasked",
            subject=f"complaint:{ticket.id}",
            channel=channel,
        )
    return _view(env, ticket, unmasked)


def _view(env: Env, ticket: ComplaintTicket, unmasked: bool) -> TicketView:
    assert ticket.id is not None
    vault = env.vault
    phone = vault.decrypt(ticket.phone_enc) if ticket.phone_enc else None
    shown = (lambda v: v) if unmasked else mask_name
    said = (lambda v: v) if unmasked else redact  # an ID or phone number inside free text
    name = None
    member = env.session.get(Staff, ticket.staff_id) if ticket.staff_id else None
    if member is not None:
        name = shown(vault.decrypt(member.name_enc))
    elif ticket.staff_named_enc:
        name = shown(vault.decrypt(ticket.staff_named_enc))
    events = env.session.exec(
        select(ComplaintEvent)
        .where(ComplaintEvent.ticket_id == ticket.id)
        .order_by(col(ComplaintEvent.id))
    ).all()
    return TicketView(
        id=ticket.id,
        number=ticket.number,
        kind=ticket.kind,
        category=ticket.category,
        status=ticket.status,
        level=ticket.level,
        area_code=ticket.area_code,
        service=ticket.service,
        text=said(vault.decrypt(ticket.text_enc)),
        photos=tuple(ticket.photos),
        contact=ticket.contact,
        phone=phone if unmasked or phone is None else mask_phone(phone),
        staff_id=ticket.staff_id,
        staff_name=name,
        received_at=ticket.received_at,
        answer_due_at=ticket.answer_due_at,
        answered_at=ticket.answered_at,
        due_at=ticket.due_at,
        extended_at=ticket.extended_at,
        closed_at=ticket.closed_at,
        rating=ticket.rating,
        finding=ticket.finding,
        unmasked=unmasked,
        events=tuple(
            EventView(
                e.at, e.actor, e.action, said(vault.decrypt(e.note_enc)) if e.note_enc else ""
            )
            for e in events
        ),
    )


def pending(env: Env, staff: StaffView) -> list[ComplaintTicket]:
    """Open tickets this member may see, in one query (oldest deadline first)."""
    visible = routing.visible_clause(env.content.areas, staff)
    if visible is None:
        return []
    rows = env.session.exec(
        select(ComplaintTicket)
        .where(col(ComplaintTicket.status).in_(routing.OPEN))
        .where(visible)
        .order_by(col(ComplaintTicket.id))
    ).all()
    return sorted(rows, key=lambda t: (t.due_at or t.answer_due_at, t.id or 0))
