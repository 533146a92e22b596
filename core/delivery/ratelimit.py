"""Token buckets kept in the database, so a limit holds across every process."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from core.storage.models import RateBucket


def take(
    session: Session,
    key: str,
    *,
    rate: float,
    burst: float,
    now: Callable[[], float] = time.time,
) -> float:
    """Takes one token from bucket ``key``; returns 0 or the seconds to wait before retrying.

    The row is locked for the rest of the caller's transaction (FOR UPDATE on PostgreSQL,
    the write lock on SQLite), so two processes never spend the same token.
    """
    current = now()
    table = RateBucket.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(table)
        .values(key=key, tokens=burst, updated_at=current)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    bucket = session.exec(select(RateBucket).where(RateBucket.key == key).with_for_update()).one()
    tokens = min(burst, bucket.tokens + max(0.0, current - bucket.updated_at) * rate)
    if tokens >= 1.0:
        bucket.tokens, bucket.updated_at = tokens - 1.0, current
        session.add(bucket)
        return 0.0
    bucket.tokens, bucket.updated_at = tokens, current
    session.add(bucket)
    return (1.0 - tokens) / rate


def waiting(
    session: Session,
    key: str,
    *,
    rate: float,
    burst: float,
    now: Callable[[], float] = time.time,
) -> float:
    """The seconds until bucket ``key`` has a token (0 now), without taking one."""
    bucket = session.exec(select(RateBucket).where(RateBucket.key == key)).first()
    if bucket is None:
        return 0.0
    tokens = min(burst, bucket.tokens + max(0.0, now() - bucket.updated_at) * rate)
    return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
