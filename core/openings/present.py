"""How an opening is shown to a person: list lines and the detail, as catalog texts."""

from __future__ import annotations

from datetime import timedelta

from core.dialog.messages import Text, t
from core.openings.models import Opening
from core.timeutil import local


def salary(opening: Opening) -> Text:
    low, high = opening.salary_min, opening.salary_max
    if low and high:
        return t("jobs.salary.range", low=low, high=high)
    if low:
        return t("jobs.salary.from", low=low)
    if high:
        return t("jobs.salary.upto", high=high)
    return t("jobs.salary.none")


def line(opening: Opening) -> Text:
    return t(
        "jobs.item",
        title=opening.title,
        employer=opening.employer,
        area=opening.area_name,
        salary=salary(opening),
    )


def detail(opening: Opening) -> Text:
    headcount = (
        t("jobs.headcount", n=opening.headcount) if opening.headcount else t("jobs.headcount_open")
    )
    return t(
        "jobs.detail",
        title=opening.title,
        employer=opening.employer,
        area=opening.area_name,
        salary=salary(opening),
        headcount=headcount,
        posted=local(opening.posted_at).date().isoformat() if opening.posted_at else "-",
        expires=_last_day(opening),
        description=opening.description or "-",
        contact=opening.contact or "-",
        tags="、".join(opening.tags) if opening.tags else "-",
    )


def _last_day(opening: Opening) -> str:
    if opening.expires_at is None:
        return "-"
    # Stored as the first moment after the last day; show the last day itself.
    return (local(opening.expires_at) - timedelta(seconds=1)).date().isoformat()
