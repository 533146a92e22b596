"""Workers that stall or die mid-batch: a push goes out once, and a duplicate leaves a trace."""

from __future__ import annotations

import asyncio

from core.delivery.dispatch import LEASE, Dispatcher
from core.storage.db import Database
from tests.core.test_dispatch import Clock, FakeSender, _push, _rows


async def _nosleep(_: float) -> None:
    return None


def test_a_batch_that_outlived_its_lease_does_not_send_what_another_worker_took(
    db: Database,
) -> None:
    for i in range(3):
        _push(db, f"k{i}", recipient=f"r{i}")
    sender, clock = FakeSender(), Clock()
    slow = Dispatcher(db, {"console": sender}, clock=clock, sleep=_nosleep, worker_id="slow")
    other = Dispatcher(db, {"console": sender}, clock=clock, sleep=_nosleep, worker_id="other")

    async def scenario() -> None:
        stalled = slow.claim(10)  # then the worker stalls past its lease
        clock.now += LEASE * 2
        assert await other.run_once() == 3
        for row in stalled:  # and wakes up to deliver its old batch
            await slow._deliver(row)

    asyncio.run(scenario())
    assert len(sender.delivered) == 3
    assert [(r.status, r.claimed_by and r.claimed_by.split("#")[0]) for r in _rows(db)] == [
        ("sent", "other")
    ] * 3


def test_a_push_sent_again_after_a_worker_died_shows_two_attempts(db: Database) -> None:
    _push(db, "k1")
    sender, clock = FakeSender(), Clock()
    dead = Dispatcher(db, {"console": sender}, clock=clock, sleep=_nosleep, worker_id="dead")
    (_row,) = dead.claim(10)  # killed after sending, before recording it
    assert _rows(db)[0].attempts == 1
    clock.now += LEASE * 2
    asyncio.run(Dispatcher(db, {"console": sender}, clock=clock, sleep=_nosleep).run_once())
    (after,) = _rows(db)
    assert after.status == "sent" and after.attempts == 2
