"""Scheduled work of booking: reminders the day before and about an hour before, and
releasing bookings that needed a confirmation reply and got none.

Derived from the rows on every tick and keyed per booking and kind, so ticks may repeat
or overlap; a cancelled booking is never selected, so it gets no reminder.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from core.booking import services as svc
from core.booking.models import Booking
from core.booking.notify import holder, reminder
from core.booking.offices import Rules, offices_for
from core.delivery.scheduler import Due, TickCtx
from core.dialog.messages import Outgoing, t
from core.timeutil import SHANGHAI, local

KIND = "booking_reminder"


def _due(
    booking: Booking, which: str, lang: str, messages: tuple[Outgoing, ...], to: tuple[str, str]
) -> Due:
    return Due(
        key=f"booking:{booking.id}:{which}",
        channel=to[0],
        recipient=to[1],
        kind=KIND,
        messages=messages,
        lang=lang,
    )


@dataclass
class BookingReminders:
    """The day before at the content's time, and ``remind_minutes_before`` the slot. A
    booking made after a reminder's moment does not get that reminder."""

    name: str = "booking_reminders"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        offices = offices_for(ctx.content)
        soon = ctx.session.exec(
            select(Booking)
            .where(Booking.status == svc.BOOKED)
            .where(Booking.starts_at > ctx.now)
            .where(Booking.starts_at <= ctx.now + timedelta(days=2))
            .order_by(col(Booking.id))
        ).all()
        for booking in soon:
            office = offices.get(booking.office)
            conv = holder(ctx.session, booking)
            if office is None or conv is None:
                continue
            to = (conv.channel, conv.external_id)
            for which, moment in self._moments(booking, office.rules):
                if booking.created_at < moment <= ctx.now:
                    messages = tuple(reminder(ctx.content, office, booking, conv.lang, which))
                    yield _due(booking, which, conv.lang, messages, to)

    def _moments(self, booking: Booking, rules: Rules) -> Iterator[tuple[str, datetime]]:
        eve = datetime.combine(
            booking.day - timedelta(days=1), rules.remind_day_before_at, tzinfo=SHANGHAI
        )
        yield "day_before", eve
        yield "soon", booking.starts_at - timedelta(minutes=rules.remind_minutes_before)


@dataclass
class UnconfirmedRelease:
    """A booking that needed a confirmation reply (after repeated no-shows) and got none by
    the start of its day is released: the place is free again and the resident is told."""

    name: str = "booking_release"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        offices = offices_for(ctx.content)
        today = local(ctx.now).date()
        waiting = ctx.session.exec(
            select(Booking)
            .where(Booking.status == svc.BOOKED)
            .where(col(Booking.confirm_needed))
            .where(col(Booking.confirmed_at).is_(None))
            .where(Booking.day <= today)
            .order_by(col(Booking.id))
        ).all()
        for booking in waiting:
            svc.cancel(ctx.session, booking, ctx.now, "unconfirmed")
            office = offices.get(booking.office)
            conv = holder(ctx.session, booking)
            if office is None or conv is None:
                continue
            said = Outgoing(t("booking.push.released", number=booking.number))
            yield _due(booking, "released", conv.lang, (said,), (conv.channel, conv.external_id))
