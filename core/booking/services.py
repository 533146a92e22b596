"""Booking rules that hold under concurrency, and the staff's day.

No slot is ever overbooked: a booking inserts the slot's counter row if it is missing
(``ON CONFLICT DO NOTHING``), then locks it (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
runs one writer at a time under ``BEGIN IMMEDIATE``) and takes a place only while
``taken < capacity``; a CHECK constraint backs it. Cancelling gives the place back under
the same lock, so it is bookable at once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.booking.models import Booking, BookingQueue, BookingSlot
from core.booking.offices import Office, Offices
from core.content.loader import Content
from core.content.worktime import WorkTime
from core.delivery.outbox import CANCELLED as CANCELLED_PUSH
from core.delivery.outbox import HELD, PENDING
from core.people.personal import Vault
from core.people.refusals import Refused
from core.registration.models import Person
from core.registration.people import linked_person_id
from core.storage.models import OutboxMessage
from core.timeutil import local

BOOKED, CALLED, DONE, NO_SHOW, CANCELLED = "booked", "called", "done", "no_show", "cancelled"
ACTIVE = (BOOKED, CALLED)
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
NEED_MAX = 200
NOON = time(12, 0)


class BookingError(Refused):
    """A booking step that cannot be done; ``problem`` names the text to answer with."""


@dataclass(frozen=True)
class Who:
    """Whose bookings count together: the registered person, else the chat identity."""

    key: str
    person_id: int | None


def who_of(session: Session, channel: str, external_id: str) -> Who:
    person = linked_person_id(session, channel, external_id)
    if person is not None:
        return Who(f"p:{person}", person)
    return Who(f"c:{channel}:{external_id}", None)


def default_office(
    session: Session, content: Content, offices: Offices, who: Who, scene_area: str | None
) -> Office | None:
    """The resident's registered community's window, else their street's (or the area
    a community QR code named)."""
    area = None
    if who.person_id is not None:
        person = session.get(Person, who.person_id)
        area = person.area_code if person else None
    area = area or scene_area
    if not area or content.areas.get(area) is None:
        return None
    for ancestor in content.areas.ancestors(area):
        office = offices.get(ancestor.code)
        if office is not None:
            return office
    return None


# --- what can be booked -------------------------------------------------------------


def opens(
    office: Office,
    worktime: WorkTime,
    day: date,
    start: time,
    now: datetime,
    last: date | None = None,
    workday: bool | None = None,
) -> str:
    """Why a slot cannot be booked now ("" when it can). ``last`` and ``workday`` may be
    given when known (the calendar lookups are the costly part of listing free slots)."""
    today = local(now).date()
    starts = office.starts_at(day, start)
    if day < today or starts <= now:
        return "past"
    if not (_workday(worktime, day) if workday is None else workday):
        return "closed"
    if day > (last or last_day(office, worktime, now)):
        return "too_far"
    if day == today and local(now).time() >= office.rules.daily_cutoff:
        return "too_late"
    if starts - timedelta(hours=office.rules.latest_hours_before) < now:
        return "too_late"
    if start not in office.slots():
        return "no_slot"
    return ""


@lru_cache(maxsize=4096)
def _workday(worktime: WorkTime, day: date) -> bool:
    """The calendar package is slow per lookup; listing free slots asks it often."""
    return worktime.is_workday(day)


def last_day(office: Office, worktime: WorkTime, now: datetime) -> date:
    """The last day open for booking: ``days_ahead`` working days after today."""
    day, remaining = local(now).date(), office.rules.days_ahead
    while remaining > 0:
        day += timedelta(days=1)
        remaining -= _workday(worktime, day)
    return day


def working_days(
    office: Office, worktime: WorkTime, now: datetime, end: date | None = None
) -> list[date]:
    today = local(now).date()
    end = end or last_day(office, worktime, now)
    days, day = [], today
    while day <= end:
        if _workday(worktime, day):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class Free:
    day: date
    start: time
    free: int


def free_slots(
    session: Session,
    worktime: WorkTime,
    office: Office,
    service: str,
    now: datetime,
    day: date | None = None,
) -> list[Free]:
    """Slots with a free place, in time order (one query), over the booking window or one day."""
    capacity = office.services[service].capacity
    last = last_day(office, worktime, now)
    days = [day] if day is not None else working_days(office, worktime, now, last)
    if not days:
        return []
    rows = session.exec(
        select(col(BookingSlot.day), col(BookingSlot.start), col(BookingSlot.taken))
        .where(BookingSlot.office == office.code)
        .where(BookingSlot.service == service)
        .where(col(BookingSlot.day).between(days[0], days[-1]))
    ).all()
    taken = {(d, s): n for d, s, n in rows}
    out = []
    for each in days:
        workday = _workday(worktime, each)
        for start in office.slots():
            if opens(office, worktime, each, start, now, last, workday):
                continue
            free = capacity - taken.get((each, start.isoformat("minutes")), 0)
            if free > 0:
                out.append(Free(each, start, free))
    return out


def half_of(start: time) -> str:
    return "am" if start < NOON else "pm"


# --- booking, cancelling ---------------------------------------------------------------


def _insert(session: Session, table: sa.Table, values: dict[str, object], keys: list[str]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=keys))


def _lock_slot(session: Session, office: str, service: str, day: date, start: str) -> BookingSlot:
    table: sa.Table = BookingSlot.__table__  # type: ignore[attr-defined]
    _insert(
        session,
        table,
        {"office": office, "service": service, "day": day, "start": start, "capacity": 1},
        ["office", "service", "day", "start"],
    )
    slot = session.exec(
        select(BookingSlot)
        .where(BookingSlot.office == office)
        .where(BookingSlot.service == service)
        .where(BookingSlot.day == day)
        .where(BookingSlot.start == start)
        .with_for_update()
    ).one()
    session.refresh(slot)  # the locked row as committed, not a cached copy
    return slot


def _queue_number(session: Session, office: str, day: date, letter: str) -> str:
    table: sa.Table = BookingQueue.__table__  # type: ignore[attr-defined]
    _insert(
        session,
        table,
        {"office": office, "day": day, "letter": letter, "last": 0},
        [
            "office",
            "day",
            "letter",
        ],
    )
    counter = session.exec(
        select(BookingQueue)
        .where(BookingQueue.office == office)
        .where(BookingQueue.day == day)
        .where(BookingQueue.letter == letter)
        .with_for_update()
    ).one()
    session.refresh(counter)
    counter.last += 1
    session.add(counter)
    return f"{letter}{counter.last:03d}"


def active_of(session: Session, who: str, now: datetime) -> list[Booking]:
    return list(
        session.exec(
            select(Booking)
            .where(Booking.who == who)
            .where(col(Booking.status).in_(ACTIVE))
            .where(Booking.ends_at > now)
            .order_by(col(Booking.starts_at))
        )
    )


@dataclass(frozen=True)
class Request:
    office: Office
    service: str
    day: date
    start: time
    channel: str
    external_id: str
    name: str
    need: str = ""
    replacing: int | None = None  # a reschedule: this booking is cancelled in the same step


def book(session: Session, vault: Vault, content: Content, req: Request, now: datetime) -> Booking:
    """Books one place or raises ``BookingError`` (past, closed, too_far, too_late, full,
    limit, overlap, not_offered, need_too_long, confirm_needed …); nothing changes then."""
    office = req.office
    if req.service not in office.services:
        raise BookingError("not_offered")
    if len(req.need) > NEED_MAX:
        raise BookingError("need_too_long")
    problem = opens(office, content.worktime, req.day, req.start, now)
    if problem:
        raise BookingError(problem)
    who = who_of(session, req.channel, req.external_id)
    if who.person_id is not None:
        # One person may write from WeChat and Telegram at once: their bookings are
        # counted under the person's row lock (a chat identity's own messages are
        # already one at a time under the conversation's lock).
        session.exec(select(Person.id).where(Person.id == who.person_id).with_for_update()).one()
    starts = office.starts_at(req.day, req.start)
    ends = starts + timedelta(minutes=office.rules.slot_minutes)
    mine = [b for b in active_of(session, who.key, now) if b.id != req.replacing]
    if any(b.starts_at < ends and b.ends_at > starts for b in mine):
        raise BookingError("overlap")
    if len(mine) >= office.rules.max_active:
        raise BookingError("limit")
    if req.replacing is not None:
        old = session.get(Booking, req.replacing)
        if old is None or old.who != who.key or old.status != BOOKED or old.starts_at <= now:
            raise BookingError("not_yours", 404)
    # Every refusal above; from here on the step changes rows (a full slot changes none).
    start = req.start.isoformat("minutes")
    slot = _lock_slot(session, office.code, req.service, req.day, start)
    capacity = office.services[req.service].capacity
    if slot.taken >= capacity:
        raise BookingError("full")
    slot.capacity, slot.taken = max(capacity, slot.taken + 1), slot.taken + 1
    session.add(slot)
    if req.replacing is not None:
        cancel(session, session.get_one(Booking, req.replacing), now, "rescheduled")
    assert slot.id is not None
    booking = Booking(
        number=_number(),
        office=office.code,
        service=req.service,
        day=req.day,
        start=start,
        starts_at=starts,
        ends_at=ends,
        slot_id=slot.id,
        queue_no=_queue_number(session, office.code, req.day, office.services[req.service].letter),
        who=who.key,
        person_id=who.person_id,
        channel=req.channel,
        external_id=req.external_id,
        name_enc=vault.encrypt(req.name),
        need_enc=vault.encrypt(req.need) if req.need else "",
        confirm_needed=needs_confirmation(session, office, who.key, now),
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    session.flush()
    return booking


def _number() -> str:
    return "Y" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(7))


def cancel(session: Session, booking: Booking, now: datetime, reason: str) -> None:
    """Cancels a booking still waiting and gives its place back at once."""
    if booking.status != BOOKED:
        raise BookingError("not_active")
    if booking.starts_at <= now and reason != "unconfirmed":
        raise BookingError("started")
    slot = session.exec(
        select(BookingSlot).where(BookingSlot.id == booking.slot_id).with_for_update()
    ).one()
    session.refresh(slot)
    slot.taken = max(0, slot.taken - 1)
    session.add(slot)
    booking.status, booking.cancelled_at, booking.updated_at = CANCELLED, now, now
    booking.cancel_reason = reason[:24]
    session.add(booking)
    # Reminders already queued for it go too.
    session.execute(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.idempotency_key).startswith(f"booking:{booking.id}:"))
        .where(col(OutboxMessage.status).in_([PENDING, HELD]))
        .values(status=CANCELLED_PUSH, last_error="booking cancelled")
    )
    session.flush()


def mine_by_number(session: Session, channel: str, external_id: str, number: str) -> Booking:
    """One of the resident's own bookings by its number; someone else's is "not found"
    (a number never tells whether it exists for another person)."""
    who = who_of(session, channel, external_id)
    folded = "".join(ch for ch in number.upper() if ch.isalnum())
    booking = session.exec(select(Booking).where(Booking.number == folded)).first()
    if booking is None or booking.who != who.key:
        raise BookingError("not_yours", 404)
    return booking


def needs_confirmation(session: Session, office: Office, who: str, now: datetime) -> bool:
    """Too many no-shows lately: the next bookings need a reply the day before."""
    since = now - timedelta(days=office.rules.no_show_days)
    count = session.exec(
        select(sa.func.count())
        .select_from(Booking)
        .where(Booking.who == who)
        .where(Booking.status == NO_SHOW)
        .where(Booking.starts_at >= since)
    ).one()
    return int(count) >= office.rules.no_show_limit


# --- the staff's day ---------------------------------------------------------------------


def day_of(session: Session, office: str, day: date) -> list[Booking]:
    """The office's bookings of a day in time order, then by queue number."""
    return list(
        session.exec(
            select(Booking)
            .where(Booking.office == office)
            .where(Booking.day == day)
            .where(Booking.status != CANCELLED)
            .order_by(col(Booking.starts_at), col(Booking.queue_no))
        )
    )


# The survey after a service (满意度调查). Surveys do not exist yet: this hook is called once
# per completed booking and does nothing until the survey feature replaces it.
SurveyHook = Callable[[Session, Booking], None]


def no_survey_yet(session: Session, booking: Booking) -> None:
    """Surveys are not built; nothing is sent (see docs/booking.md)."""


def call_next(session: Session, office: Office, window: int, now: datetime) -> Booking | None:
    """Calls the earliest waiting booking of today (by slot, then number); None if none."""
    if not 1 <= window <= office.windows:
        raise BookingError("window")
    booking = session.exec(
        select(Booking)
        .where(Booking.office == office.code)
        .where(Booking.day == local(now).date())
        .where(Booking.status == BOOKED)
        .order_by(col(Booking.starts_at), col(Booking.queue_no))
        .limit(1)
        .with_for_update()
    ).first()
    if booking is None:
        return None
    booking.status, booking.window, booking.called_at, booking.updated_at = CALLED, window, now, now
    session.add(booking)
    session.flush()
    return booking


def finish(
    session: Session,
    booking: Booking,
    *,
    served: bool,
    note: str,
    now: datetime,
    survey: SurveyHook = no_survey_yet,
) -> None:
    """完成 (served, with an optional note) or 未到 (no-show)."""
    if booking.status not in ACTIVE or booking.day != local(now).date():
        raise BookingError("not_today")
    if len(note) > 500:
        raise BookingError("note_too_long")
    booking.status = DONE if served else NO_SHOW
    booking.note, booking.finished_at, booking.updated_at = note.strip(), now, now
    session.add(booking)
    session.flush()
    if served:
        survey(session, booking)


def in_area(content: Content, area: str, offices: Sequence[Office]) -> list[Office]:
    """The offices a staff member of ``area`` runs: the area's own first, then inside it."""
    inside = [o for o in offices if content.areas.contains(area, o.code)]
    return sorted(inside, key=lambda o: (o.code != area, o.code))
