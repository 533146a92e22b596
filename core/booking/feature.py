"""预约就业指导 as a feature: booking by chat, 我的预约, reminders, the staff's day (今日预约
and 待办), with the queue screen and staff API in bots/web/booking_api.py."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlmodel import Session, col

from core.booking import models
from core.booking.chat.book import BookFlow
from core.booking.chat.mine import CONFIRM_ARG, MineFlow, bookings_section
from core.booking.chat.staff_day import StaffDayFlow, booking_tasks
from core.booking.models import Booking
from core.booking.offices import offices_for
from core.booking.reminders import BookingReminders, UnconfirmedRelease
from core.dialog.flow import Flow, MenuItem, TaskSource
from core.features import Deps, Feature


def _flows(deps: Deps) -> Sequence[Flow]:
    book = BookFlow()
    return [book, MineFlow(book), StaffDayFlow()]


def forget_identity(session: Session, channel: str, external_id: str) -> None:
    """The chat identity left: its bookings stay as service records, unlinked from it (no
    reminder or call reaches a chat that is gone, and no platform id stays behind)."""
    session.execute(
        sa.update(Booking)
        .where(col(Booking.channel) == channel)
        .where(col(Booking.external_id) == external_id)
        .values(channel=None, external_id=None)
    )
    session.execute(
        sa.update(Booking)
        .where(col(Booking.who) == f"c:{channel}:{external_id}")
        .values(who="gone")
    )


FEATURE = Feature(
    name="booking",
    flows=_flows,
    menu=(
        MenuItem("booking", BookFlow.name, order=30, keep_words=True),  # 预约职业指导
        MenuItem("booking_mine", MineFlow.name, order=31, hidden=True),
        MenuItem("booking_confirm", MineFlow.name, order=32, hidden=True, start_arg=CONFIRM_ARG),
        MenuItem("booking_day", StaffDayFlow.name, order=71, staff_only=True),
    ),
    jobs=(BookingReminders(), UnconfirmedRelease()),
    mine=(bookings_section,),
    tasks=(TaskSource("booking", StaffDayFlow.name, booking_tasks),),
    erase=(forget_identity,),
    tables=(models,),
    texts=("booking",),
    content=(offices_for,),
)
