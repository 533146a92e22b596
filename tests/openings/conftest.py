"""Openings fixtures: small import files written the way a labour bureau exports them."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select

from core.delivery.scheduler import tick
from core.openings.importing import import_openings
from core.openings.models import OpeningImport
from core.openings.notices import SubscriptionNotices
from core.openings.rows import COLUMNS, read_rows
from core.openings.store import ImportReport
from core.runtime import Runtime

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
HEADER = list(COLUMNS)
ROWS = [
    [
        "A-1",
        "急招保安 包吃住",
        "济南某物业公司",
        "历下区",
        "3500",
        "4500",
        "2",
        "门岗值守",
        "0531-00000000",
        "2026-11-20",
        "2027-01-31",
        "",
    ],
    [
        "A-2",
        "保洁员（白班）",
        "青岛某保洁公司",
        "市南区",
        "2800",
        "3300",
        "3",
        "商场保洁",
        "0532-00000000",
        "2026-11-21",
        "2027-01-31",
        "",
    ],
    [
        "A-3",
        "网约配送员",
        "济南某配送站",
        "历下区 解放路街道",
        "",
        "",
        "",
        "送外卖",
        "0531-00000001",
        "2026-11-22",
        "2027-01-31",
        "灵活就业",
    ],
    [
        "A-4",
        "社区公益性岗位保洁",
        "解放桥社区",
        "历下区",
        "2200",
        "2200",
        "1",
        "",
        "",
        "2026-11-01",
        "2026-11-20",
        "公益性岗位",
    ],
]


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[list[str]], name: str = "openings.csv") -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def imported(runtime: Runtime, write_csv: Callable[..., Path]) -> ImportReport:
    report = import_openings(runtime.db, runtime.content, read_rows(write_csv(ROWS)), now=NOW)
    runtime.catalogue.refresh_now()
    return report


def notify_until_done(runtime: Runtime, job: SubscriptionNotices | None = None) -> int:
    """Runs the worker's subscription job tick after tick until it has nothing left to do;
    returns the number of messages it queued."""
    chosen = job or SubscriptionNotices()
    queued = 0
    for _ in range(1000):
        with runtime.db.transaction() as session:
            pending = session.exec(
                select(OpeningImport)
                .where(OpeningImport.status == "applied")
                .where(col(OpeningImport.notified_at).is_(None))
            ).first()
        if pending is None:
            return queued
        report = tick(runtime.db, runtime.content, runtime.vault, [chosen], NOW)
        assert not report.failed
        queued += report.written[chosen.name]
    raise AssertionError("the subscription job never finished")
