"""A big staff import during chat traffic: does chat stay answered, is anything lost?

Runs the jobbot app under a real uvicorn (as bench/wechat.py does) and a separate worker
process ticking the subscription-notice job every second, with subscribers waiting. Then,
on SQLite and on PostgreSQL when reachable:

1. chat alone: signed WeChat text messages at a steady rate, health checks twice a second;
2. the same traffic while a ~50k-row CSV (just under the 10 MiB upload limit) is POSTed to
   the staff import API by an administrator, and for a few seconds after it returns.

Reported for both phases: WeChat p50/p99/max, answers slower than WeChat's 5 s (it would
retry), non-200 answers, health-check failures, and messages LOST (answered 200 but with no
inbound record: WeChat will not send them again). For the import: rows per second, and how
long the worker took to queue the subscribers' notices (one per subscriber and import).

    .venv/bin/python -m bench.imports                           # 50,000 rows, both databases
    .venv/bin/python -m bench.imports --rows 20000 --rate 40 --database sqlite
    .venv/bin/python -m bench.imports --big-csv-mb 200          # memory of a 200 MB CLI import
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import multiprocessing
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from bench.wechat import (
    Connection,
    database,
    free_port,
    machine,
    pg_reachable,
    serve_jobbot,
    signed_message,
    wait_ready,
)

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = (
    "id,title,employer,area,salary_min,salary_max,headcount,description,contact,"
    "posted_at,expires_at,tags"
)
AREAS = [
    "历下区",
    "市中区",
    "槐荫区",
    "天桥区",
    "历城区",
    "市南区",
    "市北区",
    "黄岛区",
    "解放路街道",
]
KEYWORDS = ["保洁", "保安", "司机", "厨师", "电工", "快递", "仓库", "服务员", "护工", "普工"]
WECHAT_BUDGET = 5.0  # seconds WeChat waits for an answer before retrying


def titles() -> list[str]:
    with (ROOT / "content" / "demo" / "openings.csv").open(encoding="utf-8") as handle:
        return sorted({row["title"] for row in csv.DictReader(handle)})


def openings_csv(rows: int, run: str, description: int = 30) -> bytes:
    rng = random.Random(7)
    names = titles()
    out = io.StringIO()
    out.write(COLUMNS + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for i in range(rows):
        low = rng.randrange(2000, 6000, 100)
        writer.writerow(
            [
                f"{run}-{i:07d}",
                rng.choice(names),
                f"某{rng.choice('甲乙丙丁戊')}公司",
                rng.choice(AREAS),
                low,
                low + 1000,
                rng.randint(1, 5),
                "负责日常工作，两班倒，包吃住。" * (description // 15),
                "0531-00000000",
                "2026-11-20",
                "2027-06-30",
                "",
            ]
        )
    return out.getvalue().encode()


def seed(url: str, schema: str | None, var_dir: str, subscribers: int) -> str:
    """An administrator's API token, and subscribers who can be reached (they chatted)."""
    from core.dialog.messages import Incoming
    from core.people.staff import Role, add_staff
    from core.people.staff_tokens import issue_token
    from core.runtime import build_runtime
    from core.storage.db import Database

    runtime = build_runtime(settings(url, var_dir), db=Database(url, schema=schema))
    with runtime.db.transaction() as session:
        staff = add_staff(
            session,
            vault=runtime.vault,
            username="bench-admin",
            name="管理员",
            role=Role.ADMIN,
            area_code="370102000000",
        )
        token = issue_token(session, staff)
    for n in range(subscribers):
        keyword = KEYWORDS[n % len(KEYWORDS)]
        runtime.engine.handle(
            Incoming(channel="wechat", user_id=f"oSub{n:05d}", text=f"订阅 {keyword}")
        )
    runtime.close()
    return token


def settings(url: str, var_dir: str):  # type: ignore[no-untyped-def]
    from core.settings import Settings

    return Settings(
        _env_file=None,
        env="test",
        database_url=url,  # type: ignore[call-arg]
        secret_key="bench-" + "x" * 40,
        var_dir=var_dir,  # type: ignore[arg-type]
        log_level="WARNING",
    )


def work(url: str, schema: str | None, var_dir: str) -> None:
    """The worker's scheduler loop, with the tick every second instead of every minute."""
    from core.delivery.scheduler import tick
    from core.openings.notices import SubscriptionNotices
    from core.runtime import build_runtime
    from core.storage.db import Database
    from core.timeutil import utcnow

    runtime = build_runtime(settings(url, var_dir), db=Database(url, schema=schema))
    jobs = [SubscriptionNotices()]
    while True:
        tick(runtime.db, runtime.content, runtime.vault, jobs, utcnow())
        time.sleep(1.0)


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # perf_counter when each was sent
    import_started: float = 0.0
    answered: list[str] = field(default_factory=list)  # message ids answered 200
    refused: int = 0  # non-200 (WeChat retries those)
    failed: int = 0  # connection broke
    health: int = 0
    health_failed: int = 0
    import_seconds: float | None = None
    import_status: int | None = None
    import_body: str = ""

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def chat(port: int, rate: float, stop: asyncio.Event, run: str, phase: Phase) -> None:
    """``rate`` messages a second from 8 connections, each message a new MsgId."""
    clients = 8
    gap = clients / rate
    counter = iter(range(10**7))

    async def one(c: int) -> None:
        conn = await Connection.open(port)
        await asyncio.sleep(c * gap / clients)
        while not stop.is_set():
            n = next(counter)
            target, body = signed_message(n, run)
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(conn.post(target, body), 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                phase.failed += 1
                conn.close()
                conn = await Connection.open(port)
                continue
            elapsed = time.perf_counter() - started
            phase.latencies.append(elapsed)
            phase.sent_at.append(started)
            if status == 200:
                phase.answered.append(f"{run}{n:07d}")
            else:
                phase.refused += 1
            await asyncio.sleep(max(0.0, gap - elapsed))
        conn.close()

    await asyncio.gather(*(one(c) for c in range(clients)))


async def get(port: int, target: str, timeout: float) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        return int(head.split(b" ", 2)[1])
    finally:
        writer.close()


async def health(port: int, stop: asyncio.Event, phase: Phase) -> None:
    while not stop.is_set():
        phase.health += 1
        try:
            ok = await get(port, "/healthz", WECHAT_BUDGET) == 200
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            ok = False
        phase.health_failed += not ok
        await asyncio.sleep(0.5)


async def upload(port: int, token: str, body: bytes, phase: Phase) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /api/staff/openings/import HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: text/csv\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = phase.import_started = time.perf_counter()
    writer.write(head + body)
    await writer.drain()
    response = await reader.read()
    phase.import_seconds = time.perf_counter() - started
    writer.close()
    head_end = response.index(b"\r\n\r\n")
    phase.import_status = int(response.split(b" ", 2)[1])
    phase.import_body = response[head_end + 4 :].decode(errors="replace")[:300]


async def run_phase(
    port: int, rate: float, seconds: float, run: str, token: str | None, body: bytes
) -> Phase:
    phase, stop = Phase(), asyncio.Event()
    tasks = [
        asyncio.create_task(chat(port, rate, stop, run, phase)),
        asyncio.create_task(health(port, stop, phase)),
    ]
    await asyncio.sleep(2.0 if token else seconds)
    if token:
        await upload(port, token, body, phase)
        await asyncio.sleep(3.0)  # the index rebuild and the worker's first ticks
    stop.set()
    await asyncio.gather(*tasks)
    return phase


def lost(url: str, schema: str | None, answered: list[str]) -> int:
    from core.storage.db import Database

    db = Database(url, schema=schema)
    with db.engine.connect() as conn:
        stored = {
            row[0]
            for row in conn.execute(
                sa.text("SELECT message_id FROM inbound_message WHERE channel = 'wechat'")
            )
        }
    db.dispose()
    return sum(1 for m in answered if m not in stored)


def wait_notified(url: str, schema: str | None, timeout: float) -> tuple[float | None, int, int]:
    """Seconds until the worker queued every notice; notices and messages queued."""
    from core.storage.db import Database

    db = Database(url, schema=schema)
    began = time.perf_counter()
    done: float | None = None
    while time.perf_counter() - began < timeout:
        with db.engine.connect() as conn:
            pending = conn.execute(
                sa.text(
                    "SELECT count(*) FROM opening_import "
                    "WHERE status = 'applied' AND notified_at IS NULL"
                )
            ).scalar_one()
        if not pending:
            done = time.perf_counter() - began
            break
        time.sleep(0.5)
    with db.engine.connect() as conn:
        notices = conn.execute(sa.text("SELECT count(*) FROM opening_notice")).scalar_one()
        queued = conn.execute(
            sa.text("SELECT count(*) FROM outbox WHERE kind = 'opening_subscription'")
        ).scalar_one()
    db.dispose()
    return done, int(notices), int(queued)


def line(label: str, phase: Phase, lost_count: int) -> str:
    late = sum(1 for x in phase.latencies if x > WECHAT_BUDGET)
    return (
        f"  {label:<14} {len(phase.latencies):5d} msgs  p50 {phase.pct(0.5):7.1f} ms  "
        f"p99 {phase.pct(0.99):7.1f} ms  max {phase.pct(1.0):7.1f} ms  >5s {late}  "
        f"non-200 {phase.refused}  broken {phase.failed}  LOST {lost_count}  "
        f"health failed {phase.health_failed}/{phase.health}"
    )


async def bench(kind: str, rows: int, rate: float, subscribers: int) -> None:
    with database(kind) as (url, schema), tempfile.TemporaryDirectory() as var_dir:
        token = seed(url, schema, var_dir, subscribers)
        body = openings_csv(rows, secrets.token_hex(3))
        port = free_port()
        spawn = multiprocessing.get_context("spawn")
        server = spawn.Process(target=serve_jobbot, args=(url, schema, port, var_dir), daemon=True)
        worker = spawn.Process(target=work, args=(url, schema, var_dir), daemon=True)
        server.start()
        worker.start()
        try:
            await wait_ready(port)
            await run_phase(port, rate, 3.0, "70", None, b"")  # warm-up
            alone = await run_phase(port, rate, 20.0, "71", None, b"")
            during = await run_phase(port, rate, 0.0, "72", token, body)
            notified, notices, queued = wait_notified(url, schema, 600)
        finally:
            server.terminate()
            worker.terminate()
            server.join(10)
            worker.join(10)
        print(f"{kind}: {rows:,} rows ({len(body) / 2**20:.1f} MiB), {subscribers} subscribers")
        print(line("chat alone", alone, lost(url, schema, alone.answered)))
        print(line("chat + import", during, lost(url, schema, during.answered)))
        seconds = during.import_seconds or 0.0
        print(
            f"  import: HTTP {during.import_status} in {seconds:.1f} s = "
            f"{rows / seconds if seconds else 0:,.0f} rows/s; {during.import_body[:120]}"
        )
        slow = sorted(zip(during.latencies, during.sent_at, strict=True), reverse=True)[:3]
        print(
            "  slowest during: "
            + ", ".join(
                f"{1000 * x:.0f} ms sent at +{at - during.import_started:.1f} s" for x, at in slow
            )
        )
        took = f"{notified:.1f} s after the import" if notified is not None else "NOT DONE"
        print(
            f"  worker: notices queued {took}: {notices} notice rows, "
            f"{queued} messages for {subscribers} subscribers"
        )


def big_csv(megabytes: int, description: int) -> None:
    """Peak memory of `jobbot openings import` on a CSV of ``megabytes`` (a child process)."""
    from core.storage.db import Database
    from core.storage.migrate import upgrade

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        chunk = openings_csv(20_000, "B", description=description).split(b"\n", 1)[1]
        rows = chunk.count(b"\n")
        with path.open("wb") as handle:
            handle.write(COLUMNS.encode() + b"\n")
            copies = max(1, -(-megabytes * 2**20 // len(chunk)))
            for copy in range(copies):
                handle.write(chunk.replace(b"B-", f"B{copy}-".encode()))
        size = path.stat().st_size
        url = f"sqlite:///{tmp}/big.db"
        upgrade(Database(url))
        env = {
            **os.environ,
            "JOBBOT_DATABASE_URL": url,
            "JOBBOT_SECRET_KEY": "bench-" + "x" * 40,
            "JOBBOT_VAR_DIR": tmp,
        }
        began = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bots.cli", "openings", "import", str(path)],
            env=env,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        total = rows * copies
        print(
            f"CLI import of a {size / 2**20:.0f} MB CSV ({total:,} rows, SQLite): exit "
            f"{done.returncode} in {seconds:.0f} s = {total / seconds:,.0f} rows/s; "
            f"peak RSS {peak:.0f} MB"
        )
        print("  " + (done.stdout.strip() or done.stderr.strip()[-300:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=20.0, help="WeChat messages per second")
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--big-csv-mb", type=int, default=0, help="only the CLI memory check")
    parser.add_argument(
        "--big-csv-description", type=int, default=600, help="characters per description"
    )
    args = parser.parse_args()
    print(machine())
    if args.big_csv_mb:
        big_csv(args.big_csv_mb, args.big_csv_description)
        return
    print(
        f"WeChat: {args.rate:g} signed text messages/s from 8 connections, health check every "
        "0.5 s; import: staff API, administrator token; worker ticks every 1 s"
    )
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        if kind == "postgresql" and not pg_reachable():
            print("postgresql: not reachable (set JOBBOT_BENCH_PG); skipped")
            continue
        asyncio.run(bench(kind, args.rows, args.rate, args.subscribers))


if __name__ == "__main__":
    main()
