"""One import: check and stage the rows in short batches, then switch them in at once.

Each batch of rows is its own short transaction (into ``opening_staged``, which readers never
look at), so chat keeps its turn at the database however big the file; the switch is one
short transaction of a few set-based statements, so readers see all of the import or none
of it. Subscribers are told later by the worker (``core.openings.notices``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from core.content.loader import Content
from core.openings.models import OpeningImport, OpeningStaged
from core.openings.rows import BadRecord, OpeningInput, Row, RowError, check_row
from core.openings.store import ImportReport, changes, stage, strays, switch
from core.people import audit
from core.storage.db import Database

log = logging.getLogger(__name__)

BATCH_ROWS = 500  # rows per staging transaction: a few milliseconds of write lock each
LISTED_IN_AUDIT = 20  # refs of each kind named in the audit row; all are in the change table


@dataclass(frozen=True)
class Importer:
    """Who imports: recorded in the audit trail; ``scope`` confines the rows to an area."""

    actor: str  # "staff:7", "cli", "demo"
    channel: str  # "web", "cli"
    scope: str | None = None  # an area code; None = anywhere (administrators, the CLI)


CLI = Importer("cli", "cli")


def import_openings(
    db: Database,
    content: Content,
    rows: Iterable[Row],
    *,
    now: datetime,
    skip_invalid: bool = False,
    by: Importer = CLI,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """By default nothing is stored when any row is invalid; ``skip_invalid`` stores the rest.
    ``progress`` is called with the number of rows read after each batch."""
    report = ImportReport(batch=secrets.token_hex(6))
    with db.transaction() as session:
        imp = OpeningImport(batch=report.batch, actor=by.actor, scope=by.scope, started_at=now)
        session.add(imp)
    try:
        total = _stage_all(db, content, imp, rows, report, progress)
    except BaseException as exc:
        _abandon(db, imp, by, exc)
        raise
    stored = 0
    if not report.invalid or skip_invalid:
        with db.transaction() as session:
            stray = strays(session, imp, content.areas)
            for number, ref in stray:
                report.refuse(RowError(number, f"opening {ref!r} belongs to an area outside yours"))
            if stray:
                session.execute(
                    sa.delete(OpeningStaged)
                    .where(col(OpeningStaged.import_id) == imp.id)
                    .where(col(OpeningStaged.ref).in_([ref for _, ref in stray]))
                )
            if not stray or skip_invalid:
                report.created, report.updated = switch(session, imp, now)
                stored = _staged_count(session, imp)
                report.applied = True
            report.unchanged = max(0, stored - report.created - report.updated)
            _record(session, imp, report, by, total, now)
    else:
        with db.transaction() as session:
            _record(session, imp, report, by, total, now)
    # The staged rows are left for the worker to delete a slice at a time: deleting them
    # here, in back-to-back transactions, kept chat's writers waiting for seconds on SQLite.
    return report


def _stage_all(
    db: Database,
    content: Content,
    imp: OpeningImport,
    rows: Iterable[Row],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> int:
    batch: list[tuple[int, OpeningInput]] = []
    in_batch: dict[str, int] = {}
    known: dict[str, str | None] = {}
    total = reported = 0

    def flush() -> None:
        nonlocal reported
        if batch:
            with db.transaction() as session:
                stage(session, imp, batch, content.areas, report)
            batch.clear()
            in_batch.clear()
        if progress and total != reported:
            progress(total)
            reported = total

    for number, raw in rows:
        total += 1
        checked = str(raw) if isinstance(raw, BadRecord) else check_row(raw, content.areas, known)
        if isinstance(checked, str):
            report.refuse(RowError(number, checked))
        elif checked.ref in in_batch:
            report.refuse(
                RowError(number, f"id {checked.ref!r} repeats row {in_batch[checked.ref]}")
            )
        else:
            in_batch[checked.ref] = number
            batch.append((number, checked))
        if len(batch) >= BATCH_ROWS:
            flush()
    flush()
    return total


def _staged_count(session: Session, imp: OpeningImport) -> int:
    return int(
        session.execute(
            sa.select(sa.func.count()).where(col(OpeningStaged.import_id) == imp.id)
        ).scalar_one()
    )


def _record(
    session: Session,
    imp: OpeningImport,
    report: ImportReport,
    by: Importer,
    total: int,
    now: datetime,
) -> None:
    """Closes the import's record and writes the audit row, in the switch's transaction."""
    row = session.get(OpeningImport, imp.id)
    assert row is not None
    row.status = "applied" if report.applied else "refused"
    row.rows, row.invalid, row.finished_at = total, report.invalid, now
    row.created, row.updated, row.unchanged = report.created, report.updated, report.unchanged
    session.add(row)
    assert imp.id is not None
    for listed in (LISTED_IN_AUDIT, 8, 3, 0):  # as many refs as the audit row holds
        added = changes(session, imp.id, "added", listed)
        changed = changes(session, imp.id, "changed", listed)
        detail = (
            f"import={imp.id} rows={total} added={report.created} "
            f"{_names(added, report.created)} changed={report.updated} "
            f"{_names(changed, report.updated)} removed=0 unchanged={report.unchanged} "
            f"invalid={report.invalid}"
        )
        if len(detail) <= audit.MAX_DETAIL:
            break
    audit.record(
        session,
        actor=by.actor,
        action="openings.import" if report.applied else "openings.import_refused",
        subject=f"opening_import:{imp.id}",
        detail=detail,
        channel=by.channel,
    )


def _names(refs: list[str], count: int) -> str:
    more = f", … {count - len(refs)} more" if count > len(refs) else ""
    return f"[{', '.join(refs)}{more}]"


def _abandon(db: Database, imp: OpeningImport, by: Importer, exc: BaseException) -> None:
    """The file broke off (unreadable part, database gone): marked failed, so the worker
    deletes its staged rows (it also does for an import left staging for hours)."""
    try:
        with db.transaction() as session:
            row = session.get(OpeningImport, imp.id)
            if row is not None:
                row.status = "failed"
                session.add(row)
            audit.record(
                session,
                actor=by.actor,
                action="openings.import_failed",
                subject=f"opening_import:{imp.id}",
                detail=f"import={imp.id} stopped: {type(exc).__name__}: {exc}",
                channel=by.channel,
            )
    except Exception:
        log.warning("could not mark import %s failed; the worker will in time", imp.id)
