"""Staff steps on a ticket and the resident's rating (chat and REST call the same functions).

A refused step raises a ``HandlingError`` and changes nothing: not found (404), not the
member's area or level, or the ticket names them (403), or not possible now (422).
"""

from __future__ import annotations

from datetime import date

from core.complaints import clocks, notify, routing
from core.complaints.models import ComplaintTicket
from core.complaints.rules import FINDINGS, rules_for
from core.complaints.tickets import COMPLAINT, record
from core.dialog.messages import Outgoing, t
from core.people.refusals import Forbidden, NotFound, Refused
from core.people.staff import StaffView
from core.registration.notify import when
from core.registration.routing import inside
from core.registration.workflow import Env
from core.storage.models import Staff
from core.timeutil import local

RATINGS = ("satisfied", "basic", "dissatisfied")  # 满意 / 基本满意 / 不满意
MAX_STAFF_TEXT = 1000


# The complaints feature's refusals are the shared ones (core/people/refusals.py).
HandlingError = Refused


def load_for(env: Env, staff: StaffView, ticket_id: int, *, lock: bool = False) -> ComplaintTicket:
    """The ticket if it exists and this member may see it (never the one it names)."""
    ticket = env.session.get(ComplaintTicket, ticket_id, with_for_update=lock)
    if ticket is None:
        raise NotFound("not_found")
    if not routing.may_see(env.content.areas, staff, ticket):
        raise Forbidden("area")
    return ticket


def _open(env: Env, staff: StaffView, ticket_id: int, *states: str) -> ComplaintTicket:
    ticket = load_for(env, staff, ticket_id, lock=True)
    if ticket.status not in states:
        raise HandlingError("state")
    return ticket


def _text(raw: str) -> str:
    value = " ".join(raw.split())
    if not value:
        raise HandlingError("text_empty")
    if len(value) > MAX_STAFF_TEXT:
        raise HandlingError("text_long")
    return value


def _actor(staff: StaffView) -> str:
    return f"staff:{staff.id}"


def answer(
    env: Env, staff: StaffView, ticket_id: int, text: str, due: date, *, channel: str | None = None
) -> ComplaintTicket:
    """先行回复: the first answer with the handling deadline, both sent to the resident."""
    said = _text(text)
    ticket = _open(env, staff, ticket_id, *routing.AWAITING_ANSWER)
    rules = rules_for(env.content)
    worktime = env.content.worktime
    _check_date(env, due, clocks.latest_due(worktime, rules, env.now))
    ticket.status, ticket.answered_at, ticket.handler_id = routing.ANSWERED, env.now, staff.id
    ticket.first_answered_at = ticket.first_answered_at or env.now
    ticket.due_at = clocks.closing(worktime, due)
    ticket.updated_at = env.now
    record(env, ticket, actor=_actor(staff), action="answer", note=said, channel=channel, due=due)
    notice = t(
        "complaints.notice.answered", number=ticket.number, answer=said, due=when(ticket.due_at)
    )
    notify.resident(env, ticket, "answered", Outgoing(notice))
    return ticket


def _check_date(env: Env, day: date, latest: date) -> None:
    if day < local(env.now).date():
        raise HandlingError("date_past")
    if day > latest:
        raise HandlingError("date_late")
    if not env.content.worktime.is_workday(day):
        raise HandlingError("date_holiday")


def extend(
    env: Env,
    staff: StaffView,
    ticket_id: int,
    reason: str,
    due: date,
    *,
    channel: str | None = None,
) -> ComplaintTicket:
    """One extension per round, with the reason and the new date told to the resident."""
    why = _text(reason)
    ticket = _open(env, staff, ticket_id, routing.ANSWERED)
    if ticket.extended_at is not None:
        raise HandlingError("extended_once")
    assert ticket.due_at is not None
    rules = rules_for(env.content)
    if due <= local(ticket.due_at).date():
        raise HandlingError("date_not_later")
    _check_date(env, due, clocks.latest_extension(env.content.worktime, rules, ticket.due_at))
    ticket.due_at = clocks.closing(env.content.worktime, due)
    ticket.extended_at = ticket.updated_at = env.now
    record(env, ticket, actor=_actor(staff), action="extend", note=why, channel=channel, due=due)
    notice = t(
        "complaints.notice.extended", number=ticket.number, reason=why, due=when(ticket.due_at)
    )
    notify.resident(env, ticket, "extended", Outgoing(notice))
    return ticket


def add_note(
    env: Env, staff: StaffView, ticket_id: int, text: str, *, channel: str | None = None
) -> ComplaintTicket:
    """An internal note: kept on the ticket, never sent to the resident."""
    said = _text(text)
    ticket = load_for(env, staff, ticket_id, lock=True)
    record(env, ticket, actor=_actor(staff), action="note", note=said, channel=channel)
    return ticket


def close(
    env: Env, staff: StaffView, ticket_id: int, result: str, *, channel: str | None = None
) -> ComplaintTicket:
    """办结: the result goes to the resident, who is asked to rate it."""
    said = _text(result)
    ticket = _open(env, staff, ticket_id, routing.ANSWERED)
    ticket.status, ticket.closed_at, ticket.updated_at = routing.CLOSED, env.now, env.now
    ticket.rating = ticket.rated_at = None
    record(env, ticket, actor=_actor(staff), action="close", note=said, channel=channel)
    notice = t("complaints.notice.closed", number=ticket.number, result=said)
    notify.resident(env, ticket, "closed", Outgoing(notice))
    return ticket


def mark(
    env: Env,
    staff: StaffView,
    ticket_id: int,
    finding: str,
    about: int | None = None,
    *,
    channel: str | None = None,
) -> ComplaintTicket:
    """查实 / 部分查实 / 不属实, against the staff member it names (or ``about``)."""
    if finding not in FINDINGS:
        raise HandlingError("finding")
    ticket = load_for(env, staff, ticket_id, lock=True)
    if ticket.kind != COMPLAINT:
        raise HandlingError("not_complaint")
    concerned = ticket.staff_id or about
    if concerned is not None:
        member = env.session.get(Staff, concerned)
        if member is None or not inside(env.content.areas, staff.area_code, member.area_code):
            raise HandlingError("staff_unknown")
        if member.id == staff.id:
            raise Forbidden("own_case")
    ticket.finding, ticket.finding_staff_id, ticket.finding_at = finding, concerned, env.now
    ticket.updated_at = env.now
    record(env, ticket, actor=_actor(staff), action="finding", channel=channel, finding=finding)
    return ticket


def rate(env: Env, ticket: ComplaintTicket, rating: str, *, channel: str) -> bool:
    """The resident's rating of a closed ticket; 不满意 reopens it once at the level above.
    Returns whether it was reopened."""
    if rating not in RATINGS or ticket.status != routing.CLOSED or ticket.rating is not None:
        raise HandlingError("rating")
    ticket.rating, ticket.rated_at, ticket.updated_at = rating, env.now, env.now
    reopen = rating == "dissatisfied" and ticket.reopened_at is None
    record(env, ticket, actor="resident", action="rate", channel=channel, rating=rating)
    if reopen:
        _reopen(env, ticket, channel)
    return reopen


def _reopen(env: Env, ticket: ComplaintTicket, channel: str) -> None:
    rules = rules_for(env.content)
    ticket.level = routing.raised(env.session, env.content.areas, ticket)
    ticket.status, ticket.reopened_at = routing.REOPENED, env.now
    ticket.answer_due_at = clocks.first_answer_due(env.content.worktime, rules, env.now)
    ticket.answered_at = ticket.due_at = ticket.extended_at = ticket.closed_at = None
    ticket.handler_id = None
    record(env, ticket, actor="resident", action="reopen", channel=channel)
    handlers = routing.handlers(env.session, env.content.areas, ticket)
    notify.staff(env, ticket, handlers, "reopened")
