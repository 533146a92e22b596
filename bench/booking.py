"""Booking under contention: 50 residents at once for 10 slots of capacity 2.

Each resident walks the booking flow by chat (预约 → service → office → day → slot → name →
skip → confirm) with platform message ids, all 50 at once, each message run on the
runtime's engine lane as the WeChat and Telegram adapters run it (one thread on SQLite,
eight on PostgreSQL); those who lose a race take another of the 10 target slots if one is
still offered, else give up. Reports the bookings made (must be 20), overbooked slots
(must be 0) and p50/p99 per booking message, queueing in the lane included. The baseline
in the same run is a bare transaction inserting one row, sent the same way.

    python bench/booking.py [--residents 50] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe
from core.booking.models import Booking, BookingSlot
from core.dialog.lane import Lane
from core.dialog.messages import Incoming, Reply
from core.runtime import ENGINE_THREADS, Runtime, build_runtime
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

    async def send(self, text: str | None = None, choice: str | None = None) -> Reply:
        incoming = Incoming(
            "wechat", self.user, text=text, choice=choice, message_id=str(next(self.ids))
        )
        started = time.perf_counter()
        reply = await self.runtime.lane.run(self.runtime.engine.handle, incoming)
        self.latencies.append(time.perf_counter() - started)
        return reply

    async def book(self, target: tuple[date, str]) -> bool:
        day, start = target
        await self.send("预约")
        await self.send(choice="b:s:guidance")
        await self.send(choice=f"b:o:{OFFICE}")
        await self.send(choice=f"b:d:{day.isoformat()}:{'am' if start < '12:00' else 'pm'}")
        await self.send(choice=f"b:t:{start}")
        await self.send("某某")
        await self.send(choice="b:skip")
        reply = await self.send(choice="b:ok")
        for _ in range(len(TARGETS)):
            if reply.messages[0].text.id.startswith("booking.booked"):
                return True
            offered = {o.id for m in reply.messages for o in m.options}
            free = [t for t in TARGETS if f"b:t:{t[1]}" in offered and t[0] == day]
            if not free:
                return False  # none of the wanted slots is left that day
            await self.send(choice=f"b:t:{free[0][1]}")
            await self.send(choice="b:skip")
            reply = await self.send(choice="b:ok")
        return False


def run_booking(db: Database, residents: int) -> tuple[list[float], int, int, float]:
    settings = Settings(_env_file=None, secret_key="bench-" + "k" * 40)  # type: ignore[call-arg, arg-type]
    runtime = build_runtime(settings, db=db)
    runtime.engine.clock = lambda: NOW
    ids = itertools.count(1)
    people = [Resident(runtime, n, ids) for n in range(residents)]

    async def everyone() -> None:
        await asyncio.gather(*(p.book(TARGETS[n % len(TARGETS)]) for n, p in enumerate(people)))

    started = time.perf_counter()
    asyncio.run(everyone())
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


def run_baseline(db: Database, senders: int, count: int) -> list[float]:
    """``count`` one-row transactions from ``senders`` coroutines through a lane like the
    engine's (one thread on SQLite, eight on PostgreSQL)."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY)"))
    lane = Lane("bench", 1 if db.is_sqlite else ENGINE_THREADS)
    ids = itertools.count(1)
    latencies: list[float] = []

    def insert() -> None:
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO bench_floor (id) VALUES (:i)"), {"i": next(ids)})

    async def sender(n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            await lane.run(insert)
            latencies.append(time.perf_counter() - started)

    async def everyone() -> None:
        await asyncio.gather(*(sender(count // senders) for _ in range(senders)))

    asyncio.run(everyone())
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
    started = time.perf_counter()
    floor = run_baseline(db, residents, len(latencies))
    floor_wall = time.perf_counter() - started
    line("baseline: bare INSERT + COMMIT, same lane", floor)
    print(f"  baseline wall time {floor_wall:.2f} s, {len(floor) / floor_wall:.0f} msg/s")


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
