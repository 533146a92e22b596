"""Tables of 投诉建议: tickets and each step taken on them.

What the resident wrote, their phone and the name of a staff member they typed are stored
encrypted (``*_enc``), as are staff answers and notes (they quote the resident). The chat
identity of an anonymous suggestion is not kept; only a keyed hash counts the daily limit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.storage.models import UTCDateTime
from core.timeutil import utcnow


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class ComplaintTicket(SQLModel, table=True):
    """One 投诉 or 建议 and where its handling stands."""

    __tablename__ = "complaint_ticket"
    __table_args__ = (sa.Index("ix_complaint_ticket_status_area", "status", "area_code"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # TS-20261203-0007
    kind: str = Field(max_length=12)  # complaint | suggestion
    category: str = Field(max_length=24)
    status: str = Field(max_length=12)
    # The area it concerns (an office named, else the resident's), and the handling level:
    # "street" (the street platform above that area) or "county" (the level above a street).
    area_code: str = Field(max_length=12, index=True)
    level: str = Field(default="street", max_length=8)
    service: str | None = Field(default=None, max_length=24)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    staff_named_enc: str | None = Field(default=None, max_length=400)
    text_enc: str = Field(sa_type=sa.Text)
    photos: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    contact: str = Field(max_length=12)  # chat | phone | anonymous
    phone_enc: str | None = Field(default=None, max_length=400)
    channel: str | None = Field(default=None, max_length=16)
    external_id: str | None = Field(default=None, max_length=128, index=True)
    filer_hash: str = Field(max_length=64, index=True)
    lang: str = Field(default="zh-CN", max_length=8)
    received_at: datetime = _when(default_factory=utcnow, index=True)
    # The first answer's deadline as filed (kept for the ledger) and the current one
    # (a reopened ticket gets a new first answer at the level above).
    first_answer_due_at: datetime = _when()
    answer_due_at: datetime = _when()
    first_answered_at: datetime | None = _when(default=None)
    answered_at: datetime | None = _when(default=None)
    handler_id: int | None = Field(default=None, foreign_key="staff.id")
    due_at: datetime | None = _when(default=None)
    extended_at: datetime | None = _when(default=None)
    closed_at: datetime | None = _when(default=None)
    rating: str | None = Field(default=None, max_length=16)
    rated_at: datetime | None = _when(default=None)
    reopened_at: datetime | None = _when(default=None)
    finding: str | None = Field(default=None, max_length=12)
    finding_staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    finding_at: datetime | None = _when(default=None)
    updated_at: datetime = _when(default_factory=utcnow)


class ComplaintEvent(SQLModel, table=True):
    """One step on a ticket: who, what, and any text (encrypted)."""

    __tablename__ = "complaint_event"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="complaint_ticket.id", index=True)
    at: datetime = _when(default_factory=utcnow)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=24)
    note_enc: str | None = Field(default=None, sa_type=sa.Text)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
