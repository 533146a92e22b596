"""The scheduler tick is idempotent; working days follow the national calendar with 调休."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import select

from core.content.worktime import WorkTime
from core.delivery.scheduler import Due, Housekeeping, TickCtx, tick
from core.dialog.messages import Outgoing, t
from core.runtime import Runtime
from core.settings import PROJECT_ROOT
from core.storage.db import Database
from core.storage.models import InboundMessage, OutboxMessage

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


class MonthlyVisitReminder:
    """A job shaped like the real ones: due items keyed by what, whom and which period."""

    name = "visits"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        period = ctx.now.strftime("%Y-%m")
        for staff in ("s1", "s2"):
            yield Due(
                key=f"visit:{staff}:{period}",
                channel="console",
                recipient=staff,
                kind="reminder",
                messages=(Outgoing(t("menu.title")),),
            )


class Broken:
    name = "broken"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        raise RuntimeError("boom")


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(session.exec(select(OutboxMessage)))


def test_tick_twice_writes_each_push_once(runtime: Runtime) -> None:
    jobs = [MonthlyVisitReminder()]
    first = tick(runtime.db, runtime.content, runtime.vault, jobs, NOW)
    second = tick(runtime.db, runtime.content, runtime.vault, jobs, NOW + timedelta(hours=1))
    assert first.written == {"visits": 2} and second.written == {"visits": 0}
    assert len(_outbox(runtime.db)) == 2


def test_ticks_on_two_machines_at_once_send_nothing_twice(runtime: Runtime) -> None:
    other = Database(runtime.db.url, schema=runtime.db.schema)
    jobs = [MonthlyVisitReminder()]

    def run(db: Database) -> int:
        return tick(db, runtime.content, runtime.vault, jobs, NOW).written["visits"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        written = list(pool.map(run, [runtime.db, other, runtime.db, other]))
    other.dispose()
    assert sum(written) == 2 and len(_outbox(runtime.db)) == 2


def test_next_period_is_due_again(runtime: Runtime) -> None:
    jobs = [MonthlyVisitReminder()]
    tick(runtime.db, runtime.content, runtime.vault, jobs, NOW)
    tick(runtime.db, runtime.content, runtime.vault, jobs, NOW + timedelta(days=31))
    assert len(_outbox(runtime.db)) == 4


def test_a_failing_job_does_not_stop_the_others(runtime: Runtime) -> None:
    report = tick(
        runtime.db, runtime.content, runtime.vault, [Broken(), MonthlyVisitReminder()], NOW
    )
    assert report.failed == ["broken"] and report.written["visits"] == 2


def test_housekeeping_forgets_old_redelivery_records(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        session.add(
            InboundMessage(
                channel="wechat",
                message_id="old",
                external_id="o",
                received_at=NOW - timedelta(days=8),
            )
        )
        session.add(
            InboundMessage(
                channel="wechat",
                message_id="new",
                external_id="o",
                received_at=NOW - timedelta(hours=1),
            )
        )
    tick(runtime.db, runtime.content, runtime.vault, [Housekeeping()], NOW)
    with runtime.db.transaction() as session:
        kept = [m.message_id for m in session.exec(select(InboundMessage))]
    assert kept == ["new"]


def _worktime() -> WorkTime:
    return WorkTime.load(PROJECT_ROOT / "content" / "worktime.yaml")


def test_make_up_saturday_is_a_working_day() -> None:
    assert _worktime().is_workday(date(2025, 10, 11))  # 调休 Saturday
    assert not _worktime().is_workday(date(2025, 10, 3))  # National Day holiday


def test_three_working_days_skip_the_national_day_holiday() -> None:
    start = datetime(2025, 9, 30, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
    due = _worktime().add_workdays(start, 3)
    assert due.date() == date(2025, 10, 11)  # 10-09, 10-10 and the 调休 Saturday 10-11


def test_content_overrides_the_calendar(tmp_path: Path) -> None:
    path = tmp_path / "worktime.yaml"
    path.write_text(
        "hours: ['09:00-17:00']\nextra_holidays: [2026-11-27]\nextra_workdays: [2026-11-28]\n",
        encoding="utf-8",
    )
    worktime = WorkTime.load(path)
    assert not worktime.is_workday(date(2026, 11, 27))  # a Friday made a local holiday
    assert worktime.is_workday(date(2026, 11, 28))  # a Saturday made a working day


def test_opening_hours_are_in_shanghai_time() -> None:
    worktime = _worktime()
    assert worktime.is_open(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))  # 10:00 Thursday
    assert not worktime.is_open(datetime(2026, 11, 26, 4, 30, tzinfo=UTC))  # 12:30 lunch
    assert not worktime.is_open(datetime(2026, 11, 28, 2, 0, tzinfo=UTC))  # Saturday
