"""Faults with real processes: what tests cannot do in one process.

  locked   a second process holds the SQLite write lock while WeChat messages arrive
  web      `jobbot serve` killed (-9) in the middle of a /start reply on Telegram
  worker   `jobbot worker` killed (-9) in the middle of a broadcast of 300 pushes
  postgres PostgreSQL drops the server's connections (pg_terminate_backend) under traffic

    .venv/bin/python -m bench.faults                     # SQLite scenarios
    .venv/bin/python -m bench.faults --postgres postgresql://postgres@127.0.0.1:5432/test

Each scenario prints its counts and the machine; the process exits 1 when a message was
lost, a 500 was answered, "success" was said for a message not stored, or a push was sent
twice without a trace. Only this run's processes, files and schema are touched: PostgreSQL
is cut by terminating the backends of this run's own application_name, never the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.machine import describe
from bots.wechat.signing import signature
from core.delivery.outbox import enqueue
from core.dialog.messages import Outgoing, t
from core.storage.db import Database, scratch_schema
from core.timeutil import utcnow
from tests.bots.telegram.fake_api import FakeBotApi, FakeServer

JOBBOT = str(Path(sys.executable).parent / "jobbot")
WX_TOKEN, TG_TOKEN, TG_SECRET = "faultsToken2026", "123456:FAULTS-token", "faults-secret"
TEXT_XML = (
    "<xml><ToUserName><![CDATA[gh_3a9f7c1e2b4d]]></ToUserName>"
    "<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{now}</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[菜单]]></Content>"
    "<MsgId>{msg_id}</MsgId></xml>"
)
problems: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"    {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        problems.append(what)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    """One jobbot installation: its database, settings and processes."""

    def __init__(self, tmp: Path, url: str, **extra: str) -> None:
        self.url, self.port = url, free_port()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("JOBBOT_")},
            "JOBBOT_ENV": "test",
            "JOBBOT_DATABASE_URL": url,
            "JOBBOT_SECRET_KEY": "faults-" + "k" * 40,
            "JOBBOT_VAR_DIR": str(tmp / "var"),
            "JOBBOT_LOG_LEVEL": "ERROR",
            **extra,
        }
        subprocess.run([JOBBOT, "db", "upgrade"], env=self.env, check=True, capture_output=True)

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([JOBBOT, *args], env=self.env, stderr=subprocess.DEVNULL)

    def serve(self) -> subprocess.Popen[bytes]:
        proc = self.start("serve", "--port", str(self.port), "--no-worker")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return proc
            except httpx.HTTPError:
                time.sleep(0.2)
        proc.kill()
        raise RuntimeError("jobbot serve did not come up")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, sql: str) -> int:
        db = Database(self.url)
        try:
            with db.engine.connect() as conn:
                return int(conn.execute(sa.text(sql)).scalar_one())
        finally:
            db.dispose()


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def wechat_post(base: str, openid: str, msg_id: str, timeout: float) -> tuple[int, str]:
    stamp, nonce = str(int(time.time())), "1357924680"
    query = urlencode(
        {"signature": signature(WX_TOKEN, stamp, nonce), "timestamp": stamp, "nonce": nonce}
    )
    body = TEXT_XML.format(openid=openid, now=stamp, msg_id=msg_id).encode()
    try:
        response = httpx.post(f"{base}/wechat?{query}", content=body, timeout=timeout)
    except httpx.TimeoutException:
        return 0, ""
    return response.status_code, response.text


# -- locked ---------------------------------------------------------------------------------


def locked(tmp: Path, messages: int = 20, hold: float = 6.0) -> None:
    path = tmp / "locked.db"
    site = Site(
        tmp,
        f"sqlite:///{path}",
        JOBBOT_WECHAT_TOKEN=WX_TOKEN,
        JOBBOT_WECHAT_APP_ID="wx5f3c2a1b0e9d8c7b",
        JOBBOT_WECHAT_APP_SECRET="faults-app-secret",
        JOBBOT_WECHAT_API_BASE="http://127.0.0.1:9/",
    )
    server = site.serve()
    statuses: Counter[str] = Counter()
    said_success: list[str] = []
    health: list[int] = []
    try:
        holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        holder.execute("BEGIN IMMEDIATE")
        released = threading.Timer(hold, lambda: holder.execute("ROLLBACK"))
        released.start()
        started = time.monotonic()

        def deliver(n: int) -> None:
            # As WeChat does: up to four tries, a new one after a failure or 5 s of silence.
            for attempt in range(4):
                status, text = wechat_post(site.base, f"o-lock-{n}", f"9{n:05d}", timeout=5)
                statuses[f"try {attempt + 1}: {status or 'timeout'}"] += 1
                if status == 200:
                    if text == "success":
                        said_success.append(f"9{n:05d}")
                    return
                time.sleep(max(0.0, 2.0 - (time.monotonic() - started) % 2.0))

        workers = [threading.Thread(target=deliver, args=(n,)) for n in range(messages)]
        for w in workers:
            w.start()
        time.sleep(hold / 2)
        health.append(httpx.get(f"{site.base}/healthz", timeout=5).status_code)
        for w in workers:
            w.join()
        released.join()
        holder.close()
    finally:
        kill(server)
    stored = site.count("SELECT count(*) FROM inbound_message")
    late = site.count("SELECT count(*) FROM outbox WHERE kind = 'reply'")
    print(f"  locked: {messages} WeChat messages while another process held the lock {hold:.0f} s")
    print(f"    answers: {dict(sorted(statuses.items()))}")
    check(health == [200], f"/healthz during the lock: {health}")
    check(not any(k.endswith(": 500") for k in statuses), "no 500")
    check(stored == messages, f"messages stored after the retries: {stored}/{messages}")
    check(late >= len(said_success), f'"success" only for stored messages ({late} late replies)')


# -- web ----------------------------------------------------------------------------------


class SlowBotApi(FakeBotApi):
    """Answers sendMessage after a pause: a kill lands while a message is in flight."""

    pause = 1.0

    def app(self) -> Starlette:
        async def slow(request: Request) -> Response:
            if request.path_params["method"] == "sendMessage":
                await asyncio.sleep(self.pause)
            return await FakeBotApi._endpoint(self, request)

        return Starlette(routes=[Route("/bot{token}/{method}", slow, methods=["POST"])])


START = {
    "update_id": 815000100,
    "message": {
        "message_id": 1,
        "from": {"id": 777100, "is_bot": False, "first_name": "R", "language_code": "zh-hans"},
        "chat": {"id": 777100, "first_name": "R", "type": "private"},
        "date": 1732600000,
        "text": "/start",
        "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
    },
}


def web(tmp: Path) -> None:
    api = SlowBotApi()
    fake = FakeServer(api)
    base = fake.start()
    site = Site(
        tmp,
        f"sqlite:///{tmp / 'web.db'}",
        JOBBOT_TELEGRAM_TOKEN=TG_TOKEN,
        JOBBOT_TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
        JOBBOT_TELEGRAM_API_BASE=base,
    )
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    try:
        server = site.serve()
        api.reset()
        sending = threading.Thread(
            target=lambda: _quietly(
                lambda: httpx.post(
                    f"{site.base}/telegram/webhook", json=START, headers=headers, timeout=10
                )
            )
        )
        sending.start()
        deadline = time.monotonic() + 10
        while not api.of("sendMessage") and time.monotonic() < deadline:
            time.sleep(0.01)
        kill(server)  # the welcome is in flight, the menu not yet sent
        sending.join()
        before = len(api.of("sendMessage"))
        with Database(site.url).engine.begin() as conn:  # a minute passes: the claim lapses
            conn.execute(
                sa.text("UPDATE outbox SET lease_until = :t"), {"t": utcnow() - timedelta(1)}
            )
        server = site.serve()
        again = httpx.post(f"{site.base}/telegram/webhook", json=START, headers=headers)
        kill(server)
    finally:
        fake.stop()
    texts = api.sent_texts
    distinct = len(set(texts))
    print("  web: jobbot serve killed (-9) while the first message of the /start reply was out")
    print(f"    sendMessage before the kill {before}, after the re-delivery {len(texts)}")
    check(again.status_code == 200, f"re-delivered update answered {again.status_code}")
    check(distinct == 2, f"every message of the reply reached the chat ({distinct}/2)")
    print(f"    sent twice: {len(texts) - distinct} (the message in flight at the kill)")


def _quietly(call: Any) -> None:
    with suppress(httpx.HTTPError):  # the server is killed mid-request
        call()


# -- worker -------------------------------------------------------------------------------


def worker(tmp: Path, url: str | None = None, pushes: int = 300) -> None:
    api = FakeBotApi()
    fake = FakeServer(api)
    base = fake.start()
    site = Site(
        tmp,
        url or f"sqlite:///{tmp / 'worker.db'}",
        JOBBOT_TELEGRAM_TOKEN=TG_TOKEN,
        JOBBOT_TELEGRAM_API_BASE=base,
        JOBBOT_TELEGRAM_GLOBAL_RATE="200",
        JOBBOT_DISPATCHER_INTERVAL_SECONDS="0.2",
    )
    db = Database(site.url)
    with db.transaction() as session:
        for n in range(pushes):
            enqueue(
                session,
                key=f"faults:broadcast:{n}",
                channel="telegram",
                recipient=str(900000 + n),
                kind="notice",
                messages=[Outgoing(t("menu.title"))],
                lang="zh-CN",
            )
    try:
        proc = site.start("worker")
        deadline = time.monotonic() + 60
        while len(api.of("sendMessage")) < pushes // 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        kill(proc)
        at_kill = len(api.of("sendMessage"))
        with db.engine.begin() as conn:  # the dead worker's leases run out
            conn.execute(
                sa.text("UPDATE outbox SET lease_until = :t WHERE status = 'pending'"),
                {"t": utcnow() - timedelta(1)},
            )
        proc = site.start("worker")
        deadline = time.monotonic() + 120
        while site.count("SELECT count(*) FROM outbox WHERE status = 'sent'") < pushes:
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        kill(proc)
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT recipient, attempts FROM outbox")).all()
        attempts: dict[str, int] = {str(r[0]): int(r[1]) for r in rows}
    finally:
        db.dispose()
        fake.stop()
    per_chat = Counter(str(c.chat_id) for c in api.of("sendMessage"))
    missing = [r for r in attempts if per_chat[r] == 0]
    twice = [r for r, n in per_chat.items() if n > 1]
    untraced = [r for r in twice if attempts.get(r, 0) < per_chat[r]]
    print(f"  worker: jobbot worker killed (-9) after {at_kill} of {pushes} pushes, then restarted")
    check(not missing, f"pushes never sent: {len(missing)}")
    print(f"    sent twice: {len(twice)} (in flight at the kill)")
    check(not untraced, f"sent twice with attempts < sends (no trace): {len(untraced)}")


# -- postgres -----------------------------------------------------------------------------


def postgres(tmp: Path, pg: str, messages: int = 300, clients: int = 10) -> None:
    """WeChat traffic from ``clients`` at once while the server's backends are terminated
    every half second: transactions die mid-way; each must become a 503 (then WeChat's
    retry is answered) or a normal answer, never a 500 or a lost message."""
    app_name = f"jobbot-faults-{os.getpid()}"
    with scratch_schema(pg, "jobbot_faults") as schema:
        options = quote(f"-csearch_path={schema}")
        url = f"{pg}?application_name={app_name}&options={options}"
        site = Site(
            tmp,
            url,
            JOBBOT_WECHAT_TOKEN=WX_TOKEN,
            JOBBOT_WECHAT_APP_ID="wx5f3c2a1b0e9d8c7b",
            JOBBOT_WECHAT_APP_SECRET="faults-app-secret",
            JOBBOT_WECHAT_API_BASE="http://127.0.0.1:9/",
        )
        server = site.serve()
        admin = sa.create_engine(Database(pg).url)
        statuses: Counter[int] = Counter()
        retries: Counter[int] = Counter()
        terminated, done = 0, threading.Event()

        def cut() -> None:
            nonlocal terminated
            while not done.wait(0.5):
                with admin.begin() as conn:  # only this run's own backends
                    terminated += conn.execute(
                        sa.text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE application_name = :name"
                        ),
                        {"name": app_name},
                    ).rowcount

        def deliver(first: int) -> None:
            for n in range(first, messages, clients):
                openid, msg_id = f"o-pg-{n % 40}", f"8{n:05d}"
                status, _ = wechat_post(site.base, openid, msg_id, timeout=10)
                statuses[status] += 1
                for _ in range(3):  # WeChat's retries
                    if status == 200:
                        break
                    time.sleep(0.2)
                    status, _ = wechat_post(site.base, openid, msg_id, timeout=10)
                    retries[status] += 1

        cutter = threading.Thread(target=cut)
        cutter.start()
        try:
            senders = [threading.Thread(target=deliver, args=(i,)) for i in range(clients)]
            for thread in senders:
                thread.start()
            for thread in senders:
                thread.join()
        finally:
            done.set()
            cutter.join()
            kill(server)
            admin.dispose()
        stored = site.count("SELECT count(*) FROM inbound_message")
    print(
        f"  postgres: {messages} WeChat messages from {clients} clients while the server's "
        f"backends were terminated every 0.5 s ({terminated} terminated)"
    )
    print(f"    first answers: {dict(statuses)}; retries: {dict(retries)}")
    check(500 not in statuses and 500 not in retries, "no 500")
    check(stored == messages, f"messages stored: {stored}/{messages}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", help="also run the PostgreSQL scenarios at this URL")
    parser.add_argument("--only", choices=["locked", "web", "worker", "postgres"])
    args = parser.parse_args()
    print(f"bench.faults on {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        chosen = [args.only] if args.only else ["locked", "web", "worker", "postgres"]
        for name in chosen:
            (root / name).mkdir()
            if name == "locked":
                locked(root / name)
            elif name == "web":
                web(root / name)
            elif name == "worker":
                worker(root / name)
            elif args.postgres:
                postgres(root / name, args.postgres)
                with scratch_schema(args.postgres, "jobbot_faults") as schema:
                    (root / "pgworker").mkdir()
                    options = quote(f"-csearch_path={schema}")
                    worker(root / "pgworker", f"{args.postgres}?options={options}")
    print("FAILED: " + "; ".join(problems) if problems else "all fault scenarios held")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
