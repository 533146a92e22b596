"""Tables of booking: one counter row per slot (the lock that prevents overbooking), the
daily queue-number counters, and the bookings themselves.

The resident's name and what they need help with are stored encrypted (``*_enc``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.storage.models import UTCDateTime
from core.timeutil import utcnow


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class BookingSlot(SQLModel, table=True):
    """Places of one service in one slot of one office: ``taken`` never exceeds
    ``capacity`` because every change locks this row first (``SELECT … FOR UPDATE``)."""

    __tablename__ = "booking_slot"
    __table_args__ = (
        sa.UniqueConstraint("office", "service", "day", "start"),
        sa.CheckConstraint("taken >= 0 AND taken <= capacity", name="ck_booking_slot_taken"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(max_length=12)
    service: str = Field(max_length=24)
    day: date
    start: str = Field(max_length=5)  # "09:00", local time
    capacity: int
    taken: int = 0


class BookingQueue(SQLModel, table=True):
    """The last queue number given per office, day and letter (A001, A002 …)."""

    __tablename__ = "booking_queue"
    __table_args__ = (sa.UniqueConstraint("office", "day", "letter"),)

    id: int | None = Field(default=None, primary_key=True)
    office: str = Field(max_length=12)
    day: date
    letter: str = Field(max_length=1)
    last: int = 0


class Booking(SQLModel, table=True):
    """One booked visit and where it stands: booked → called → done | no_show, or cancelled."""

    __table_args__ = (
        sa.Index("ix_booking_office_day", "office", "day"),
        sa.Index("ix_booking_who_status", "who", "status"),
        sa.Index("ix_booking_status_starts", "status", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=12, unique=True)  # what the resident quotes
    office: str = Field(max_length=12)
    service: str = Field(max_length=24)
    day: date
    start: str = Field(max_length=5)
    starts_at: datetime = _when()
    ends_at: datetime = _when()
    slot_id: int = Field(foreign_key="booking_slot.id")
    queue_no: str = Field(max_length=8)
    status: str = Field(default="booked", max_length=16)
    # Whose booking, for the limits: "p:<person id>" when registered, else the chat identity.
    who: str = Field(max_length=160)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    channel: str | None = Field(default=None, max_length=16)
    external_id: str | None = Field(default=None, max_length=128, index=True)
    name_enc: str = Field(max_length=400)
    need_enc: str = Field(default="", max_length=1200)
    note: str = Field(default="", max_length=500)  # staff's note on completion
    window: int | None = None
    confirm_needed: bool = False
    confirmed_at: datetime | None = _when(default=None)
    created_at: datetime = _when(default_factory=utcnow)
    called_at: datetime | None = _when(default=None)
    finished_at: datetime | None = _when(default=None)
    cancelled_at: datetime | None = _when(default=None)
    cancel_reason: str = Field(default="", max_length=24)
    updated_at: datetime = _when(default_factory=utcnow)
