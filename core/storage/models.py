"""Tables of the foundation: conversations, inbound records, outbox, staff, audit, shared values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from core.timeutil import utcnow


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite has no zone) and always hands back aware UTC."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else _naive_utc(value)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else _aware_utc(value)

    def bind_processor(self, dialect: sa.Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        # The text SQLAlchemy's SQLite DATETIME stores, written in one step: its
        # dict-formatting took three times as long, and every message binds three.
        def process(value: datetime | None) -> str | None:
            return None if value is None else _naive_utc(value).isoformat(" ", "microseconds")

        return process

    def result_processor(self, dialect: sa.Dialect, coltype: Any) -> Any:
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite" or general is None:
            return general

        def process(value: Any) -> datetime | None:
            # Text in the shape the binder writes is read directly; anything else (a hand-
            # written row) goes through SQLAlchemy's own parser.
            if type(value) is str and len(value) == _STORED_LENGTH and value[10] == " ":
                return _aware_utc(datetime.fromisoformat(value))
            result: datetime | None = general(value)
            return result

        return process


_STORED_LENGTH = len("2026-01-01 00:00:00.000000")


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    # combine, not replace(tzinfo=None): replace parses keywords slowly, a third of the time
    return datetime.combine(value.date(), value.time())


def _aware_utc(value: datetime) -> datetime:
    return datetime.combine(value.date(), value.time(), UTC)


def _when(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


class Conversation(SQLModel, table=True):
    """One chat identity (channel + platform user id) and where its dialog stands."""

    __table_args__ = (sa.UniqueConstraint("channel", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    lang: str = Field(default="zh-CN", max_length=8)
    flow: str | None = Field(default=None, max_length=40)
    step: str | None = Field(default=None, max_length=40)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    history: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    last_options: list[list[str]] = Field(default_factory=list, sa_type=sa.JSON)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    area_code: str | None = Field(default=None, max_length=12)  # e.g. from a community QR code
    reachable: bool = True
    unreachable_reason: str | None = Field(default=None, max_length=200)
    last_inbound_at: datetime | None = _when(default=None)
    created_at: datetime = _when(default_factory=utcnow)
    updated_at: datetime = _when(default_factory=utcnow)


class InboundMessage(SQLModel, table=True):
    """A platform message id seen once, with the reply it got (for re-deliveries)."""

    __tablename__ = "inbound_message"
    __table_args__ = (sa.UniqueConstraint("channel", "message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    message_id: str = Field(max_length=128)
    external_id: str = Field(max_length=128, index=True)
    reply: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    received_at: datetime = _when(default_factory=utcnow, index=True)


class OutboxMessage(SQLModel, table=True):
    """A push waiting to leave, or the record that it left (or why it never will)."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=128, index=True)
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _when(default_factory=utcnow)
    lease_until: datetime | None = _when(default=None)
    claimed_by: str | None = Field(default=None, max_length=64)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _when(default_factory=utcnow)
    sent_at: datetime | None = _when(default=None)


class Staff(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    name_enc: str = Field(max_length=400)
    role: str = Field(max_length=16)
    area_code: str = Field(max_length=12, index=True)
    active: bool = True
    api_token_hash: str | None = Field(default=None, max_length=64, unique=True)
    api_token_expires_at: datetime | None = _when(default=None)
    created_at: datetime = _when(default_factory=utcnow)


class StaffLinkCode(SQLModel, table=True):
    __tablename__ = "staff_link_code"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    expires_at: datetime = _when()
    used_at: datetime | None = _when(default=None)
    created_at: datetime = _when(default_factory=utcnow)


class RateBucket(SQLModel, table=True):
    """Token bucket shared by every process that sends through one limit."""

    __tablename__ = "rate_bucket"

    key: str = Field(primary_key=True, max_length=120)
    tokens: float
    updated_at: float


class SharedValue(SQLModel, table=True):
    """Small values every process must agree on (access tokens, index versions)."""

    __tablename__ = "shared_value"

    key: str = Field(primary_key=True, max_length=120)
    value: str = Field(default="", sa_type=sa.Text)
    version: int = 0
    expires_at: datetime | None = _when(default=None)
    updated_at: datetime = _when(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Append-only record of staff access to personal data and of state changes."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(default_factory=utcnow, index=True)
    actor: str = Field(max_length=64)
    action: str = Field(max_length=64)
    subject: str | None = Field(default=None, max_length=64, index=True)
    detail: str = Field(default="", max_length=1000)
    channel: str | None = Field(default=None, max_length=16)
