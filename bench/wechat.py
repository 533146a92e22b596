"""WeChat webhook throughput: signed text messages through a real uvicorn on loopback.

Runs the jobbot app and, for comparison, a bare FastAPI endpoint (same uvicorn, same
client) at several concurrency levels, on SQLite and on PostgreSQL when reachable.

    .venv/bin/python -m bench.wechat                       # 10, 50, 200 clients
    .venv/bin/python -m bench.wechat --clients 50 --requests 3000
    .venv/bin/python -m bench.wechat --no-pin              # servers and client share cores
    JOBBOT_BENCH_PG=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.wechat
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import socket
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import FastAPI, Request, Response

from bench.machine import describe
from bots.web.server import http_stack, server_config
from bots.wechat.signing import signature

TOKEN, APP_ID = "benchToken2026", "wx5f3c2a1b0e9d8c7b"
QUIET = {"log_level": "warning", "access_log": False}
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
TEXT_XML = (
    "<xml><ToUserName><![CDATA[gh_3a9f7c1e2b4d]]></ToUserName>"
    "<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{now}</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
    "<MsgId>{msg_id}</MsgId></xml>"
)


@dataclass(frozen=True)
class Result:
    clients: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu_seconds: float | None = None  # the server process's CPU time during the run

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float | None:
        """Server CPU per request: steadier than req/s on a shared machine."""
        return None if self.cpu_seconds is None else 1000 * self.cpu_seconds / self.requests

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and all its threads (Linux; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(pid: int, port: int, clients: int, total: int, run_id: str) -> Result:
    before = cpu_seconds(pid)
    result = await load(port, clients, total, run_id)
    after = cpu_seconds(pid)
    used = None if before is None or after is None else after - before
    return replace(result, cpu_seconds=used)


def pooled(results: list[Result]) -> Result:
    """Rounds of one level as one result: the median round's rate, every latency."""
    middle = sorted(results, key=lambda r: r.rate)[len(results) // 2]
    cpu = [r.cpu_seconds for r in results]
    return Result(
        clients=middle.clients,
        requests=middle.requests,
        seconds=middle.seconds,
        latencies=[x for r in results for x in r.latencies],
        errors=sum(r.errors for r in results),
        cpu_seconds=None if None in cpu else sorted(c for c in cpu if c is not None)[len(cpu) // 2],
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_jobbot(url: str, schema: str | None, port: int, var_dir: str) -> None:
    import uvicorn

    from bots.web.app import create_app
    from core.runtime import build_runtime
    from core.settings import Settings
    from core.storage.db import Database

    settings = Settings(
        _env_file=None,
        env="test",
        database_url=url,  # type: ignore[call-arg]
        secret_key="bench-" + "x" * 40,
        var_dir=var_dir,  # type: ignore[arg-type]
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_app_secret="s",
        log_level="WARNING",
    )
    runtime = build_runtime(settings, db=Database(url, schema=schema))
    app = create_app(settings, runtime=runtime)
    uvicorn.Server(server_config(app, "127.0.0.1", port, **QUIET)).run()


def serve_bare(port: int) -> None:
    import uvicorn

    app = FastAPI()

    @app.post("/wechat")
    async def bare(request: Request) -> Response:
        await request.body()
        return Response("success", media_type="text/plain")

    uvicorn.Server(server_config(app, "127.0.0.1", port, **QUIET)).run()


def pinned(cpu: int | None, target: Callable[..., None], *args: object) -> None:
    """Runs ``target`` on one core when asked: a GIL-bound server gains nothing from a
    second core and pays for every hand-over of the GIL between cores."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    target(*args)


@contextmanager
def running(target: Callable[..., None], *args: object) -> Iterator[int]:
    """Starts a server process; yields its pid."""
    proc = multiprocessing.get_context("spawn").Process(
        target=pinned, args=(SERVER_CPU[0], target, *args), daemon=True
    )
    proc.start()
    try:
        yield proc.pid or 0
    finally:
        proc.terminate()
        proc.join(10)


async def wait_ready(port: int) -> None:
    for _ in range(300):
        with suppress(OSError):
            (await Connection.open(port)).close()
            return
        await asyncio.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


class Connection:
    """One keep-alive HTTP/1.1 connection with almost no client-side cost, so the figures
    measure the server (httpx would spend more CPU than a bare endpoint does)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def post(self, target: str, body: bytes) -> int:
        head = (
            f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        headers = await self.reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await self.reader.readexactly(length)
        return int(headers.split(b" ", 2)[1])

    def close(self) -> None:
        self.writer.close()


def signed_message(n: int, run_id: str) -> tuple[str, bytes]:
    return signed_text(f"oBench{run_id}{n % 997:05d}", "菜单", f"{run_id}{n:07d}")


def signed_text(openid: str, text: str, msg_id: str) -> tuple[str, bytes]:
    """A signed WeChat text message as WeChat's servers post it: (target, body)."""
    now, nonce = str(int(time.time())), secrets.token_hex(4)
    query = urlencode({"signature": signature(TOKEN, now, nonce), "timestamp": now, "nonce": nonce})
    body = TEXT_XML.format(openid=openid.ljust(28, "x"), now=now, text=text, msg_id=msg_id)
    return f"/wechat?{query}", body.encode()


async def load(port: int, clients: int, total: int, run_id: str) -> Result:
    counter = iter(range(total))
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        try:
            for n in counter:
                target, body = signed_message(n, run_id)
                started = time.perf_counter()
                status = await conn.post(target, body)
                latencies.append(time.perf_counter() - started)
                errors += status != 200
        finally:
            conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return Result(clients, total, time.perf_counter() - began, latencies, errors)


def machine() -> str:
    stack = http_stack()
    return (
        f"machine: {describe()}; SQLite {sqlite3.sqlite_version}; "
        f"uvicorn {stack['http']} + {stack['loop']} for every server"
    )


@contextmanager
def database(kind: str) -> Iterator[tuple[str, str | None]]:
    from core.storage.db import Database, scratch_schema
    from core.storage.migrate import upgrade

    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(Database(url))
            yield url, None
        return
    url = os.environ.get("JOBBOT_BENCH_PG", PG_DEFAULT)
    with scratch_schema(url, "bench") as schema:
        upgrade(Database(url, schema=schema))
        yield url, schema


def pg_reachable() -> bool:
    from core.storage.db import normalise_url

    try:
        engine = sa.create_engine(normalise_url(os.environ.get("JOBBOT_BENCH_PG", PG_DEFAULT)))
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except sa.exc.SQLAlchemyError:
        return False


def engine_alone(url: str, schema: str | None, var_dir: str, total: int) -> float:
    """Messages per second of the dialog engine itself, in-process, no HTTP: the ceiling
    any channel adapter can reach on this database."""
    from core.dialog.messages import Incoming
    from core.runtime import build_runtime
    from core.settings import Settings
    from core.storage.db import Database

    settings = Settings(
        _env_file=None,
        env="test",
        database_url=url,  # type: ignore[call-arg]
        secret_key="bench-" + "x" * 40,
        var_dir=var_dir,
    )  # type: ignore[arg-type]
    runtime = build_runtime(settings, db=Database(url, schema=schema))
    began = time.perf_counter()
    for n in range(total):
        runtime.engine.handle(
            Incoming(
                channel="wechat",
                user_id=f"oEngine{n % 997:05d}",
                text="菜单",
                message_id=f"8{n:07d}",
            )
        )
    rate = total / (time.perf_counter() - began)
    runtime.close()
    return rate


def report(label: str, result: Result, bare: Result | None) -> None:
    share = f"{100 * result.rate / bare.rate:5.1f} % of bare" if bare else ""
    cpu = f"cpu {result.cpu_ms:5.2f} ms/req" if result.cpu_ms is not None else ""
    print(
        f"  {label:<8} {result.clients:>4} clients  {result.rate:8.0f} req/s  "
        f"p50 {result.pct(0.50):7.1f} ms  p99 {result.pct(0.99):7.1f} ms  "
        f"{cpu}  errors {result.errors}  {share}"
    )


async def bench(kind: str, levels: list[int], total: int, rounds: int) -> None:
    with database(kind) as (url, schema), tempfile.TemporaryDirectory() as var_dir:
        ceiling = engine_alone(url, schema, var_dir, min(total, 1000))
        print(f"{kind}:\n  engine alone (in-process, one thread): {ceiling:.0f} messages/s")
        jp, bp = free_port(), free_port()
        with (
            running(serve_jobbot, url, schema, jp, var_dir) as jpid,
            running(serve_bare, bp) as bpid,
        ):
            await wait_ready(jp)
            await wait_ready(bp)
            await load(jp, 10, 200, "90")  # warm-up: connections, caches
            for i, clients in enumerate(levels):
                # Alternating rounds: a neighbour's burst on a shared machine hits both.
                bare, ours = [], []
                for r in range(rounds):
                    bare.append(await measured(bpid, bp, clients, total, f"1{i}{r}"))
                    ours.append(await measured(jpid, jp, clients, total, f"2{i}{r}"))
                report("bare", pooled(bare), None)
                report("jobbot", pooled(ours), pooled(bare))


SERVER_CPU: list[int | None] = [None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="let the servers and the client share every core (default: both servers on "
        "core 0, as `jobbot serve --cpu 0` runs, and the client on the last core)",
    )
    parser.add_argument("--clients", default="10,50,200", help="comma-separated levels")
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating rounds per level; medians reported"
    )
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    levels = [int(x) for x in args.clients.split(",")]
    # The load generator stands in for WeChat's servers, which are not on this machine:
    # on its own core it does not take cycles from the server being measured.
    if args.pin and (os.cpu_count() or 1) > 1:
        SERVER_CPU[0] = 0
        os.sched_setaffinity(0, {(os.cpu_count() or 1) - 1})
    where = "servers on core 0, client on the last core" if SERVER_CPU[0] == 0 else "unpinned"
    print(f"{machine()}; {where}")
    print(
        f"{args.rounds} alternating rounds of {args.requests} signed text messages per level "
        "(median round shown, p50/p99 over all rounds); 997 residents; reply = main menu"
    )
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        if kind == "postgresql" and not pg_reachable():
            print("postgresql: not reachable (set JOBBOT_BENCH_PG); skipped")
            continue
        asyncio.run(bench(kind, levels, args.requests, args.rounds))


if __name__ == "__main__":
    main()
