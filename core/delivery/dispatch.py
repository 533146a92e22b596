"""The dispatcher: claims due outbox rows and sends them through rate-limited channel senders."""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

import anyio
import sqlalchemy as sa
from sqlmodel import col, select

from core.delivery import ratelimit
from core.delivery.outbox import CANCELLED, FAILED, HELD, PENDING, SENT, mark_unreachable
from core.delivery.sending import HoldForReply, PermanentError, Sender, TransientError
from core.dialog.messages import Reply
from core.storage.db import Database
from core.storage.models import OutboxMessage
from core.timeutil import utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=120)
CHANNEL_OFF_DELAY = timedelta(minutes=10)


def backoff(attempts: int, rng: Callable[[], float] = random.random) -> timedelta:
    """Exponential (2 s, 4 s, 8 s … capped at one hour) with ±25 % jitter."""
    base = min(3600.0, 2.0 ** max(1, attempts))
    return timedelta(seconds=base * (0.75 + 0.5 * rng()))


class Dispatcher:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        *,
        worker_id: str = "worker",
        max_attempts: int = 8,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        parallel: int = 16,
    ) -> None:
        self.db, self.senders, self.worker_id = db, dict(senders), worker_id
        self.max_attempts, self.clock, self.sleep = max_attempts, clock, sleep
        self._limit = asyncio.Semaphore(parallel)

    async def run_once(self, batch: int = 100) -> int:
        """Claims and delivers one batch; returns how many rows it handled."""
        rows = await anyio.to_thread.run_sync(self.claim, batch)
        key = lambda r: (r.channel, r.recipient)  # noqa: E731
        groups = [list(g) for _, g in groupby(sorted(rows, key=key), key=key)]
        await asyncio.gather(*(self._deliver_in_order(g) for g in groups))
        return len(rows)

    def claim(self, batch: int) -> list[OutboxMessage]:
        """Due rows, leased to this claim. Each claim counts as an attempt at once, so a
        push sent twice (a worker killed after sending, before recording it) shows it."""
        now = self.clock()
        token = f"{self.worker_id[:47]}#{secrets.token_hex(8)}"
        with self.db.transaction() as session:
            query = (
                select(OutboxMessage.id)
                .where(OutboxMessage.status == PENDING)
                .where(OutboxMessage.next_attempt_at <= now)
                # Another process may serve the others (or, for the terminal, the chat).
                .where(col(OutboxMessage.channel).in_(list(self.senders)))
                .where(
                    sa.or_(
                        col(OutboxMessage.lease_until).is_(None),
                        col(OutboxMessage.lease_until) < now,
                    )
                )
                .order_by(col(OutboxMessage.id))
                .limit(batch)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            ids = list(session.exec(query))
            if not ids:
                return []
            session.execute(
                sa.update(OutboxMessage)
                .where(col(OutboxMessage.id).in_(ids))
                .values(
                    lease_until=now + LEASE,
                    claimed_by=token,
                    attempts=col(OutboxMessage.attempts) + 1,
                )
            )
            rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(ids))).all()
            return sorted(rows, key=lambda r: r.id or 0)

    async def _deliver_in_order(self, rows: list[OutboxMessage]) -> None:
        async with self._limit:
            for row in rows:
                await self._deliver(row)

    async def _deliver(self, row: OutboxMessage) -> None:
        sender = self.senders.get(row.channel)
        if sender is None:
            await self._update(
                row,
                status=PENDING,
                error="channel is not configured here",
                at=self.clock() + CHANNEL_OFF_DELAY,
                count=False,
            )
            return
        wait = await self._take_tokens(sender, row)
        if wait is None:
            log.warning("outbox row %s outlived its lease and was left to its new owner", row.id)
            return
        if wait > 0:
            await self._update(
                row,
                status=PENDING,
                error=None,
                at=self.clock() + timedelta(seconds=wait),
                count=False,
            )
            return
        try:
            await sender.send(row.recipient, Reply.from_json(row.payload), row.kind)
        except TransientError as exc:
            await self._retry(row, exc.reason, exc.retry_after)
        except PermanentError as exc:
            await self._give_up(row, exc.reason, unreachable=exc.unreachable)
        except HoldForReply:
            await self._update(row, status=HELD, error=None, at=self.clock(), count=False)
        except Exception as exc:  # an unknown failure is retried, never lost
            log.exception("sending outbox row %s failed", row.id)
            await self._retry(row, f"{type(exc).__name__}", None)
        else:
            await self._update(row, status=SENT, error=None, at=self.clock(), count=True)

    async def _take_tokens(self, sender: Sender, row: OutboxMessage) -> float | None:
        """Waits for the channel-wide limit; returns >0 if this recipient must wait, None
        when the row is no longer ours to send."""
        while True:
            taken = await anyio.to_thread.run_sync(self._take, sender, row)
            if taken is None:
                return None
            wait_all, wait_one = taken
            if wait_one > 0:
                return wait_one
            if wait_all <= 0:
                return 0.0
            await self.sleep(min(wait_all, 1.0))

    def _take(self, sender: Sender, row: OutboxMessage) -> tuple[float, float] | None:
        recipient = row.recipient
        try:
            with self.db.transaction() as session:
                # The claim renewed right before sending: a batch that ran past its lease
                # finds the row claimed by another worker and leaves it alone.
                renewed: sa.CursorResult[Any] = session.execute(  # type: ignore[assignment]
                    sa.update(OutboxMessage)
                    .where(col(OutboxMessage.id) == row.id)
                    .where(col(OutboxMessage.claimed_by) == row.claimed_by)
                    .where(col(OutboxMessage.status) == PENDING)
                    .values(lease_until=self.clock() + LEASE)
                )
                if not renewed.rowcount:
                    return None
                wait_one = ratelimit.take(
                    session,
                    f"{sender.channel}:to:{recipient}",
                    rate=sender.recipient_rate,
                    burst=1.0,
                )
                if wait_one > 0:
                    return 0.0, wait_one
                wait_all = ratelimit.take(
                    session,
                    f"{sender.channel}:all",
                    rate=sender.global_rate,
                    burst=max(1.0, sender.global_rate),
                )
                if wait_all > 0:
                    raise _GiveBack(wait_all)  # roll back: the recipient's token is not spent
                return 0.0, 0.0
        except _GiveBack as back:
            return back.wait, 0.0

    async def _retry(self, row: OutboxMessage, reason: str, retry_after: float | None) -> None:
        attempts = row.attempts  # counted when claimed
        if attempts >= self.max_attempts:
            await self._give_up(row, f"gave up after {attempts} attempts: {reason}")
            return
        delay = backoff(attempts)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        await self._update(row, status=PENDING, error=reason, at=self.clock() + delay, count=True)

    async def _give_up(self, row: OutboxMessage, reason: str, *, unreachable: bool = False) -> None:
        def write() -> None:
            with self.db.transaction() as session:
                _set(session, row, status=FAILED, error=reason, at=self.clock(), count=True)
                if unreachable:
                    mark_unreachable(session, row.channel, row.recipient, reason)

        await anyio.to_thread.run_sync(write)

    async def _update(
        self, row: OutboxMessage, *, status: str, error: str | None, at: datetime, count: bool
    ) -> None:
        def write() -> None:
            with self.db.transaction() as session:
                _set(session, row, status=status, error=error, at=at, count=count)

        await anyio.to_thread.run_sync(write)


class _GiveBack(Exception):
    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


def _set(
    session: object,
    row: OutboxMessage,
    *,
    status: str,
    error: str | None,
    at: datetime,
    count: bool,
) -> None:
    """Records the outcome of ``row``'s claim, unless another worker claimed it since."""
    values: dict[str, object] = {"status": status, "lease_until": None, "last_error": error}
    if not count:  # not an attempt after all (rate limit, channel off): give it back
        values["attempts"] = max(0, row.attempts - 1)
    if status == SENT:
        values["sent_at"] = at
    elif status == PENDING:
        values["next_attempt_at"] = at
    stmt = (
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id) == row.id)
        .where(col(OutboxMessage.claimed_by) == row.claimed_by)
        .where(col(OutboxMessage.status) != CANCELLED)
        .values(**values)
    )
    session.execute(stmt)  # type: ignore[attr-defined]
