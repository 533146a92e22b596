"""Messages per second and latency through the dialog engine, in-process, one core.

Each simulated resident walks a multi-step flow (menu → 政策资讯 → a notice → back to
the list → back → menu) with platform message ids, as WeChat or Telegram would send.
The baseline in the same run is the floor every message pays: one bare transaction
that inserts one row, on the same database.

    python bench/engine.py [--users 200] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe
from core.dialog.messages import Incoming
from core.runtime import build_runtime
from core.settings import Settings
from core.storage.db import Database, scratch_schema
from core.storage.migrate import upgrade

WALK = ["菜单", "4", "1", "1", "2", "返回", "帮助", "菜单"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_engine(db: Database, users: int) -> list[float]:
    settings = Settings(_env_file=None, secret_key="bench-" + "k" * 40)  # type: ignore[call-arg, arg-type]
    runtime = build_runtime(settings, db=db)
    latencies = []
    serial = 0
    for user in range(users):
        for text in WALK:
            serial += 1
            started = time.perf_counter()
            runtime.engine.handle(
                Incoming("wechat", f"user-{user}", text=text, message_id=str(serial))
            )
            latencies.append(time.perf_counter() - started)
    return latencies


def run_baseline(db: Database, count: int) -> list[float]:
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, body VARCHAR(64))"
            )
        )
    latencies = []
    for i in range(count):
        started = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO bench_floor (id, body) VALUES (:i, 'x')"), {"i": i})
        latencies.append(time.perf_counter() - started)
    return latencies


def report(name: str, latencies: list[float]) -> float:
    rate = len(latencies) / sum(latencies)
    print(
        f"  {name:<34} {rate:8.0f} msg/s   p50 {statistics.median(latencies) * 1000:6.2f} ms"
        f"   p99 {percentile(latencies, 0.99) * 1000:6.2f} ms   (n={len(latencies)})"
    )
    return rate


def bench(label: str, db: Database, users: int) -> None:
    upgrade(db)
    print(f"{label}:")
    engine_rate = report("engine, multi-step flow", run_engine(db, users))
    floor_rate = report("baseline: bare INSERT + COMMIT", run_baseline(db, users * len(WALK)))
    print(f"  engine / baseline throughput: {engine_rate / floor_rate:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(f"messages: {args.users} users x {len(WALK)} steps, sequential on one core\n")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bench("SQLite (WAL, synchronous=NORMAL)", db, args.users)
        db.dispose()
    try:
        with scratch_schema(args.postgres, "bench") as schema:
            db = Database(args.postgres, schema=schema)
            print()
            bench("PostgreSQL", db, args.users)
            db.dispose()
    except sa.exc.OperationalError as exc:
        print(f"\nPostgreSQL skipped: {str(exc.orig).splitlines()[0]}")


if __name__ == "__main__":
    main()
