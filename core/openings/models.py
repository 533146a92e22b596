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


class OpeningImport(SQLModel, table=True):
    """One import: staged in batches, then switched in at once; the worker then tells
    subscribers about the openings it added (``notify_cursor`` is how far it got)."""

    __tablename__ = "opening_import"

    id: int | None = Field(default=None, primary_key=True)
    batch: str = Field(max_length=40, unique=True)  # Opening.import_batch of what it added
    actor: str = Field(max_length=64)
    scope: str | None = Field(default=None, max_length=12)  # the importer's area; None = all
    status: str = Field(default="staging", max_length=16, index=True)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notify_cursor: int = 0
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OpeningStaged(SQLModel, table=True):
    """A checked row waiting for its import to be switched in; readers never see it."""

    __tablename__ = "opening_staged"
    __table_args__ = (sa.UniqueConstraint("import_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int
    row: int
    ref: str = Field(max_length=64)
    title: str = Field(max_length=200)
    employer: str = Field(max_length=200)
    area_name: str = Field(max_length=100)
    area_code: str | None = Field(default=None, max_length=12)
    salary_min: int | None = None
    salary_max: int | None = None
    headcount: int | None = None
    description: str = Field(default="", sa_type=sa.Text)
    contact: str = Field(default="", max_length=200)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    fingerprint: str = Field(max_length=64)


class OpeningChange(SQLModel, table=True):
    """What an import added or changed, in full (the audit row names the first few)."""

    __tablename__ = "opening_import_change"

    import_id: int = Field(primary_key=True)
    ref: str = Field(max_length=64, primary_key=True)
    action: str = Field(max_length=8)  # added | changed


class OpeningNotice(SQLModel, table=True):
    """One subscriber's news from one import: how many new openings matched, the first few
    refs, and whether the message was queued. One row per subscriber and import."""

    __tablename__ = "opening_notice"
    __table_args__ = (sa.UniqueConstraint("import_id", "channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    import_id: int
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    count: int = 0
    refs: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    queued: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
