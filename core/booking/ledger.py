"""The booking ledger (预约台账) of an area over a period, as XLSX: one row per booking
(names masked) and a summary sheet counting served / no-show / cancelled per service.

Formatted as a ledger staff file: bold frozen header, column widths, dates and times as
real spreadsheet dates. Written here with openpyxl directly: no shared export helper
exists in this tree yet (another branch is building one; this is kept small to swap).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, col, select

from core.booking import services as svc
from core.booking.models import Booking
from core.booking.offices import offices_for
from core.booking.present import service_name
from core.content.loader import Content
from core.dialog.messages import t
from core.people import audit
from core.people.personal import Vault, mask_name
from core.timeutil import local

COLUMNS = (
    "number",
    "queue",
    "service",
    "office",
    "day",
    "start",
    "name",
    "state",
    "booked_at",
    "finished_at",
    "note",
)
SUMMARY = ("service", "booked", "served", "no_show", "cancelled")
_WIDTHS = {
    "number": 12,
    "queue": 8,
    "service": 14,
    "office": 34,
    "day": 12,
    "start": 8,
    "name": 10,
    "state": 10,
    "booked_at": 18,
    "finished_at": 18,
    "note": 40,
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | date | datetime | int | None


@dataclass(frozen=True)
class BookingLedger:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    summary_headers: tuple[str, ...]
    summary: tuple[tuple[Cell, ...], ...]


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
    rows = []
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
                _safe(mask_name(vault.decrypt(b.name_enc))),
                render(t(f"booking.state.{b.status}")),
                _naive(b.created_at),
                _naive(b.finished_at),
                _safe(b.note),
            )
        )
    summary = tuple(
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
        headers=tuple(render(t(f"booking.ledger.{c}")) for c in COLUMNS),
        rows=tuple(rows),
        summary_headers=tuple(render(t(f"booking.ledger.{c}")) for c in SUMMARY),
        summary=summary,
    )


def _naive(moment: datetime | None) -> datetime | None:
    """Local wall time without a zone: spreadsheets cannot store zones."""
    return None if moment is None else local(moment).replace(tzinfo=None)


def _safe(value: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write(ledger: BookingLedger, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "bookings"
    _table(sheet, ledger.headers, ledger.rows, [_WIDTHS[c] for c in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        row[COLUMNS.index("day")].number_format = "yyyy-mm-dd"
        row[COLUMNS.index("booked_at")].number_format = "yyyy-mm-dd hh:mm"
        row[COLUMNS.index("finished_at")].number_format = "yyyy-mm-dd hh:mm"
    _table(
        book.create_sheet("summary"), ledger.summary_headers, ledger.summary, [16, 10, 10, 10, 10]
    )
    book.save(path)


def _table(
    sheet: Worksheet,
    headers: tuple[str, ...],
    rows: tuple[tuple[Cell, ...], ...],
    widths: list[int],
) -> None:  # type: ignore[no-untyped-def]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
