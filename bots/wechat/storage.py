"""Small shared values in the database (``SharedValue``), for every process alike."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select
from wechatpy.session import SessionStorage

from core.people.personal import Vault
from core.storage.db import Database
from core.storage.models import SharedValue
from core.timeutil import utcnow

Clock = Callable[[], datetime]


def locked(session: Session, key: str, now: datetime) -> SharedValue:
    """The row ``key`` (created empty if missing), locked until the transaction ends
    (FOR UPDATE on PostgreSQL; SQLite's write lock is already held by BEGIN IMMEDIATE)."""
    table = SharedValue.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(table)
        .values(key=key, value="", version=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return session.exec(select(SharedValue).where(SharedValue.key == key).with_for_update()).one()


def forget_keys(session: Session, keys: Sequence[str]) -> None:
    session.execute(sa.delete(SharedValue).where(col(SharedValue.key).in_(list(keys))))


class SharedValueStorage(SessionStorage):  # type: ignore[misc]
    """wechatpy's session storage kept in ``SharedValue`` rows, so every process sees
    the same access token; a value past its ``expires_at`` reads as absent.

    Values are encrypted with ``sealer`` (a Vault keyed by the AppSecret): the access
    token is a credential, and a copy of the database must not carry a usable one."""

    def __init__(
        self,
        db: Database,
        prefix: str = "wechatpy:",
        clock: Clock = utcnow,
        sealer: Vault | None = None,
    ) -> None:
        self.db, self.prefix, self.clock, self.sealer = db, prefix, clock, sealer

    def get(self, key: str, default: object = None) -> object:
        row = self.row(key)
        if row is None or not row.value:
            return default
        return row.value

    def open(self, stored: str) -> str:
        """A stored value in clear; "" (absent) when it cannot be read, e.g. sealed under
        an AppSecret that has since been changed."""
        if self.sealer is None or not stored:
            return stored
        try:
            return self.sealer.decrypt(stored)
        except Exception:  # a value sealed with another key (or never sealed): refetch it
            return ""

    def row(self, key: str) -> SharedValue | None:
        """The live row for ``key`` (None when missing or expired), its value in clear."""
        with self.db.transaction() as session:
            row = session.get(SharedValue, self.prefix + key)
        if row is None or (row.expires_at is not None and row.expires_at <= self.clock()):
            return None
        row.value = self.open(row.value)  # detached: nothing is written back
        return row

    def set(self, key: str, value: object, ttl: int | None = None) -> None:
        if value is None:
            return
        now = self.clock()
        with self.db.transaction() as session:
            row = locked(session, self.prefix + key, now)
            plain = str(value)
            row.value = self.sealer.encrypt(plain) if self.sealer is not None else plain
            row.version, row.updated_at = row.version + 1, now
            row.expires_at = now + timedelta(seconds=ttl) if ttl else None
            session.add(row)

    def delete(self, key: str) -> None:
        with self.db.transaction() as session:
            forget_keys(session, [self.prefix + key])
