"""Tables of registration: people, their chat links and history, registrations, drafts.

ID number, name and phone are stored encrypted (``*_enc``); the ID number is looked up
through its keyed hash (``id_hash``). Nothing here holds a personal value in clear.
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


class Person(SQLModel, table=True):
    """One person (劳动者), found by the keyed hash of their ID number."""

    id: int | None = Field(default=None, primary_key=True)
    id_type: str = Field(default="resident_id", max_length=24)
    id_hash: str = Field(max_length=64, unique=True)
    id_number_enc: str = Field(max_length=400)
    name_enc: str = Field(max_length=400)
    phone_enc: str = Field(max_length=400)
    area_code: str = Field(max_length=12, index=True)
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)


class PersonIdentity(SQLModel, table=True):
    """A chat identity that registered as this person; one person per identity."""

    __tablename__ = "person_identity"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    created_at: datetime = _when(default_factory=utcnow)


class PersonRevision(SQLModel, table=True):
    """What a later registration changed on the person: the names and the earlier values."""

    __tablename__ = "person_revision"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    registration_id: int | None = Field(default=None, foreign_key="registration.id")
    changed: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    previous: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)  # ciphertexts
    at: datetime = _when(default_factory=utcnow)


class Registration(SQLModel, table=True):
    """One 求职/失业/就业登记 and where its review stands."""

    __table_args__ = (sa.Index("ix_registration_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16)
    review_levels: int = 2
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    conflict: bool = False
    channel: str | None = Field(default=None, max_length=16)
    external_id: str | None = Field(default=None, max_length=128, index=True)
    area_code: str = Field(max_length=12, index=True)
    id_hash: str = Field(max_length=64, index=True)
    id_number_enc: str = Field(max_length=400)
    name_enc: str = Field(max_length=400)
    phone_enc: str = Field(max_length=400)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    privacy_version: str = Field(max_length=24)
    privacy_accepted_at: datetime = _when()
    pledge_version: str | None = Field(default=None, max_length=24)
    pledge_signed_at: datetime | None = _when(default=None)
    returned_items: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    note: str = Field(default="", max_length=500)
    submitted_at: datetime = _when(default_factory=utcnow)
    accepted_at: datetime | None = _when(default=None)
    decided_at: datetime | None = _when(default=None)
    step_started_at: datetime = _when(default_factory=utcnow)
    remind_at: datetime | None = _when(default=None)
    due_at: datetime | None = _when(default=None)
    updated_at: datetime = _when(default_factory=utcnow)


class RegistrationEvent(SQLModel, table=True):
    """Each step of a registration's review: who, what, from which state to which."""

    __tablename__ = "registration_event"

    id: int | None = Field(default=None, primary_key=True)
    registration_id: int = Field(foreign_key="registration.id", index=True)
    at: datetime = _when(default_factory=utcnow)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=24)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    note: str = Field(default="", max_length=500)
    items: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class RegistrationDraft(SQLModel, table=True):
    """A half-finished registration of one chat identity; survives restarts, then expires."""

    __tablename__ = "registration_draft"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    kind: str = Field(max_length=16)
    step: str = Field(max_length=24)
    registration_id: int | None = Field(default=None, foreign_key="registration.id")
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    name_enc: str | None = Field(default=None, max_length=400)
    id_number_enc: str | None = Field(default=None, max_length=400)
    phone_enc: str | None = Field(default=None, max_length=400)
    privacy_version: str = Field(max_length=24)
    privacy_accepted_at: datetime = _when()
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow, index=True)
