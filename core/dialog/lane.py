"""A lane: a few long-lived threads that run the synchronous engine for an event loop.

Why not ``anyio.to_thread`` per message: every hand-over of the GIL between the loop and a
worker thread costs tens of microseconds, and a worker that releases the GIL around each
SQLite call has to win it back from a busy loop. Measured on the WeChat webhook, that
doubled the CPU a message costs. A lane instead takes every job that is waiting, runs
them back to back, and wakes the loop once for the whole batch; while a batch runs the
loop has usually nothing to do and leaves the GIL alone.

A lane may hold a context (``around``) for each such run of jobs, entered before the first
and left when no job waits: the engine's lane keeps one database connection that way. When
the context yields a callable, the lane calls it before it hands any result over (the
engine's lane on SQLite commits the messages it ran as one group there); if that call
fails, every job it covered fails with its error.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager, suppress
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
Job = tuple[Callable[..., Any], tuple[Any, ...], asyncio.Future[Any]]
Settled = tuple[asyncio.Future[Any], bool, Any]
Held = tuple[AbstractContextManager[object], Callable[[], object] | None]

MAX_BATCH = 64  # results wait at most this many jobs before the loop hears of them
IDLE_SECONDS = 60.0  # a thread with nothing to do for this long ends


class Lane:
    """Runs ``fn(*args)`` on one of ``threads`` threads, in arrival order.

    One thread serialises the jobs (what SQLite wants: one writer at a time); several let a
    server database work on different conversations at once. Threads start on demand, end
    after a minute without work, and are daemons, so a lane needs no shutdown."""

    def __init__(
        self,
        name: str,
        threads: int = 1,
        around: Callable[[], AbstractContextManager[object]] | None = None,
    ) -> None:
        self.name, self.size, self.around = name, threads, around
        self._jobs: deque[tuple[asyncio.AbstractEventLoop, Job]] = deque()
        self._ready = threading.Condition()
        self._threads: list[threading.Thread] = []

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await self.submit(fn, *args)

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Queues ``fn(*args)``; the future settles on the calling loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._ready:
            self._jobs.append((loop, (fn, args, future)))
            if len(self._threads) < self.size:
                self._start()
            self._ready.notify()
        return future

    def _start(self) -> None:
        thread = threading.Thread(
            target=self._work, name=f"{self.name}-{len(self._threads)}", daemon=True
        )
        self._threads.append(thread)
        thread.start()

    def _work(self) -> None:
        done: dict[asyncio.AbstractEventLoop, list[Settled]] = {}
        held: Held | None = None  # ``around``, for this run of jobs
        try:
            while True:
                with self._ready:
                    idle = not self._jobs
                if idle:  # outside the lock: a commit must not hold up submitters
                    self._flush(done, held)
                    _leave(held)
                    held = None
                with self._ready:
                    if not self._jobs:
                        self._ready.wait(IDLE_SECONDS)
                    if not self._jobs:  # idle: end, and let the next job start a thread
                        self._threads.remove(threading.current_thread())
                        return
                    loop, (fn, args, future) = self._jobs.popleft()
                    more = bool(self._jobs)
                if held is None and self.around is not None:
                    held = _enter(self.around)
                try:
                    outcome: Settled = (future, True, fn(*args))
                except BaseException as exc:  # handed to the awaiting coroutine
                    outcome = (future, False, exc)
                done.setdefault(loop, []).append(outcome)
                if not more or sum(len(v) for v in done.values()) >= MAX_BATCH:
                    self._flush(done, held)
        finally:
            _leave(held)

    @staticmethod
    def _flush(done: dict[asyncio.AbstractEventLoop, list[Settled]], held: Held | None) -> None:
        if held is not None and held[1] is not None:
            try:
                held[1]()  # e.g. the commit of what these jobs wrote: before anybody hears
            except BaseException as exc:
                count = sum(len(v) for v in done.values())
                log.warning("a run of %d jobs failed as a whole: %s", count, type(exc).__name__)
                for settled in done.values():
                    settled[:] = [(f, False, exc) if ok else (f, ok, v) for f, ok, v in settled]
        for loop, settled in done.items():
            # A loop that closed while its job ran has nobody waiting.
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, settled)
        done.clear()


def _enter(around: Callable[[], AbstractContextManager[object]]) -> Held | None:
    """Enters a run's context; the jobs run without it if that fails."""
    try:
        held = around()
        value = held.__enter__()
    except Exception:
        log.exception("entering a lane's context failed")
        return None
    return held, value if callable(value) else None


def _leave(held: Held | None) -> None:
    """Leaves a run's context; a failure to (say, closing a broken connection) must not
    end the thread, which the lane would go on counting as working."""
    if held is None:
        return
    try:
        held[0].__exit__(None, None, None)
    except Exception:
        log.exception("leaving a lane's context failed")


def _settle(settled: list[Settled]) -> None:
    for future, ok, value in settled:
        if future.cancelled():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
