"""Storing checked openings: upsert by ``ref``, report what changed, bump the index version."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from core.content.areas import AreaTree
from core.openings.models import Opening
from core.openings.rows import OpeningInput, RowError, check_row
from core.storage.models import SharedValue

VERSION_KEY = "openings.version"


@dataclass
class ImportReport:
    batch: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def check_all(
    rows: Iterable[tuple[int, Mapping[str, Any]]], areas: AreaTree
) -> tuple[list[OpeningInput], list[RowError]]:
    good: list[OpeningInput] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, raw in rows:
        checked = check_row(raw, areas)
        if isinstance(checked, str):
            errors.append(RowError(number, checked))
        elif checked.ref in seen:
            errors.append(RowError(number, f"id {checked.ref!r} repeats row {seen[checked.ref]}"))
        else:
            seen[checked.ref] = number
            good.append(checked)
    return good, errors


def apply(session: Session, inputs: list[OpeningInput], now: datetime) -> ImportReport:
    """Upserts the openings in the caller's transaction; unchanged rows are left alone."""
    report = ImportReport(batch=secrets.token_hex(6))
    refs = [item.ref for item in inputs]
    existing = {
        o.ref: o
        for chunk in _chunks(refs, 500)
        for o in session.exec(select(Opening).where(col(Opening.ref).in_(chunk)))
    }
    for item in inputs:
        current = existing.get(item.ref)
        fingerprint = item.fingerprint()
        if current is not None and current.fingerprint == fingerprint:
            report.unchanged += 1
            continue
        row = current or Opening(
            ref=item.ref,
            created_at=now,
            fingerprint=fingerprint,
            title="",
            employer="",
            area_name="",
        )
        _fill(row, item, fingerprint, now, report.batch if current is None else row.import_batch)
        session.add(row)
        (report.updated if current else report.created).append(item.ref)
    if report.changed:
        bump_version(session, now)
    report.applied = True
    return report


def _fill(
    row: Opening, item: OpeningInput, fingerprint: str, now: datetime, batch: str | None
) -> None:
    row.title, row.employer = item.title, item.employer
    row.area_name, row.area_code = item.area_name, item.area_code
    row.salary_min, row.salary_max, row.headcount = item.salary_min, item.salary_max, item.headcount
    row.description, row.contact = item.description, item.contact
    row.posted_at, row.expires_at = item.posted_at, item.expires_at
    row.tags, row.fingerprint, row.import_batch, row.updated_at = (
        list(item.tags),
        fingerprint,
        batch,
        now,
    )


def bump_version(session: Session, now: datetime) -> None:
    """Tells every process's search index that the openings changed."""
    marker = session.exec(
        select(SharedValue).where(SharedValue.key == VERSION_KEY).with_for_update()
    ).first()
    if marker is None:
        marker = SharedValue(key=VERSION_KEY, value="", version=0)
    marker.version += 1
    marker.updated_at = now
    session.add(marker)


def current_version(session: Session) -> int:
    marker = session.get(SharedValue, VERSION_KEY)
    return marker.version if marker else 0


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
