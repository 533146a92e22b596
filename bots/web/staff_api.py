"""Staff REST API for the web console: the registration review, area-scoped, token auth.

Every route needs ``Authorization: Bearer <token>`` (``jobbot staff token USERNAME``).
Admins also end accounts in their area under ``/api/staff/members/{username}/…``.
Refusals change nothing: 401 without a valid token, 403 outside the member's area or role,
404 for an unknown registration, 422 for a step that is not possible now or a bad body.
Personal data is masked unless ``?unmasked=true`` is asked, allowed and then audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from core.people.staff import Role, StaffView, deactivate, find_by_username, unlink
from core.people.staff_tokens import revoke_token, staff_for_token
from core.registration import review
from core.registration.cases import CaseLine, CaseView, open_case, pending
from core.registration.notify import area_name
from core.registration.routing import inside
from core.registration.workflow import Env
from core.runtime import Runtime
from core.storage.models import Conversation, Staff
from core.timeutil import utcnow

CHANNEL = "web"
RegId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Username = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]


class CaseLineOut(BaseModel):
    id: int
    kind: str
    status: str
    name: str
    id_number: str
    area_code: str
    area: str
    due_at: datetime | None
    conflict: bool
    overdue: bool


class EventOut(BaseModel):
    at: datetime
    actor: str
    action: str
    to_status: str
    note: str
    items: list[str]


class RelatedOut(BaseModel):
    id: int
    kind: str
    status: str


class CaseOut(BaseModel):
    id: int
    kind: str
    status: str
    conflict: bool
    unmasked: bool
    name: str | None
    id_number: str | None
    phone: str | None
    area_code: str
    area: str
    review_levels: int
    submitted_at: datetime
    accepted_at: datetime | None
    decided_at: datetime | None
    due_at: datetime | None
    returned_items: list[str]
    note: str
    pledge_signed_at: datetime | None
    answers: dict[str, Any]
    events: list[EventOut]
    related: list[RelatedOut] = []  # the same person's open 失业/就业登记, to decide together


class ReturnIn(BaseModel):
    items: list[Annotated[str, Field(max_length=24)]] = Field(min_length=1, max_length=30)
    note: str = Field(default="", max_length=500)


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class PendingOut(BaseModel):
    items: list[CaseLineOut]


class MemberOut(BaseModel):
    username: str
    role: str
    area_code: str
    active: bool
    token_expires_at: datetime | None
    linked_chats: int


class UnlinkIn(BaseModel):
    channel: str | None = Field(default=None, max_length=16)
    chat_id: str | None = Field(default=None, max_length=128)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


# Declared as a security scheme so /docs offers "Authorize"; the check stays ours (401 below).
bearer = HTTPBearer(auto_error=False, description="`jobbot staff token USERNAME`")


def authenticated(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StaffView:
    """The staff member holding the bearer token; 401 for anything else."""
    token = credentials.credentials.strip() if credentials is not None else ""
    with runtime.db.transaction() as session:
        staff = staff_for_token(session, token) if token else None
    if staff is None:
        raise HTTPException(401, "a valid staff token is required", {"WWW-Authenticate": "Bearer"})
    return staff


StaffDep = Annotated[StaffView, Depends(authenticated)]
router = APIRouter(prefix="/api/staff", tags=["staff"])


members = APIRouter(prefix="/api/staff/members", tags=["staff admin"])


def install(app: FastAPI, runtime: Runtime) -> None:
    app.include_router(router)
    app.include_router(members)


@router.get("/registrations", response_model=PendingOut)
def list_pending(staff: StaffDep, runtime: RuntimeDep) -> PendingOut:
    """The member's pending items, masked (as 待办 in chat)."""
    with runtime.db.transaction() as session:
        lines = pending(_env(runtime, session), staff)
        return PendingOut(items=[_line(runtime, line) for line in lines])


@router.get("/registrations/{reg_id}", response_model=CaseOut)
def one(
    staff: StaffDep, runtime: RuntimeDep, reg_id: RegId, unmasked: Annotated[bool, Query()] = False
) -> CaseOut:
    """One registration; ``unmasked=true`` only if role and area allow (audited)."""

    def read(env: Env) -> CaseView:
        return open_case(env, staff, reg_id, unmasked=unmasked, channel=CHANNEL)

    return _run(runtime, read)


@router.post("/registrations/{reg_id}/accept", response_model=CaseOut)
def accept(staff: StaffDep, runtime: RuntimeDep, reg_id: RegId) -> CaseOut:
    """受理/初审 (or the decision, where the kind has one review level)."""
    return _act(
        runtime, staff, reg_id, lambda env: review.accept(env, staff, reg_id, channel=CHANNEL)
    )


@router.post("/registrations/{reg_id}/return", response_model=CaseOut)
def give_back(staff: StaffDep, runtime: RuntimeDep, reg_id: RegId, body: ReturnIn) -> CaseOut:
    """Back to the resident with every item to correct, in one message."""

    def step(env: Env) -> object:
        return review.return_for_correction(
            env, staff, reg_id, body.items, body.note, channel=CHANNEL
        )

    return _act(runtime, staff, reg_id, step)


@router.post("/registrations/{reg_id}/approve", response_model=CaseOut)
def approve(staff: StaffDep, runtime: RuntimeDep, reg_id: RegId) -> CaseOut:
    """审核通过 by the street: 已登记."""
    return _act(
        runtime, staff, reg_id, lambda env: review.approve(env, staff, reg_id, channel=CHANNEL)
    )


@router.post("/registrations/{reg_id}/reject", response_model=CaseOut)
def reject(staff: StaffDep, runtime: RuntimeDep, reg_id: RegId, body: RejectIn) -> CaseOut:
    """不予登记, with the reason the resident will read."""

    def step(env: Env) -> object:
        return review.reject(env, staff, reg_id, body.reason, channel=CHANNEL)

    return _act(runtime, staff, reg_id, step)


def _env(runtime: Runtime, session: Session) -> Env:
    return Env(session, runtime.content, runtime.vault, utcnow())


def _act(runtime: Runtime, staff: StaffView, reg_id: int, step: Callable[[Env], object]) -> CaseOut:
    """Takes the step, then shows the registration as it now stands (masked)."""

    def run(env: Env) -> CaseView:
        step(env)
        return open_case(env, staff, reg_id)

    return _run(runtime, run)


def _run(runtime: Runtime, work: Callable[[Env], CaseView]) -> CaseOut:
    """One transaction; a refused step rolls back and becomes its 403/404/422 (the app's
    handler for ``Refused``)."""
    with runtime.db.transaction() as session:
        return _case(runtime, work(_env(runtime, session)))


def _line(runtime: Runtime, line: CaseLine) -> CaseLineOut:
    return CaseLineOut(
        id=line.id,
        kind=line.kind,
        status=line.status,
        name=line.name,
        id_number=line.id_number,
        area_code=line.area_code,
        area=area_name(runtime.content.areas, line.area_code),
        due_at=line.due_at,
        conflict=line.conflict,
        overdue=line.overdue,
    )


def _case(runtime: Runtime, view: CaseView) -> CaseOut:
    return CaseOut(
        id=view.id,
        kind=view.kind,
        status=view.status,
        conflict=view.conflict,
        unmasked=view.unmasked,
        name=view.personal.name,
        id_number=view.personal.id_number,
        phone=view.personal.phone,
        area_code=view.area_code,
        area=area_name(runtime.content.areas, view.area_code),
        review_levels=view.review_levels,
        submitted_at=view.submitted_at,
        accepted_at=view.accepted_at,
        decided_at=view.decided_at,
        due_at=view.due_at,
        returned_items=list(view.returned_items),
        note=view.note,
        pledge_signed_at=view.pledge_signed_at,
        answers=view.answers.details(),
        events=[
            EventOut(
                at=e.at,
                actor=e.actor,
                action=e.action,
                to_status=e.to_status,
                note=e.note,
                items=list(e.items),
            )
            for e in view.events
        ],
        related=[RelatedOut(id=r.id, kind=r.kind, status=r.status) for r in view.related],
    )


def _managed(runtime: Runtime, session: Session, admin: StaffView, username: str) -> Staff:
    """The member an admin may manage: 403 for non-admins and members outside the admin's
    area, 404 for nobody, 422 for the admin's own account (no locking oneself out)."""
    if admin.role is not Role.ADMIN:
        raise HTTPException(403, "only an administrator manages staff accounts")
    staff = find_by_username(session, username)
    if staff is None:
        raise HTTPException(404, "no such staff member")
    if not inside(runtime.content.areas, admin.area_code, staff.area_code):
        raise HTTPException(403, "this staff member serves outside your area")
    if staff.id == admin.id:
        raise HTTPException(422, "ask another administrator to change your own account")
    return staff


def _member(session: Session, staff: Staff) -> MemberOut:
    links = session.exec(select(Conversation.id).where(Conversation.staff_id == staff.id))
    return MemberOut(
        username=staff.username,
        role=staff.role,
        area_code=staff.area_code,
        active=staff.active,
        token_expires_at=staff.api_token_expires_at,
        linked_chats=len(list(links)),
    )


@members.post("/{username}/deactivate", response_model=MemberOut)
def deactivate_member(admin: StaffDep, runtime: RuntimeDep, username: Username) -> MemberOut:
    """Ends the account at once: token revoked, chats unlinked, link codes void."""
    with runtime.db.transaction() as session:
        staff = _managed(runtime, session, admin, username)
        if staff.active:
            deactivate(session, staff, actor=f"staff:{admin.id}", now=utcnow())
        return _member(session, staff)


@members.post("/{username}/revoke-token", response_model=MemberOut)
def revoke_member_token(admin: StaffDep, runtime: RuntimeDep, username: Username) -> MemberOut:
    with runtime.db.transaction() as session:
        staff = _managed(runtime, session, admin, username)
        revoke_token(session, staff, actor=f"staff:{admin.id}")
        return _member(session, staff)


@members.post("/{username}/unlink", response_model=MemberOut)
def unlink_member(
    admin: StaffDep, runtime: RuntimeDep, username: Username, body: UnlinkIn | None = None
) -> MemberOut:
    """Unlinks the member's chat identities (all, or the one in the body)."""
    which = body or UnlinkIn()
    with runtime.db.transaction() as session:
        staff = _managed(runtime, session, admin, username)
        unlink(
            session,
            staff,
            actor=f"staff:{admin.id}",
            channel=which.channel,
            external_id=which.chat_id,
        )
        return _member(session, staff)
