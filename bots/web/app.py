"""The FastAPI application: health, channel webhooks, and (in `serve`) the background worker."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from bots.senders import build_senders
from bots.telegram.webhook import install as telegram_routes
from bots.web import booking_api, home, openings_api, staff_complaints_api, staff_openings_api
from bots.web.direct import JobbotApp
from bots.web.staff_api import install as staff_api_routes
from bots.wechat.routes import install as wechat_routes
from core.delivery.sending import Sender
from core.delivery.worker import run_worker
from core.people.refusals import Refused
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import UNAVAILABLE

log = logging.getLogger(__name__)

# Channel packages add their routes here: f(app, runtime) -> None.
RouteInstaller = Callable[[JobbotApp, Runtime], None]


def create_app(
    settings: Settings,
    *,
    runtime: Runtime | None = None,
    with_worker: bool = False,
    senders: Mapping[str, Sender] | None = None,
) -> JobbotApp:
    rt = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (content, areas, occupations, compiled statements) lives
        # as long as the process. Frozen, the collector stops walking it: a full collection
        # over it stalled every message in flight for about 100 ms (bench/wechat.py p99).
        gc.collect()
        gc.freeze()
        task = None
        if with_worker:
            chosen = senders if senders is not None else build_senders(rt)
            task = asyncio.create_task(run_worker(rt, chosen))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task

    app = JobbotApp(title="jobbot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = rt

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            await anyio.to_thread.run_sync(rt.db.ping)
        except SQLAlchemyError:
            log.warning("health check: database unreachable")
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    async def unavailable(_request: Request, exc: Exception) -> JSONResponse:
        # Busy SQLite or unreachable PostgreSQL: the transaction rolled back, nothing was
        # stored, and trying again later is the right thing for any client.
        log.warning("database unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "the database is unavailable; try again shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    for error in UNAVAILABLE:
        app.add_exception_handler(error, unavailable)

    async def refused(_request: Request, exc: Exception) -> JSONResponse:
        # A staff action a feature refused (not found, other area, wrong state): its
        # transaction rolled back, and the reason goes back as the detail.
        assert isinstance(exc, Refused)
        return JSONResponse({"detail": exc.problem}, status_code=exc.status_code)

    app.add_exception_handler(Refused, refused)

    home.install(app, rt.content.catalog)
    openings_api.install(app, rt)
    staff_openings_api.install(app, rt)
    booking_api.install(app, rt)
    staff_complaints_api.install(app, rt)
    for install in channel_routes():
        install(app, rt)
    larger = {staff_openings_api.PATH: settings.max_import_bytes}
    app.limit_bodies(settings.max_body_bytes, larger)
    return app


def channel_routes() -> list[RouteInstaller]:
    """Route installers of the channels built so far (WeChat, Telegram …)."""
    return [telegram_routes, wechat_routes, staff_api_routes]
