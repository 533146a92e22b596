"""Reminders go through the outbox as scheduler jobs: the day before at the content's time
and about an hour before; a cancelled booking gets none; ticks never send twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from core.booking.reminders import BookingReminders, UnconfirmedRelease
from core.delivery.scheduler import tick
from core.runtime import Runtime
from core.storage.models import OutboxMessage
from core.timeutil import SHANGHAI
from tests.booking.conftest import Clock, book_guidance, bookings
from tests.registration.helpers import pushes
from tests.talk import Talk

JOBS = [BookingReminders(), UnconfirmedRelease()]
EVE = datetime(2026, 9, 29, 18, 0, tzinfo=SHANGHAI)  # remind_day_before_at for 30 September
HOUR_BEFORE = datetime(2026, 9, 30, 8, 0, tzinfo=SHANGHAI)  # the 09:00 slot


def _tick(runtime: Runtime, now: datetime) -> int:
    return tick(runtime.db, runtime.content, runtime.vault, JOBS, now).written["booking_reminders"]


def test_reminders_the_day_before_and_an_hour_before_once_each(
    runtime: Runtime, resident: Talk
) -> None:
    book_guidance(resident)
    assert _tick(runtime, EVE - timedelta(minutes=1)) == 0
    assert _tick(runtime, EVE) == 1
    assert _tick(runtime, EVE + timedelta(minutes=5)) == 0
    assert _tick(runtime, HOUR_BEFORE - timedelta(minutes=1)) == 0
    assert _tick(runtime, HOUR_BEFORE) == 1
    assert _tick(runtime, HOUR_BEFORE + timedelta(minutes=1)) == 0
    assert pushes(runtime, resident.user) == ["booking.push.day_before", "booking.push.soon"]
    with runtime.db.transaction() as session:
        kinds = session.exec(select(OutboxMessage.kind)).all()
    assert set(kinds) == {"booking_reminder"}  # WeChat's template for this kind, if set


def test_cancelled_booking_gets_no_reminder(runtime: Runtime, resident: Talk) -> None:
    book_guidance(resident)
    resident.send("我的预约")
    resident.send(choice=resident.options()[0])
    resident.send(choice="b:x")
    resident.send(choice="b:x:y")
    assert _tick(runtime, EVE) == 0 and _tick(runtime, HOUR_BEFORE) == 0
    assert pushes(runtime, resident.user) == []


def test_queued_reminder_is_withdrawn_when_the_booking_is_cancelled(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    book_guidance(resident)
    assert _tick(runtime, EVE) == 1
    clock.now = EVE + timedelta(minutes=1)
    resident.send("我的预约")
    resident.send(choice=resident.options()[0])
    resident.send(choice="b:x")
    resident.send(choice="b:x:y")
    with runtime.db.transaction() as session:
        statuses = session.exec(select(OutboxMessage.status).order_by(col(OutboxMessage.id))).all()
    assert list(statuses) == ["cancelled"]


def test_booking_made_after_the_reminder_time_gets_only_the_hour_before(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    clock.now = EVE + timedelta(hours=1)  # 19:00 the evening before
    book_guidance(resident)
    assert _tick(runtime, EVE + timedelta(hours=2)) == 0
    assert _tick(runtime, HOUR_BEFORE) == 1
    assert pushes(runtime, resident.user) == ["booking.push.soon"]


def test_unconfirmed_booking_after_no_shows_is_released_at_the_start_of_its_day(
    runtime: Runtime, resident: Talk
) -> None:
    book_guidance(resident)
    with runtime.db.transaction() as session:
        booking = session.get_one(type(bookings(runtime)[0]), bookings(runtime)[0].id)
        booking.confirm_needed = True
        session.add(booking)
    assert _tick(runtime, EVE) == 1
    assert pushes(runtime, resident.user) == ["booking.push.day_before", "booking.push.confirm_ask"]
    tick(runtime.db, runtime.content, runtime.vault, JOBS, EVE + timedelta(hours=7))
    (row,) = bookings(runtime)
    assert (row.status, row.cancel_reason) == ("cancelled", "unconfirmed")
    assert pushes(runtime, resident.user)[-1] == "booking.push.released"
