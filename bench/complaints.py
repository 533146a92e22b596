"""One scheduler tick of the complaint clocks over many overdue tickets.

The job runs every tick; once its pushes are written (first tick), later ticks find every
key present and write nothing, so the repeated tick is the cost that matters. The baseline
in the same run is the floor of that tick: the one query reading the open tickets.

    python bench/complaints.py [--tickets 2000] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.machine import describe
from core.complaints import routing
from core.complaints.models import ComplaintTicket
from core.complaints.sla import ComplaintDeadlines
from core.delivery.scheduler import tick
from core.people.staff import Role, add_staff
from core.runtime import build_runtime
from core.settings import Settings
from core.storage.db import Database, scratch_schema
from core.storage.migrate import upgrade
from core.storage.models import Conversation
from core.timeutil import SHANGHAI

COMMUNITIES = ["370102001002", "370102001003", "370102002002", "370102002003"]
STREETS = ["370102001000", "370102002000"]
FILED = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
LATE = datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)  # every ticket overdue


def seed(db: Database, tickets: int) -> None:
    settings = Settings(_env_file=None, secret_key="bench-" + "k" * 40)  # type: ignore[call-arg, arg-type]
    runtime = build_runtime(settings, db=db)
    with db.transaction() as session:
        for n, area in enumerate([*STREETS, *STREETS, "370102000000"]):
            role = Role.ADMIN if area.endswith("000000") else Role.STREET
            staff = add_staff(
                session,
                vault=runtime.vault,
                username=f"s{n}",
                name="王小红",
                role=role,
                area_code=area,
            )
            session.add(Conversation(channel="wechat", external_id=f"staff-{n}", staff_id=staff.id))
        for i in range(tickets):
            session.add(
                ComplaintTicket(
                    number=f"TS-20261203-{i:04d}",
                    kind="complaint",
                    category="attitude",
                    status=routing.RECEIVED,
                    area_code=COMMUNITIES[i % len(COMMUNITIES)],
                    text_enc=runtime.vault.encrypt("x"),
                    contact="chat",
                    filer_hash=f"h{i}",
                    received_at=FILED,
                    first_answer_due_at=FILED + timedelta(hours=7),
                    answer_due_at=FILED + timedelta(hours=7),
                )
            )
    runtime.close()


def timed(db: Database, runs: int) -> tuple[list[float], list[float], int]:
    settings = Settings(_env_file=None, secret_key="bench-" + "k" * 40)  # type: ignore[call-arg, arg-type]
    runtime = build_runtime(settings, db=db)
    jobs = [ComplaintDeadlines()]
    first = tick(db, runtime.content, runtime.vault, jobs, LATE).written[jobs[0].name]
    job, floor = [], []
    for _ in range(runs):
        started = time.perf_counter()
        tick(db, runtime.content, runtime.vault, jobs, LATE)
        job.append(time.perf_counter() - started)
        started = time.perf_counter()
        with db.transaction() as session:
            session.exec(
                select(ComplaintTicket).where(col(ComplaintTicket.status).in_(routing.OPEN))
            ).all()
        floor.append(time.perf_counter() - started)
    runtime.close()
    return job, floor, first


def bench(label: str, db: Database, tickets: int, runs: int) -> None:
    upgrade(db)
    seed(db, tickets)
    job, floor, first = timed(db, runs)
    print(f"{label}: {tickets} overdue tickets, first tick wrote {first} pushes")
    print(f"  floor (read open tickets)      median {statistics.median(floor) * 1000:8.1f} ms")
    print(f"  repeated tick (nothing to send) median {statistics.median(job) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        bench("SQLite", db, args.tickets, args.runs)
        db.dispose()
    if args.postgres:
        with scratch_schema(args.postgres, "bench_complaints") as schema:
            db = Database(args.postgres, schema=schema)
            bench("PostgreSQL", db, args.tickets, args.runs)
            db.dispose()


if __name__ == "__main__":
    main()
