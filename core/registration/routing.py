"""Who handles a registration at each step, who may act or see it, and by when.

Areas nest by code prefix (市 4, 区县 6, 街道 9, 社区 12 digits), so "inside a staff
member's area" is a prefix test that also works as a SQL ``LIKE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from core.content.areas import AreaTree
from core.content.worktime import WorkTime
from core.people.staff import Role, StaffView
from core.registration.models import Registration
from core.registration.rules import RegistrationRules
from core.registration.states import Status
from core.storage.models import Staff
from core.timeutil import local

_PREFIX = {"city": 4, "county": 6, "street": 9, "community": 12}
# Which roles may take which step (a street member may also take the community's step).
_STEP_ROLES = {
    Status.SUBMITTED: frozenset({Role.COMMUNITY, Role.STREET}),
    Status.ACCEPTED: frozenset({Role.STREET}),
}


def area_prefix(areas: AreaTree, code: str) -> str:
    """The code prefix every area inside ``code`` shares (the code itself if unknown)."""
    area = areas.get(code)
    return code if area is None else code[: _PREFIX[area.level]]


def inside(areas: AreaTree, outer: str, code: str) -> bool:
    return code.startswith(area_prefix(areas, outer))


def may_act(areas: AreaTree, staff: StaffView, reg: Registration) -> bool:
    roles = _STEP_ROLES.get(Status(reg.status), frozenset())
    return staff.role in roles and inside(areas, staff.area_code, reg.area_code)


def may_see(areas: AreaTree, staff: StaffView, reg: Registration) -> bool:
    return staff.role in (Role.COMMUNITY, Role.STREET) and inside(
        areas, staff.area_code, reg.area_code
    )


def may_unmask(
    areas: AreaTree, rules: RegistrationRules, staff: StaffView, reg: Registration
) -> bool:
    return staff.role.value in rules.unmasked_roles and may_see(areas, staff, reg)


def _covering(session: Session, areas: AreaTree, code: str, role: Role) -> list[Staff]:
    found = session.exec(
        select(Staff).where(Staff.role == role.value).where(Staff.active == True)  # noqa: E712
    ).all()
    return [s for s in found if inside(areas, s.area_code, code)]


def staff_areas(session: Session, role: Role) -> list[str]:
    """The area codes of every active staff member in ``role`` (one query)."""
    rows = session.exec(
        select(Staff.area_code).where(Staff.role == role.value).where(Staff.active == True)  # noqa: E712
    ).all()
    return list(rows)


def responsible(session: Session, areas: AreaTree, reg: Registration) -> list[Staff]:
    """The staff who hold the registration's current step (the street if no community)."""
    if reg.status == Status.SUBMITTED:
        return _covering(session, areas, reg.area_code, Role.COMMUNITY) or _covering(
            session, areas, reg.area_code, Role.STREET
        )
    if reg.status == Status.ACCEPTED:
        return _covering(session, areas, reg.area_code, Role.STREET)
    return []


def escalation(session: Session, areas: AreaTree, reg: Registration) -> list[Staff]:
    """Who hears of an overdue step: the street for the community's step; for the street's
    own step, the administrators above it (or the street again if there are none)."""
    street = _covering(session, areas, reg.area_code, Role.STREET)
    if reg.status == Status.SUBMITTED:
        return street
    return _covering(session, areas, reg.area_code, Role.ADMIN) or street


@dataclass(frozen=True)
class Deadlines:
    remind_at: datetime | None
    due_at: datetime


def deadlines(
    worktime: WorkTime, rules: RegistrationRules, reg: Registration, start: datetime
) -> Deadlines:
    """Time limit of the step ``reg`` has just entered, counted in working days."""
    kind = rules.kind(reg.kind)
    if reg.status == Status.ACCEPTED:
        days = kind.review_days
    else:
        days = kind.accept_days if reg.review_levels > 1 else kind.decide_days
    # Due when the hall closes on the last working day: a step begun at 07:30 or 22:00 is
    # not due before the hall opens, and residents read "by closing time on that day".
    due = worktime.closing_on(worktime.add_workdays(start, days))
    return Deadlines(
        remind_at=_reminder(worktime, start, due, days, rules.remind_before_days), due_at=due
    )


def _reminder(
    worktime: WorkTime, start: datetime, due: datetime, days: int, before: int
) -> datetime | None:
    """``before`` working days ahead; for a step shorter than that, the due day's opening."""
    if before <= 0:
        return None
    if before < days:
        return worktime.add_workdays(start, days - before)
    opening = worktime.hours[0][0]
    morning = local(due).replace(hour=opening.hour, minute=opening.minute, second=0)
    return morning if morning > start else None
