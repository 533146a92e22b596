"""One import: check every row, then store and tell subscribers in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from core.content.loader import Content
from core.openings.catalogue import vocabulary_for
from core.openings.models import Opening
from core.openings.store import ImportReport, apply, check_all
from core.openings.subscriptions import notify_new
from core.storage.db import Database


def import_openings(
    db: Database,
    content: Content,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    now: datetime,
    skip_invalid: bool = False,
) -> ImportReport:
    """By default nothing is stored when any row is invalid; ``skip_invalid`` stores the rest."""
    inputs, errors = check_all(rows, content.areas)
    if errors and not skip_invalid:
        return ImportReport(batch="", errors=errors, applied=False)
    with db.transaction() as session:
        report = apply(session, inputs, now)
        report.errors = errors
        if report.created:
            session.flush()
            created = session.exec(select(Opening).where(col(Opening.ref).in_(report.created)))
            notify_new(
                session,
                openings=list(created),
                vocabulary=vocabulary_for(content.directory),
                areas=content.areas,
                batch=report.batch,
                now=now,
            )
    return report
