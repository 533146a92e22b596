"""The background loops: dispatcher and scheduler tick, in `jobbot serve` or `jobbot worker`."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping, Sequence

import anyio

from core.delivery.dispatch import Dispatcher
from core.delivery.scheduler import Job, tick
from core.delivery.sending import Sender
from core.runtime import Runtime
from core.timeutil import utcnow

log = logging.getLogger(__name__)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


async def dispatch_forever(runtime: Runtime, senders: Mapping[str, Sender]) -> None:
    dispatcher = Dispatcher(
        runtime.db,
        senders,
        worker_id=worker_id(),
        max_attempts=runtime.settings.outbox_max_attempts,
    )
    while True:
        try:
            handled = await dispatcher.run_once()
        except Exception:
            log.exception("dispatcher pass failed; retrying")
            handled = 0
        if not handled:
            await asyncio.sleep(runtime.settings.dispatcher_interval_seconds)


async def tick_forever(runtime: Runtime, jobs: Sequence[Job] | None = None) -> None:
    chosen = list(jobs) if jobs is not None else runtime.jobs
    while True:
        await anyio.to_thread.run_sync(
            lambda: tick(runtime.db, runtime.content, runtime.vault, chosen, utcnow())
        )
        await asyncio.sleep(runtime.settings.scheduler_interval_seconds)


async def run_worker(runtime: Runtime, senders: Mapping[str, Sender]) -> None:
    """Runs both loops until cancelled."""
    async with asyncio.TaskGroup() as group:
        group.create_task(dispatch_forever(runtime, senders))
        group.create_task(tick_forever(runtime))
