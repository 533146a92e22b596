"""Aware times: stored in UTC, shown in Asia/Shanghai."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def local(moment: datetime) -> datetime:
    """The moment as a person in Shandong reads it."""
    return moment.astimezone(SHANGHAI)
