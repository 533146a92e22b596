"""Booking under contention: 50 residents at once for 10 slots of capacity 2.

Each resident walks the booking flow by chat (预约 → service → office → day → slot → name →
skip → confirm) with platform message ids, all 50 in parallel threads; those who lose a
race take another of the 10 target slots if one is still offered, else give up. Reports
the bookings made (must be 20), overbooked slots (must be 0) and p50/p99 per booking
message. The baseline in the same run is a bare transaction inserting one row, sent by
the same number of threads at the same database.

    python bench/booking.py [--residents 50] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe
from core.booking.models import Booking, BookingSlot
from core.dialog.messages import Incoming, Reply
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database, scratch_schema
from core.storage.migrate import upgrade
from core.timeutil import SHANGHAI

NOW = datetime(2026, 9, 29, 9, 0, tzinfo=SHANGHAI)  # a Tuesday; fixed so runs compare
OFFICE = "370102001000"  # guidance: capacity 2 per 60-minute slot, 7 slots a day
STARTS = ["09:00", "10:00", "11:00", "13:30", "14:30", "15:30", "16:30"]
TARGETS = [(date(2026, 9, 30), s) for s in STARTS] + [(date(2026, 10, 8), s) for s in STARTS[:3]]
CAPACITY = 2


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Resident:
    def __init__(self, runtime: Runtime, n: int, ids: itertools.count[int]) -> None:
        self.runtime, self.user, self.ids = runtime, f"bench-{n}", ids
        self.latencies: list[float] = []
        self.lock = threading.Lock()

    def send(self, text: str | None = None, choice: str | None = None) -> Reply:
        started = time.perf_counter()
        reply = self.runtime.engine.handle(
            Incoming("wechat", self.user, text=text, choice=choice, message_id=str(next(self.ids)))
        )
        self.latencies.append(time.perf_counter() - started)
        return reply

    def book(self, target: tuple[date, str], gate: threading.Barrier) -> bool:
        day, start = target
        gate.wait()
        self.send("预约")
        self.send(choice="b:s:guidance")
        self.send(choice=f"b:o:{OFFICE}")
        self.send(choice=f"b:d:{day.isoformat()}:{'am' if start < '12:00' else 'pm'}")
        self.send(choice=f"b:t:{start}")
        self.send("某某")
        self.send(choice="b:skip")
        reply = self.send(choice="b:ok")
        for _ in range(len(TARGETS)):
            if reply.messages[0].text.id.startswith("booking.booked"):
                return True
            offered = {o.id for m in reply.messages for o in m.options}
            free = [t for t in TARGETS if f"b:t:{t[1]}" in offered and t[0] == day]
            if not free:
                return False  # none of the wanted slots is left that day
            self.send(choice=f"b:t:{free[0][1]}")
            self.send(choice="b:skip")
            reply = self.send(choice="b:ok")
        return False


def run_booking(db: Database, residents: int) -> tuple[list[float], int, int, float]:
    settings = Settings(_env_file=None, secret_key="bench-" + "k" * 40)  # type: ignore[call-arg, arg-type]
    runtime = build_runtime(settings, db=db)
    runtime.engine.clock = lambda: NOW
    ids = itertools.count(1)
    people = [Resident(runtime, n, ids) for n in range(residents)]
    gate = threading.Barrier(residents)
    started = time.perf_counter()
    with ThreadPoolExecutor(residents) as pool:
        list(pool.map(lambda p: p[1].book(TARGETS[p[0] % len(TARGETS)], gate), enumerate(people)))
    wall = time.perf_counter() - started
    with db.engine.connect() as conn:
        made = conn.execute(
            sa.select(sa.func.count()).select_from(Booking).where(Booking.status == "booked")  # type: ignore[arg-type]
        ).scalar_one()
        per_slot = conn.execute(
            sa.select(Booking.day, Booking.start, sa.func.count())
            .where(Booking.status == "booked")  # type: ignore[arg-type]
            .group_by(Booking.day, Booking.start)
        ).all()
        counters = conn.execute(sa.select(BookingSlot.taken, BookingSlot.capacity)).all()
    over = sum(1 for *_, n in per_slot if n > CAPACITY) + sum(1 for t, c in counters if t > c)
    return [x for p in people for x in p.latencies], int(made), over, wall


def run_baseline(db: Database, threads: int, count: int) -> list[float]:
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY)"))
    ids = itertools.count(1)
    latencies: list[float] = []

    def one(_: int) -> None:
        started = time.perf_counter()
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO bench_floor (id) VALUES (:i)"), {"i": next(ids)})
        latencies.append(time.perf_counter() - started)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    return latencies


def line(name: str, latencies: list[float]) -> None:
    print(
        f"  {name:<40} p50 {statistics.median(latencies) * 1000:7.2f} ms"
        f"   p99 {percentile(latencies, 0.99) * 1000:7.2f} ms   (n={len(latencies)})"
    )


def bench(label: str, db: Database, residents: int) -> None:
    upgrade(db)
    print(f"{label}:")
    latencies, made, over, wall = run_booking(db, residents)
    print(f"  bookings made: {made} (places: {len(TARGETS) * CAPACITY})   overbooked slots: {over}")
    line(f"booking flow, {residents} residents at once", latencies)
    print(f"  wall time {wall:.2f} s, {len(latencies) / wall:.0f} msg/s")
    line(
        "baseline: bare INSERT + COMMIT, same threads", run_baseline(db, residents, len(latencies))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(f"{args.residents} residents, {len(TARGETS)} slots x capacity {CAPACITY}\n")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bench("SQLite (WAL, one writer)", db, args.residents)
        db.dispose()
    try:
        with scratch_schema(args.postgres, "bench") as schema:
            db = Database(args.postgres, schema=schema)
            print()
            bench("PostgreSQL", db, args.residents)
            db.dispose()
    except sa.exc.OperationalError as exc:
        print(f"\nPostgreSQL skipped: {str(exc.orig).splitlines()[0]}")


if __name__ == "__main__":
    main()
