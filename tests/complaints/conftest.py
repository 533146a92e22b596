"""Residents filing complaints on a fixed clock, and staff of the 解放路 street and above."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlmodel import col, select

from core.complaints.models import ComplaintTicket
from core.people.staff import Role, add_staff, issue_link_code
from core.runtime import Runtime
from core.timeutil import SHANGHAI
from tests.registration.helpers import COMMUNITY, STREET
from tests.talk import Talk

COUNTY = "370102000000"  # 历下区
# Thursday 3 December 2026, 10:00 in Jinan: a working day, before the cut-off.
THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)


class Clock:
    """The engine's clock, moved by tests."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Member:
    talk: Talk
    staff_id: int
    name: str


def member(runtime: Runtime, username: str, name: str, role: Role, area: str) -> Member:
    """A staff member created and linked to a chat identity ``<username>-chat``."""
    with runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=runtime.vault, username=username, name=name, role=role, area_code=area
        )
        code = issue_link_code(session, staff=staff, now=runtime.engine.clock(), minutes=30)
        assert staff.id is not None
        staff_id = staff.id
    talk = Talk(runtime, user=f"{username}-chat")
    talk.send(f"绑定 {code}")
    assert talk.ids()[0] == "staff.linked"
    return Member(talk, staff_id, name)


def file_complaint(
    talk: Talk,
    *,
    text: str = "窗口工作人员态度很差，让我来回跑了三次。",
    staff: str | None = None,
    kind: str = "complaint",
    contact: str = "chat",
    office: str = "解放桥社区",
) -> None:
    """From the menu to a filed ticket, by typed names and picked options."""
    talk.send("投诉建议")
    talk.send(choice=f"c:k:{kind}")
    talk.send(choice="c:c:attitude")
    talk.send(office)
    assert "c:o:" + COMMUNITY in talk.options(), talk.ids()
    talk.send(choice="c:o:" + COMMUNITY)
    talk.send(choice="c:sv:none")
    if kind == "complaint":
        if staff is None:
            talk.send(choice="c:s:none")
        else:
            talk.send(staff)
    talk.send(text)
    talk.send(choice="c:next")
    talk.send(choice=f"c:ct:{contact}")
    if contact == "phone":
        talk.send("13912345678")
    assert talk.ids() == ["complaints.summary.body"], talk.ids()
    talk.send(choice="c:submit")


def latest(runtime: Runtime) -> ComplaintTicket:
    with runtime.db.transaction() as session:
        found = session.exec(
            select(ComplaintTicket).order_by(col(ComplaintTicket.id).desc())
        ).first()
    assert found is not None
    return found


def tickets(runtime: Runtime) -> list[ComplaintTicket]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(ComplaintTicket).order_by(col(ComplaintTicket.id))))


@pytest.fixture
def clock(runtime: Runtime) -> Clock:
    fixed = Clock(THURSDAY)
    runtime.engine.clock = fixed
    return fixed


@pytest.fixture
def resident(runtime: Runtime, clock: Clock) -> Talk:
    return Talk(runtime, user="resident-1")


@pytest.fixture
def street(runtime: Runtime, clock: Clock) -> Member:
    return member(runtime, "jfl-li", "李建国", Role.STREET, STREET)


@pytest.fixture
def colleague(runtime: Runtime, clock: Clock) -> Member:
    return member(runtime, "jfl-zhou", "周明", Role.STREET, STREET)


@pytest.fixture
def admin(runtime: Runtime, clock: Clock) -> Member:
    return member(runtime, "lx-zhao", "赵主任", Role.ADMIN, COUNTY)


@pytest.fixture
def community(runtime: Runtime, clock: Clock) -> Member:
    return member(runtime, "jfq-wang", "王小红", Role.COMMUNITY, COMMUNITY)
