"""Appraisal input (年度考核): per staff member, the findings of complaints about them in a
year and the ratings of the complaints they handled.

The specification rates 不称职 a member with 3 or more verified complaints in a year
"情节严重"; the count and threshold come from content, the flag is input for a human
decision, not the rating itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from core.complaints.models import ComplaintTicket
from core.complaints.rules import ComplaintRules
from core.complaints.tickets import COMPLAINT
from core.content.areas import AreaTree
from core.people.personal import Vault, mask_name
from core.registration.routing import inside
from core.storage.models import Staff
from core.timeutil import SHANGHAI


@dataclass(frozen=True)
class AppraisalLine:
    username: str
    name: str  # masked
    role: str
    area_code: str
    findings: dict[str, int]  # verified / partly / unfounded
    counted: int  # findings that count toward 不称职
    unfit: bool
    ratings: dict[str, int]  # of complaints they handled: satisfied / basic / dissatisfied


def _year(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), datetime.min.time(), tzinfo=SHANGHAI),
        datetime.combine(date(year + 1, 1, 1), datetime.min.time(), tzinfo=SHANGHAI),
    )


def appraise(
    session: Session,
    vault: Vault,
    areas: AreaTree,
    rules: ComplaintRules,
    year: int,
    area: str | None = None,
) -> list[AppraisalLine]:
    """Every staff member (inside ``area``) with what the year's complaints say of them."""
    first, after = _year(year)
    in_year = (
        select(ComplaintTicket)
        .where(ComplaintTicket.kind == COMPLAINT)
        .where(col(ComplaintTicket.received_at) >= first)
        .where(col(ComplaintTicket.received_at) < after)
    )
    tickets = session.exec(in_year).all()
    findings: dict[int, Counter[str]] = {}
    ratings: dict[int, Counter[str]] = {}
    for ticket in tickets:
        if ticket.finding and ticket.finding_staff_id is not None:
            findings.setdefault(ticket.finding_staff_id, Counter())[ticket.finding] += 1
        if ticket.rating and ticket.handler_id is not None:
            ratings.setdefault(ticket.handler_id, Counter())[ticket.rating] += 1
    members = session.exec(select(Staff).order_by(col(Staff.username))).all()
    lines = []
    for member in members:
        if member.id is None or (area and not inside(areas, area, member.area_code)):
            continue
        found = findings.get(member.id, Counter())
        counted = sum(n for f, n in found.items() if f in rules.counted_findings)
        lines.append(
            AppraisalLine(
                username=member.username,
                name=mask_name(vault.decrypt(member.name_enc)),
                role=member.role,
                area_code=member.area_code,
                findings={f: found.get(f, 0) for f in ("verified", "partly", "unfounded")},
                counted=counted,
                unfit=counted >= rules.unfit_at,
                ratings={
                    r: ratings.get(member.id, Counter()).get(r, 0)
                    for r in ("satisfied", "basic", "dissatisfied")
                },
            )
        )
    return lines
