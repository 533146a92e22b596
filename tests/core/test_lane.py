"""The engine lane: jobs run on a few long-lived threads and settle on the caller's loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from core.dialog import lane as lane_module
from core.dialog.lane import Lane

pytestmark = pytest.mark.anyio


async def test_jobs_run_in_arrival_order_on_one_thread() -> None:
    lane = Lane("test", threads=1)
    seen: list[tuple[int, str]] = []

    def job(n: int) -> int:
        time.sleep(0.001)
        seen.append((n, threading.current_thread().name))
        return n * 10

    results = await asyncio.gather(*(lane.run(job, n) for n in range(20)))
    assert results == [n * 10 for n in range(20)]
    assert [n for n, _ in seen] == list(range(20))
    assert len({name for _, name in seen}) == 1
    assert seen[0][1] != threading.current_thread().name


async def test_an_exception_reaches_the_caller_and_the_lane_goes_on() -> None:
    lane = Lane("test", threads=1)

    def broken() -> None:
        raise LookupError("no such row")

    with pytest.raises(LookupError, match="no such row"):
        await lane.run(broken)
    assert await lane.run(lambda: "still working") == "still working"


async def test_several_threads_work_at_once() -> None:
    lane = Lane("test", threads=3)
    barrier = threading.Barrier(3, timeout=5)  # one thread alone would wait here for ever

    def meet() -> str:
        barrier.wait()
        return threading.current_thread().name

    names = await asyncio.gather(*(lane.run(meet) for _ in range(3)))
    assert len(set(names)) == 3


async def test_an_idle_thread_ends_and_the_next_job_starts_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lane_module, "IDLE_SECONDS", 0.05)
    lane = Lane("test", threads=1)
    first = await lane.run(threading.current_thread)
    deadline = time.monotonic() + 5
    while first.is_alive() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert not first.is_alive()
    second = await lane.run(threading.current_thread)
    assert second is not first and second.is_alive()


async def test_a_waiter_that_gave_up_does_not_break_the_others() -> None:
    lane = Lane("test", threads=1)
    gate = threading.Event()
    slow = lane.submit(gate.wait, 5)
    quick = lane.submit(lambda: "done")
    slow.cancel()  # the request went away; its job still runs, its result is dropped
    gate.set()
    assert await quick == "done"


async def test_a_run_of_waiting_jobs_shares_one_context_left_when_idle() -> None:
    events: list[str] = []

    @contextmanager
    def around() -> Iterator[None]:
        events.append("enter")
        yield
        events.append("leave")

    lane = Lane("test", threads=1, around=around)
    gate = threading.Event()
    first = lane.submit(gate.wait, 5)
    rest = [lane.submit(events.append, f"job {n}") for n in range(3)]
    gate.set()  # the three jobs were queued behind the first: one run
    await asyncio.gather(first, *rest)
    deadline = time.monotonic() + 5
    while events[-1] != "leave" and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert events == ["enter", "job 0", "job 1", "job 2", "leave"]
    await lane.run(events.append, "later")  # after an idle moment: a run of its own
    while events[-1] != "leave" and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert events[-3:] == ["enter", "later", "leave"]


async def test_a_context_that_fails_does_not_stop_the_jobs() -> None:
    @contextmanager
    def broken() -> Iterator[None]:
        raise RuntimeError("no connection")
        yield

    lane = Lane("test", threads=1, around=broken)
    assert await lane.run(lambda: "ran anyway") == "ran anyway"
    assert await lane.run(lambda: "and again") == "and again"
