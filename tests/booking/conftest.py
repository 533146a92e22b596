"""Booking tests run on a fixed clock: Tuesday 29 September 2026, 09:00 in Jinan, with
the National Day holiday (1–7 October, 10 October a make-up working day) ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import col, select

from core.booking.models import Booking, BookingSlot
from core.people.staff import Role
from core.registration.models import Person, PersonIdentity
from core.runtime import Runtime
from core.timeutil import SHANGHAI
from tests.registration.helpers import COMMUNITY, STREET, StaffChat, id_number, staff_chat
from tests.talk import Talk

NOW = datetime(2026, 9, 29, 9, 0, tzinfo=SHANGHAI)
TOMORROW = date(2026, 9, 30)
HOLIDAY = date(2026, 10, 2)
STREET_OFFICE = STREET  # 解放路街道便民服务中心: guidance capacity 2, 60-minute slots
COMMUNITY_OFFICE = COMMUNITY  # 解放桥社区: guidance capacity 1


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock(runtime: Runtime) -> Clock:
    fixed = Clock()
    runtime.engine.clock = fixed
    return fixed


@pytest.fixture
def resident(runtime: Runtime, clock: Clock) -> Talk:
    return Talk(runtime, user="resident-1")


@pytest.fixture
def community(runtime: Runtime, clock: Clock) -> StaffChat:
    return staff_chat(runtime, "jfq-wang", Role.COMMUNITY, COMMUNITY)


@pytest.fixture
def street(runtime: Runtime, clock: Clock) -> StaffChat:
    return staff_chat(runtime, "jfl-li", Role.STREET, STREET)


def register_person(runtime: Runtime, talk: Talk, name: str, area: str = COMMUNITY) -> int:
    """A person on record (as after a registration), linked to the talk's chat identity."""
    vault = runtime.vault
    number = id_number(seq=str(100 + len(name) + len(talk.user)))
    with runtime.db.transaction() as session:
        person = Person(
            id_hash=vault.lookup_hash(number + talk.user),
            id_number_enc=vault.encrypt(number),
            name_enc=vault.encrypt(name),
            phone_enc=vault.encrypt("13812345678"),
            area_code=area,
        )
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(
            PersonIdentity(person_id=person.id, channel=talk.channel, external_id=talk.user)
        )
        return person.id


def book_guidance(
    talk: Talk,
    *,
    office: str = STREET_OFFICE,
    day: date = TOMORROW,
    start: str = "09:00",
    name: str | None = "张三",
    confirm: bool = True,
) -> None:
    """Through the flow by option ids: 职业指导 at ``office`` on ``day`` at ``start``."""
    talk.send("预约")
    talk.send(choice="b:s:guidance")
    if "b:o:" + office in talk.options():
        talk.send(choice="b:o:" + office)
    assert talk.ids()[-1] == "booking.ask.day", talk.ids()
    half = "am" if start < "12:00" else "pm"
    talk.send(choice=f"b:d:{day.isoformat()}:{half}")
    assert f"b:t:{start}" in talk.options(), talk.options()
    talk.send(choice=f"b:t:{start}")
    if name is not None:
        assert talk.ids() == ["booking.ask.name"], talk.ids()
        talk.send(name)
    assert talk.ids() == ["booking.ask.need"], talk.ids()
    talk.send(choice="b:skip")
    assert talk.ids() == ["booking.summary"], talk.ids()
    if confirm:
        talk.send(choice="b:ok")
        assert talk.ids()[0] in ("booking.booked", "booking.booked_again"), talk.ids()


def bookings(runtime: Runtime) -> list[Booking]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(Booking).order_by(col(Booking.id))))


def slot_taken(
    runtime: Runtime, office: str, day: date, start: str, service: str = "guidance"
) -> int:
    with runtime.db.transaction() as session:
        slot = session.exec(
            select(BookingSlot)
            .where(BookingSlot.office == office)
            .where(BookingSlot.service == service)
            .where(BookingSlot.day == day)
            .where(BookingSlot.start == start)
        ).first()
        return 0 if slot is None else slot.taken
