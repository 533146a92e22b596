"""Tables of the openings catalogue and of subscriptions to new openings."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.storage.models import UTCDateTime
from core.timeutil import utcnow


class Opening(SQLModel, table=True):
    """One published opening; ``ref`` is the source's own id and the upsert key."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    employer: str = Field(max_length=200)
    area_name: str = Field(max_length=100)
    area_code: str | None = Field(default=None, max_length=12, index=True)
    salary_min: int | None = None
    salary_max: int | None = None
    headcount: int | None = None
    description: str = Field(default="", sa_type=sa.Text)
    contact: str = Field(default="", max_length=200)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    fingerprint: str = Field(max_length=64)  # hash of the imported fields: re-import is a no-op
    import_batch: str | None = Field(default=None, max_length=40, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OpeningSubscription(SQLModel, table=True):
    """A chat identity wants new openings matching a keyword and/or an area."""

    __tablename__ = "opening_subscription"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id", "keyword", "area_code"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128, index=True)
    keyword: str = Field(default="", max_length=40)
    area_code: str = Field(default="", max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OpeningNotified(SQLModel, table=True):
    """Which subscriber was told about which opening: at most once each."""

    __tablename__ = "opening_notified"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id", "opening_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    opening_ref: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
