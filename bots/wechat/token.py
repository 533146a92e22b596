"""The access token, shared by every process through the database and refreshed once.

A process that finds the token missing, invalid or within ``margin`` of expiry takes a
short lease on a lock row (FOR UPDATE); only the lease holder calls WeChat's token API,
outside any transaction, and stores the new token. The others keep using the old token
while it is still valid, or wait for the new one.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from enum import Enum

from bots.wechat.storage import Clock, SharedValueStorage, locked
from core.storage.models import SharedValue
from core.timeutil import utcnow


class TokenUnavailable(Exception):
    """No valid token could be had (the token API failed or another refresh hung)."""


class _Claim(Enum):
    MINE = "mine"
    BUSY = "busy"


class AccessTokens:
    def __init__(
        self,
        storage: SharedValueStorage,
        key: str,
        fetch: Callable[[], object],
        *,
        margin: timedelta = timedelta(minutes=5),
        lease: timedelta = timedelta(seconds=30),
        clock: Clock = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.storage, self.key, self.fetch = storage, key, fetch
        self.margin, self.lease, self.clock, self.sleep = margin, lease, clock, sleep
        self._me = uuid.uuid4().hex[:12]

    def current(self) -> str:
        """A token good for at least ``margin`` (refreshing it first if need be)."""
        row = self.storage.row(self.key)
        if row is not None and row.value and self._fresh(row):
            return row.value
        stale = row.value if row is not None and row.value else None
        return self.refresh(stale=stale, usable=stale is not None)

    def refresh(self, stale: str | None, usable: bool = False) -> str:
        """A token other than ``stale``; ``usable`` says ``stale`` may still be used while
        another process refreshes (it is only near expiry, not rejected by WeChat)."""
        deadline = self.clock() + self.lease
        while True:
            claim = self._claim(stale)
            if isinstance(claim, str):
                return claim
            if claim is _Claim.MINE:
                return self._fetch_and_release()
            if usable and stale:
                return stale
            if self.clock() > deadline:
                raise TokenUnavailable("another process is refreshing the access token")
            self.sleep(0.1)

    def _fresh(self, row: SharedValue) -> bool:
        return row.expires_at is None or row.expires_at - self.clock() > self.margin

    def _holder(self) -> str:
        return f"{self._me}:{threading.get_ident()}"

    def _claim(self, stale: str | None) -> str | _Claim:
        now = self.clock()
        with self.storage.db.transaction() as session:
            lease = locked(session, self.storage.prefix + self.key + ":lease", now)
            token = session.get(SharedValue, self.storage.prefix + self.key)
            value = self.storage.open(token.value) if token is not None else ""
            if (
                token is not None
                and value
                and value != stale
                and token.expires_at is not None
                and token.expires_at - now > self.margin
            ):
                return value
            if (
                lease.expires_at is not None
                and lease.expires_at > now
                and lease.value != self._holder()
            ):
                return _Claim.BUSY
            lease.value, lease.expires_at, lease.updated_at = self._holder(), now + self.lease, now
            session.add(lease)
            return _Claim.MINE

    def _fetch_and_release(self) -> str:
        try:
            self.fetch()  # stores the new token through the storage
        finally:
            self._release()
        row = self.storage.row(self.key)
        if row is None or not row.value:
            raise TokenUnavailable("the token API answered without a token")
        return row.value

    def _release(self) -> None:
        now = self.clock()
        with self.storage.db.transaction() as session:
            lease = locked(session, self.storage.prefix + self.key + ":lease", now)
            if lease.value == self._holder():
                lease.expires_at, lease.updated_at = now, now
                session.add(lease)
