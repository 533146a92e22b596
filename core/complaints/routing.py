"""Who handles a ticket, who may see it, and who hears when it runs late.

A ticket goes to the street platform above the area it concerns (level "street"). A
complaint naming a street staff member, or one reopened after 不满意, goes to the level
above (the administrators covering the area, level "county") when there are any. The
staff member complained about is never among those who handle or see it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.complaints.models import ComplaintTicket
from core.content.areas import AreaTree
from core.people.staff import Role, StaffView
from core.registration.routing import area_prefix, inside
from core.storage.models import Staff

STREET, COUNTY = "street", "county"
RECEIVED, ANSWERED, CLOSED, REOPENED = "received", "answered", "closed", "reopened"
OPEN = (RECEIVED, ANSWERED, REOPENED)
AWAITING_ANSWER = (RECEIVED, REOPENED)


def active_staff(session: Session) -> list[Staff]:
    """Every active staff member (a scheduler tick loads them once for all its tickets)."""
    return list(session.exec(select(Staff).where(Staff.active == True)))  # noqa: E712


def _covering(
    session: Session,
    areas: AreaTree,
    code: str,
    role: Role,
    without: int | None,
    pool: Sequence[Staff] | None = None,
) -> list[Staff]:
    members = active_staff(session) if pool is None else pool
    return [
        s
        for s in members
        if s.role == role.value and s.id != without and inside(areas, s.area_code, code)
    ]


def level_for(session: Session, areas: AreaTree, area_code: str, concerned: Staff | None) -> str:
    """The street, unless the complaint names a street (or higher) staff member and
    there is a level above to take it."""
    if concerned is None or concerned.role == Role.COMMUNITY.value:
        return STREET
    above = _covering(session, areas, area_code, Role.ADMIN, concerned.id)
    return COUNTY if above else STREET


def raised(session: Session, areas: AreaTree, ticket: ComplaintTicket) -> str:
    """The level a reopened ticket goes to: the one above, where there is one."""
    above = _covering(session, areas, ticket.area_code, Role.ADMIN, ticket.staff_id)
    return COUNTY if above else ticket.level


def handlers(
    session: Session,
    areas: AreaTree,
    ticket: ComplaintTicket,
    pool: Sequence[Staff] | None = None,
) -> list[Staff]:
    """Everyone who may take the ticket now (never the staff member it names)."""
    role = Role.STREET if ticket.level == STREET else Role.ADMIN
    return _covering(session, areas, ticket.area_code, role, ticket.staff_id, pool)


def responsible(
    session: Session,
    areas: AreaTree,
    ticket: ComplaintTicket,
    pool: Sequence[Staff] | None = None,
) -> list[Staff]:
    """Who a reminder goes to: the member who answered, else every handler."""
    if ticket.handler_id is not None and ticket.handler_id != ticket.staff_id:
        members = active_staff(session) if pool is None else pool
        found = [m for m in members if m.id == ticket.handler_id]
        if found:
            return found
    return handlers(session, areas, ticket, pool)


def above(
    session: Session,
    areas: AreaTree,
    ticket: ComplaintTicket,
    pool: Sequence[Staff] | None = None,
) -> list[Staff]:
    """Who hears of a missed deadline: the administrators covering the area (for a street
    ticket with none, the street's other members)."""
    found = _covering(session, areas, ticket.area_code, Role.ADMIN, ticket.staff_id, pool)
    return found or handlers(session, areas, ticket, pool)


def may_see(areas: AreaTree, staff: StaffView, ticket: ComplaintTicket) -> bool:
    if staff.id == ticket.staff_id or not inside(areas, staff.area_code, ticket.area_code):
        return False
    return staff.role is Role.ADMIN or (staff.role is Role.STREET and ticket.level == STREET)


def visible_clause(areas: AreaTree, staff: StaffView) -> sa.ColumnElement[bool] | None:
    """``may_see`` as a SQL condition (None: this member sees no tickets)."""
    if staff.role is Role.COMMUNITY:
        return None
    prefix = area_prefix(areas, staff.area_code)
    parts = [
        col(ComplaintTicket.area_code).startswith(prefix),
        sa.or_(col(ComplaintTicket.staff_id).is_(None), col(ComplaintTicket.staff_id) != staff.id),
    ]
    if staff.role is Role.STREET:
        parts.append(col(ComplaintTicket.level) == STREET)
    return sa.and_(*parts)


def handling_area(areas: AreaTree, ticket: ComplaintTicket) -> str:
    """The platform's area code shown to the resident: the street above, else the area."""
    for area in areas.ancestors(ticket.area_code) if areas.get(ticket.area_code) else ():
        if area.level == ("street" if ticket.level == STREET else "county"):
            return area.code
    return ticket.area_code
