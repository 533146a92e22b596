"""Staff decisions on a registration (chat and REST call the same functions).

A refused action raises a ``ReviewError`` and changes nothing: not found (404), not the
staff member's area or role (403), or not possible now / incomplete (422).
"""

from __future__ import annotations

from collections.abc import Sequence

from core.people.refusals import Forbidden, NotFound, Refused
from core.people.staff import StaffView
from core.registration import routing
from core.registration.answers import Field
from core.registration.corrections import stored_answers
from core.registration.models import Registration
from core.registration.states import Action, Status
from core.registration.workflow import Env, attach_person, enter_step, record

OTHER_ITEM = "other"
RETURNABLE = frozenset({f.value for f in Field} | {OTHER_ITEM})
MAX_REASON = 500


# The registration feature's refusals are the shared ones (core/people/refusals.py).
ReviewError = Refused


class Unprocessable(Refused):
    status_code = 422


def load_for(env: Env, staff: StaffView, reg_id: int, *, lock: bool = False) -> Registration:
    """The registration if it exists and lies in the staff member's area."""
    reg = env.session.get(Registration, reg_id, with_for_update=lock)
    if reg is None:
        raise NotFound("not_found")
    if not routing.may_see(env.content.areas, staff, reg):
        raise Forbidden("area")
    return reg


def _actionable(env: Env, staff: StaffView, reg_id: int, *states: Status) -> Registration:
    reg = load_for(env, staff, reg_id, lock=True)
    if reg.status not in states:
        raise Unprocessable("state")
    if not routing.may_act(env.content.areas, staff, reg):
        raise Forbidden("role")
    return reg


def _actor(staff: StaffView) -> str:
    return f"staff:{staff.id}"


def accept(env: Env, staff: StaffView, reg_id: int, *, channel: str | None = None) -> Registration:
    """受理/初审: on to the street (2 levels) or registered at once (1 level, on the pledge)."""
    reg = _actionable(env, staff, reg_id, Status.SUBMITTED)
    if reg.conflict:
        _resolve_conflict(env, reg)
    reg.accepted_at = env.now
    if reg.review_levels > 1:
        reg.status = Status.ACCEPTED.value
    else:
        reg.status, reg.decided_at = Status.REGISTERED.value, env.now
    action = Action.ACCEPT
    record(env, reg, actor=_actor(staff), action=action, before=Status.SUBMITTED, channel=channel)
    enter_step(env, reg, key=f"{action.value}:{env.now.timestamp():.0f}")
    return reg


def _resolve_conflict(env: Env, reg: Registration) -> None:
    """Staff checked the person face to face: the record is written and the chat linked."""
    reg.conflict = False
    attach_person(env, reg, stored_answers(env, reg))


def return_for_correction(
    env: Env,
    staff: StaffView,
    reg_id: int,
    items: Sequence[str],
    note: str = "",
    *,
    channel: str | None = None,
) -> Registration:
    """一次性告知: every missing or wrong item in one message back to the resident."""
    wanted = list(dict.fromkeys(items))
    if not wanted or not set(wanted) <= RETURNABLE:
        raise Unprocessable("items")
    if OTHER_ITEM in wanted and not note.strip():
        raise Unprocessable("note")
    if len(note) > MAX_REASON:
        raise Unprocessable("too_long")
    # The community at acceptance, or the street at review (the resident's corrections then
    # go through both levels again).
    reg = _actionable(env, staff, reg_id, Status.SUBMITTED, Status.ACCEPTED)
    before = Status(reg.status)
    reg.status, reg.returned_items, reg.note = Status.RETURNED.value, wanted, note.strip()
    action = Action.RETURN
    record(
        env,
        reg,
        actor=_actor(staff),
        action=action,
        before=before,
        note=reg.note,
        items=wanted,
        channel=channel,
    )
    enter_step(env, reg, key=f"{action.value}:{env.now.timestamp():.0f}")
    return reg


def approve(env: Env, staff: StaffView, reg_id: int, *, channel: str | None = None) -> Registration:
    """审核通过: 已登记."""
    reg = _actionable(env, staff, reg_id, Status.ACCEPTED)
    reg.status, reg.decided_at = Status.REGISTERED.value, env.now
    action = Action.APPROVE
    record(env, reg, actor=_actor(staff), action=action, before=Status.ACCEPTED, channel=channel)
    enter_step(env, reg, key=f"{action.value}:{env.now.timestamp():.0f}")
    return reg


def reject(
    env: Env, staff: StaffView, reg_id: int, reason: str, *, channel: str | None = None
) -> Registration:
    """不予登记, always with the reason the resident will read."""
    reason = " ".join(reason.split())
    if not reason:
        raise Unprocessable("reason")
    if len(reason) > MAX_REASON:
        raise Unprocessable("too_long")
    reg = _actionable(env, staff, reg_id, Status.SUBMITTED, Status.ACCEPTED)
    before = Status(reg.status)
    reg.status, reg.decided_at, reg.note = Status.REJECTED.value, env.now, reason
    action = Action.REJECT
    record(
        env, reg, actor=_actor(staff), action=action, before=before, note=reason, channel=channel
    )
    enter_step(env, reg, key=f"{action.value}:{env.now.timestamp():.0f}")
    return reg


def withdraw(env: Env, reg: Registration, *, channel: str) -> None:
    """The resident gives up a returned registration."""
    reg.status = Status.WITHDRAWN.value
    record(
        env, reg, actor="resident", action=Action.WITHDRAW, before=Status.RETURNED, channel=channel
    )
    enter_step(env, reg, key=f"{Action.WITHDRAW.value}:{env.now.timestamp():.0f}")
