"""What staff read: their pending items (masked) and one case, unmasked only when allowed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from core.people import audit
from core.people.personal import mask_id_number, mask_name, mask_phone
from core.people.staff import Role, StaffView
from core.registration import routing
from core.registration.answers import Answers, Personal
from core.registration.models import Registration, RegistrationEvent
from core.registration.review import Forbidden, load_for
from core.registration.rules import Kind
from core.registration.states import OPEN, Status
from core.registration.workflow import Env

LIST_LIMIT = 50


@dataclass(frozen=True)
class CaseLine:
    id: int
    kind: str
    status: str
    name: str  # masked
    id_number: str  # masked
    area_code: str
    due_at: datetime | None
    conflict: bool
    overdue: bool


@dataclass(frozen=True)
class EventLine:
    at: datetime
    actor: str
    action: str
    to_status: str
    note: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class CaseView:
    id: int
    kind: str
    status: str
    conflict: bool
    unmasked: bool
    personal: Personal  # masked unless ``unmasked``
    answers: Answers
    area_code: str
    review_levels: int
    submitted_at: datetime
    accepted_at: datetime | None
    decided_at: datetime | None
    due_at: datetime | None
    returned_items: tuple[str, ...]
    note: str
    pledge_signed_at: datetime | None
    events: tuple[EventLine, ...]
    related: tuple[RelatedLine, ...] = ()  # the same person's open registrations to weigh with it


@dataclass(frozen=True)
class RelatedLine:
    id: int
    kind: str
    status: str


# A person out of work and in work at once: staff decide the two together.
_EXCLUSIVE = {
    Kind.UNEMPLOYED.value: Kind.EMPLOYED.value,
    Kind.EMPLOYED.value: Kind.UNEMPLOYED.value,
}


def _wanted(env: Env, staff: StaffView, reg: Registration, communities: list[str]) -> bool:
    """Community: its new items. Street: items at its level, and community items that are
    overdue or that no community staff member holds (``communities``: the areas of active
    community staff, read once for the whole list)."""
    if reg.status == Status.ACCEPTED:
        return staff.role == Role.STREET
    if staff.role == Role.COMMUNITY:
        return True
    overdue = reg.due_at is not None and reg.due_at <= env.now
    held = any(routing.inside(env.content.areas, code, reg.area_code) for code in communities)
    return overdue or not held


def pending(env: Env, staff: StaffView) -> list[CaseLine]:
    if staff.role not in (Role.COMMUNITY, Role.STREET):
        return []
    prefix = routing.area_prefix(env.content.areas, staff.area_code)
    rows = env.session.exec(
        select(Registration)
        .where(col(Registration.status).in_([Status.SUBMITTED.value, Status.ACCEPTED.value]))
        .where(col(Registration.area_code).startswith(prefix))
        .order_by(col(Registration.due_at), col(Registration.id))
    ).all()
    communities = (
        routing.staff_areas(env.session, Role.COMMUNITY) if staff.role == Role.STREET else []
    )
    chosen = [
        r
        for r in rows
        if routing.may_act(env.content.areas, staff, r) and _wanted(env, staff, r, communities)
    ]
    return [_line(env, r) for r in chosen[:LIST_LIMIT]]


def _line(env: Env, reg: Registration) -> CaseLine:
    assert reg.id is not None
    return CaseLine(
        id=reg.id,
        kind=reg.kind,
        status=reg.status,
        name=mask_name(env.vault.decrypt(reg.name_enc)),
        id_number=mask_id_number(env.vault.decrypt(reg.id_number_enc)),
        area_code=reg.area_code,
        due_at=reg.due_at,
        conflict=reg.conflict,
        overdue=reg.due_at is not None and reg.due_at <= env.now,
    )


def open_case(
    env: Env, staff: StaffView, reg_id: int, *, unmasked: bool = False, channel: str | None = None
) -> CaseView:
    """One registration; the unmasked view is refused unless role and area allow, and audited."""
    reg = load_for(env, staff, reg_id)
    if unmasked and not routing.may_unmask(env.content.areas, env.rules, staff, reg):
        raise Forbidden("unmask")
    personal = _personal(env, reg, unmasked)
    if unmasked:
        audit.record(
            env.session,
            actor=f"staff:{staff.id}",
            action="registration.view_unmasked",
            subject=f"registration:{reg.id}",
            detail=f"person={reg.id_hash[:16]}",
            channel=channel,
        )
    return _view(env, reg, personal, unmasked)


def _personal(env: Env, reg: Registration, unmasked: bool) -> Personal:
    name = env.vault.decrypt(reg.name_enc)
    number = env.vault.decrypt(reg.id_number_enc)
    phone = env.vault.decrypt(reg.phone_enc)
    if unmasked:
        return Personal(name=name, id_number=number, phone=phone)
    return Personal(mask_name(name), mask_id_number(number), mask_phone(phone))


def _view(env: Env, reg: Registration, personal: Personal, unmasked: bool) -> CaseView:
    assert reg.id is not None
    events = env.session.exec(
        select(RegistrationEvent)
        .where(RegistrationEvent.registration_id == reg.id)
        .order_by(col(RegistrationEvent.id))
    ).all()
    return CaseView(
        id=reg.id,
        kind=reg.kind,
        status=reg.status,
        conflict=reg.conflict,
        unmasked=unmasked,
        personal=personal,
        answers=Answers.from_details(reg.details, Personal()),
        area_code=reg.area_code,
        review_levels=reg.review_levels,
        submitted_at=reg.submitted_at,
        accepted_at=reg.accepted_at,
        decided_at=reg.decided_at,
        due_at=reg.due_at,
        returned_items=tuple(reg.returned_items),
        note=reg.note,
        pledge_signed_at=reg.pledge_signed_at,
        events=tuple(
            EventLine(e.at, e.actor, e.action, e.to_status, e.note, tuple(e.items)) for e in events
        ),
        related=_related(env, reg),
    )


def _related(env: Env, reg: Registration) -> tuple[RelatedLine, ...]:
    """A pending 失业登记 beside a new 就业登记 of the same person (or the other way round)."""
    other = _EXCLUSIVE.get(reg.kind)
    if other is None:
        return ()
    rows = env.session.exec(
        select(Registration)
        .where(Registration.id_hash == reg.id_hash)
        .where(Registration.kind == other)
        .where(col(Registration.status).in_([s.value for s in OPEN]))
        .order_by(col(Registration.id))
    ).all()
    return tuple(RelatedLine(r.id, r.kind, r.status) for r in rows if r.id is not None)
