"""The booking ledger (预约台账) of an area over a period, as XLSX: one row per booking
(names masked) and a summary sheet counting served / no-show / cancelled per service.

Written by the shared spreadsheet writer (core/exports/sheets.py), styled as every ledger:
bold frozen header, column widths, days and times as real dates, text never run as a
formula, the file owner-only.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from core.booking import services as svc
from core.booking.models import Booking
from core.booking.offices import offices_for
from core.booking.present import service_name
from core.content.loader import Content
from core.dialog.messages import t
from core.exports import sheets
from core.exports.sheets import Column, Kind, Value
from core.people import audit
from core.people.personal import Vault, mask_name
from core.timeutil import local

COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("number", Kind.TEXT),
    ("queue", Kind.TEXT),
    ("service", Kind.TEXT),
    ("office", Kind.TEXT),
    ("day", Kind.DATE),
    ("start", Kind.TEXT),
    ("name", Kind.TEXT),
    ("state", Kind.TEXT),
    ("booked_at", Kind.DATETIME),
    ("finished_at", Kind.DATETIME),
    ("note", Kind.TEXT),
)
SUMMARY: tuple[tuple[str, Kind], ...] = (
    ("service", Kind.TEXT),
    ("booked", Kind.NUMBER),
    ("served", Kind.NUMBER),
    ("no_show", Kind.NUMBER),
    ("cancelled", Kind.NUMBER),
)


@dataclass(frozen=True)
class BookingLedger:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    summary_columns: tuple[Column, ...]
    summary: tuple[tuple[Value, ...], ...]


def build(
    session: Session,
    content: Content,
    vault: Vault,
    *,
    area: str,
    start: date,
    end: date,
    lang: str,
    actor: str,
) -> BookingLedger:
    """Every booking at an office inside ``area`` with its day in [start, end]; audited."""
    offices = offices_for(content)
    codes = [o.code for o in offices.all() if content.areas.contains(area, o.code)]
    found = session.exec(
        select(Booking)
        .where(col(Booking.office).in_(codes))
        .where(col(Booking.day).between(start, end))
        .order_by(col(Booking.day), col(Booking.starts_at), col(Booking.queue_no))
    ).all()
    render = lambda item: content.catalog.text(item, lang)  # noqa: E731
    rows: list[tuple[Value, ...]] = []
    counts: dict[str, Counter[str]] = {}
    for b in found:
        office = offices.get(b.office)
        counts.setdefault(b.service, Counter())[b.status] += 1
        rows.append(
            (
                b.number,
                b.queue_no,
                service_name(content, b.service, lang),
                office.name[lang] if office else b.office,
                b.day,
                b.start,
                mask_name(vault.decrypt(b.name_enc)),
                render(t(f"booking.state.{b.status}")),
                _naive(b.created_at),
                _naive(b.finished_at),
                b.note,
            )
        )
    summary: tuple[tuple[Value, ...], ...] = tuple(
        (
            service_name(content, sid, lang),
            sum(c.values()),
            c[svc.DONE],
            c[svc.NO_SHOW],
            c[svc.CANCELLED],
        )
        for sid, c in sorted(counts.items())
    )
    audit.record(
        session,
        actor=actor,
        action="ledger.export",
        subject=f"area:{area}",
        detail=f"bookings={len(rows)} from={start.isoformat()} to={end.isoformat()}",
    )
    return BookingLedger(
        columns=tuple(Column(render(t(f"booking.ledger.{c}")), kind) for c, kind in COLUMNS),
        rows=tuple(rows),
        summary_columns=tuple(
            Column(render(t(f"booking.ledger.{c}")), kind) for c, kind in SUMMARY
        ),
        summary=summary,
    )


def _naive(moment: datetime | None) -> datetime | None:
    """Local wall time without a zone: spreadsheets cannot store zones."""
    return None if moment is None else local(moment).replace(tzinfo=None)


def write(ledger: BookingLedger, path: Path) -> None:
    """XLSX: the bookings (the booking number stays in view) and the summary per service."""
    sheets.write_book(
        path,
        [
            sheets.Sheet("bookings", ledger.columns, ledger.rows, keep_columns=1),
            sheets.Sheet("summary", ledger.summary_columns, ledger.summary),
        ],
    )
