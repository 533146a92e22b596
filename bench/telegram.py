"""Telegram webhook throughput and latency: jobbot beside a minimal PTB echo bot, same run.

Both bots receive the same updates as webhook POSTs with the secret header, through their
ASGI apps in this process: each simulated resident walks menu → 政策资讯 → a notice →
back → help → menu, one message at a time, ``--concurrency`` residents at once (1 shows
the latency floor, 16 the throughput under load). Both send through PTB over loopback
HTTP to the same fake Bot API, run in its own process, which stamps the arrival of every
sendMessage. Latency is from the start of the POST to the arrival of the first
sendMessage it caused; updates/s is updates over wall time.

The echo bot is PTB's own path (``Update.de_json`` → ``Application.process_update`` →
``reply_text``) without a database: the floor any PTB webhook bot pays here. jobbot adds
the secret check, the engine's one transaction (conversation lock, re-delivery record,
state) in a worker thread, rendering and the inline keyboard. The machine's other load
shows in the figures: compare the two bots of one run, not runs of different days.

    python bench/telegram.py [--users 200] [--concurrency 1 16]
                             [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

# ruff: noqa: E402 (sys.path is fixed before the imports, see below)
from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder leads sys.path and its name would shadow PTB's package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import asyncio
import bisect
import itertools
import multiprocessing
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from multiprocessing.connection import Connection
from typing import Any

import httpx
import sqlalchemy as sa
import telegram
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.machine import describe
from bots.web.app import create_app
from core.runtime import build_runtime
from core.settings import Settings
from core.storage.db import Database, scratch_schema
from core.storage.migrate import upgrade
from tests.bots.telegram.fake_api import FakeBotApi, FakeServer

TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
WALK = ["菜单", "4", "1", "返回", "帮助", "菜单"]
ASGIApp = Any
Walks = list[list[dict[str, Any]]]


def serve_fake_api(conn: Connection) -> None:
    """Runs in its own process (Telegram is another machine): the fake Bot API plus two
    control routes for the bench: the sendMessage arrivals, and a reset."""
    api = FakeBotApi()

    async def arrivals(_request: Request) -> JSONResponse:
        return JSONResponse([[c.chat_id, c.at] for c in api.of("sendMessage")])

    async def reset(_request: Request) -> Response:
        api.reset()
        return Response(status_code=204)

    app = api.app()
    app.router.routes += [Route("/_arrivals", arrivals), Route("/_reset", reset, methods=["POST"])]
    server = FakeServer(api, app)
    conn.send(server.start())
    conn.recv()  # until the bench is done
    server.stop()


class RemoteApi:
    """The bench's view of the fake Bot API process (perf_counter is system-wide on Linux)."""

    def __init__(self, base_url: str) -> None:
        self.root = base_url.removesuffix("/bot")

    def reset(self) -> None:
        httpx.post(f"{self.root}/_reset").raise_for_status()

    def arrivals(self) -> list[tuple[int, float]]:
        return [(chat, at) for chat, at in httpx.get(f"{self.root}/_arrivals").json()]


def updates_for(users: int, first_user: int = 10_000) -> Walks:
    """Per resident, the walk as Telegram updates (private chat, unique ids)."""
    ids = itertools.count(first_user * 10)

    def update(user: int, step: int, text: str) -> dict[str, Any]:
        person = {"id": user, "is_bot": False, "first_name": "R", "language_code": "zh"}
        chat = {"id": user, "type": "private", "first_name": "R"}
        message = {"message_id": step, "from": person, "chat": chat, "date": 1732600000}
        return {"update_id": next(ids), "message": {**message, "text": text}}

    return [
        [update(first_user + user, step, text) for step, text in enumerate(WALK, start=1)]
        for user in range(users)
    ]


async def drive(
    app: ASGIApp,
    lifespan: AbstractAsyncContextManager[Any],
    path: str,
    walks: Walks,
    concurrency: int,
) -> tuple[float, list[tuple[int, float]]]:
    """Posts every walk (each in order, ``concurrency`` at once); returns wall time and
    (chat id, POST start) pairs."""
    started: list[tuple[int, float]] = []
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    queue = list(reversed(walks))
    async with (
        lifespan,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench"
        ) as client,
    ):

        async def resident() -> None:
            while queue:
                for update in queue.pop():
                    at = time.perf_counter()
                    response = await client.post(path, json=update, headers=headers)
                    assert response.status_code == 200, response.status_code
                    started.append((update["message"]["chat"]["id"], at))

        begin = time.perf_counter()
        await asyncio.gather(*(resident() for _ in range(concurrency)))
        return time.perf_counter() - begin, started


def latencies(api: RemoteApi, started: list[tuple[int, float]]) -> list[float]:
    """For each POST, the time until the first sendMessage to its chat after it began."""
    arrivals: dict[int, list[float]] = defaultdict(list)
    for chat, at in api.arrivals():
        arrivals[chat].append(at)
    found = []
    for chat, at in started:
        times = arrivals[chat]
        index = bisect.bisect_left(times, at)
        if index < len(times):
            found.append(times[index] - at)
    return found


def echo_app(base_url: str) -> tuple[Starlette, AbstractAsyncContextManager[Any]]:
    """A minimal PTB webhook bot: check the secret, parse, process_update, reply_text."""
    application = ApplicationBuilder().token(TOKEN).base_url(base_url).updater(None).build()

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    application.add_handler(MessageHandler(filters.TEXT, echo))

    async def webhook(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return Response(status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.process_update(update)
        return Response(status_code=200)

    return Starlette(routes=[Route("/webhook", webhook, methods=["POST"])]), application


def jobbot_app(db: Database, base_url: str, tmp: Path) -> tuple[ASGIApp, Any]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        env="test",
        database_url=db.url,
        secret_key="bench-" + "k" * 40,  # type: ignore[arg-type]
        var_dir=tmp,
        telegram_token=TOKEN,
        telegram_webhook_secret=SECRET,
        telegram_api_base=base_url,
    )
    app = create_app(settings, runtime=build_runtime(settings, db=db))
    return app, app.router.lifespan_context(app)


Run = Callable[[], Coroutine[Any, Any, tuple[float, list[tuple[int, float]]]]]


def measure(
    name: str, api: RemoteApi, run: Run, count: int, quiet: bool = False
) -> tuple[float, float]:
    api.reset()
    wall, started = asyncio.run(run())
    found = latencies(api, started)
    assert len(found) == count, f"{name}: {len(found)} of {count} updates got a sendMessage"
    rate, p50 = count / wall, statistics.median(found) * 1000
    p99 = sorted(found)[min(len(found) - 1, int(0.99 * len(found)))] * 1000
    if not quiet:
        print(f"    {name:<40} {rate:6.0f} updates/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
    return rate, p50


def bench(
    label: str, db: Database, base_url: str, api: RemoteApi, args: argparse.Namespace, tmp: Path
) -> None:
    upgrade(db)
    print(f"{label}:")

    def jobbot(walks: Walks, concurrency: int) -> Run:
        app, lifespan = jobbot_app(db, base_url, tmp)
        return lambda: drive(app, lifespan, "/telegram/webhook", walks, concurrency)

    def echo(walks: Walks, concurrency: int) -> Run:
        return lambda: drive(*echo_app(base_url), "/webhook", walks, concurrency)

    warm = updates_for(10, first_user=900_000)
    for bot in (jobbot, echo):  # imports, connection pools, caches: not counted
        measure("", api, bot(warm, 4), len(warm) * len(WALK), quiet=True)
    count = args.users * len(WALK)
    for level, concurrency in enumerate(args.concurrency, start=1):
        walks = updates_for(args.users, first_user=level * 100_000)  # new residents each time
        print(f"  {concurrency} resident(s) at a time:")
        ours, ours_p50 = measure(
            "jobbot: webhook → engine → sendMessage", api, jobbot(walks, concurrency), count
        )
        floor, floor_p50 = measure(
            "PTB echo bot (no database)", api, echo(walks, concurrency), count
        )
        print(
            f"    jobbot / echo: throughput {ours / floor:.2f}, "
            f"p50 latency {ours_p50 / floor_p50:.1f}×"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 16],
        help="residents talking at once (one run per value)",
    )
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(
        f"python-telegram-bot {telegram.__version__}; per run {args.users} residents × "
        f"{len(WALK)} updates; fake Bot API in its own process\n"
    )
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    fake = multiprocessing.get_context("spawn").Process(target=serve_fake_api, args=(theirs,))
    fake.start()
    try:
        base_url = ours.recv()
        api = RemoteApi(base_url)
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            bench("SQLite (WAL, synchronous=NORMAL)", db, base_url, api, args, Path(tmp))
            db.dispose()
            bench_postgres(args, base_url, api, Path(tmp))
    finally:
        ours.send("stop")
        fake.join(timeout=10)


def bench_postgres(args: argparse.Namespace, base_url: str, api: RemoteApi, tmp: Path) -> None:
    try:
        with scratch_schema(args.postgres, "bench") as schema:
            db = Database(args.postgres, schema=schema)
            print()
            bench("PostgreSQL", db, base_url, api, args, tmp)
            db.dispose()
    except sa.exc.OperationalError as exc:
        print(f"\nPostgreSQL skipped: {str(exc.orig).splitlines()[0]}")


if __name__ == "__main__":
    main()
