"""The complaints ledger (台账) of an area and period as XLSX: one row per ticket and a
summary sheet (first answers the same working day, closed by the deadline, satisfaction).

Personal data (the complainant's phone, the name of the staff member concerned) is masked
unless asked; every export is audited. Written by the shared spreadsheet writer
(core/exports/sheets.py), styled as every ledger: bold frozen header, column widths, times
as real dates, text never run as a formula, the file owner-only whether masked or not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from core.complaints.models import ComplaintTicket
from core.dialog.messages import Text, t
from core.exports import sheets
from core.exports.sheets import Column, Kind, Value
from core.people import audit
from core.people.personal import mask_name, mask_phone
from core.registration.notify import area_name
from core.registration.routing import area_prefix
from core.registration.workflow import Env
from core.storage.models import Staff
from core.timeutil import SHANGHAI, local

COLUMNS = (
    "number",
    "kind",
    "category",
    "area",
    "state",
    "received",
    "first_answer_due",
    "first_answer",
    "same_day",
    "due",
    "extended",
    "closed",
    "within_time",
    "rating",
    "verified",
    "staff",
    "contact",
)
_TIMES = frozenset({"received", "first_answer_due", "first_answer", "due", "closed"})


@dataclass(frozen=True)
class Ledger:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]
    summary: tuple[tuple[str, str], ...]
    sheet: str
    summary_sheet: str


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start, datetime.min.time(), tzinfo=SHANGHAI)
        after = datetime.combine(self.end + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
        return first, after


def build(
    env: Env, area_code: str, period: Period, *, unmasked: bool, lang: str, actor: str
) -> Ledger:
    """Every ticket about ``area_code`` received in ``period``, oldest first; audited."""
    first, after = period.bounds()
    tickets = env.session.exec(
        select(ComplaintTicket)
        .where(col(ComplaintTicket.area_code).startswith(area_prefix(env.content.areas, area_code)))
        .where(col(ComplaintTicket.received_at) >= first)
        .where(col(ComplaintTicket.received_at) < after)
        .order_by(col(ComplaintTicket.id))
    ).all()
    render = lambda item: env.content.catalog.text(item, lang)  # noqa: E731
    rows = tuple(_row(env, ticket, unmasked, render) for ticket in tickets)
    audit.record(
        env.session,
        actor=actor,
        action="ledger.complaints_unmasked" if unmasked else "ledger.complaints",
        subject=f"area:{area_code}",
        detail=f"tickets={len(rows)} from={period.start} to={period.end}",
    )
    return Ledger(
        columns=tuple(
            Column(
                render(t(f"complaints.ledger.{name}")),
                Kind.DATETIME if name in _TIMES else Kind.TEXT,
            )
            for name in COLUMNS
        ),
        rows=rows,
        summary=_summary(env, tickets, period, render),
        sheet=render(t("menu.item.complaint"))[:31],
        summary_sheet=render(t("complaints.ledger.summary.sheet"))[:31],
    )


def _yes_no(value: bool | None, render: Callable[[Text], str]) -> str:
    if value is None:
        return ""
    return render(t("complaints.ledger.yes" if value else "complaints.ledger.no"))


def answered_in_time(ticket: ComplaintTicket) -> bool | None:
    if ticket.first_answered_at is None:
        return None
    return ticket.first_answered_at <= ticket.first_answer_due_at


def closed_in_time(ticket: ComplaintTicket, now: datetime) -> bool | None:
    """Closed by the deadline; an open ticket past its deadline is "no" already."""
    if ticket.due_at is None:
        return None
    if ticket.closed_at is None:
        return False if ticket.due_at < now else None
    return ticket.closed_at <= ticket.due_at


def _row(
    env: Env, ticket: ComplaintTicket, unmasked: bool, render: Callable[[Text], str]
) -> tuple[Value, ...]:
    vault = env.vault
    hide_name = (lambda v: v) if unmasked else mask_name
    member = env.session.get(Staff, ticket.staff_id) if ticket.staff_id else None
    concerned = ""
    if member is not None:
        concerned = hide_name(vault.decrypt(member.name_enc))
    elif ticket.staff_named_enc:
        concerned = hide_name(vault.decrypt(ticket.staff_named_enc))
    contact = render(t(f"complaints.contact.{ticket.contact}"))
    if ticket.phone_enc:
        phone = vault.decrypt(ticket.phone_enc)
        contact = phone if unmasked else mask_phone(phone)
    extended = _yes_no(ticket.extended_at is not None, render)
    return (
        ticket.number,
        render(t(f"complaints.kind.{ticket.kind}")),
        render(t(f"complaints.category.{ticket.category}")),
        area_name(env.content.areas, ticket.area_code),
        render(t(f"complaints.state.{ticket.status}")),
        _local(ticket.received_at),
        _local(ticket.first_answer_due_at),
        _local(ticket.first_answered_at),
        _yes_no(answered_in_time(ticket), render),
        _local(ticket.due_at),
        extended,
        _local(ticket.closed_at),
        _yes_no(closed_in_time(ticket, env.now), render),
        render(t(f"complaints.rating.{ticket.rating}")) if ticket.rating else "",
        render(t(f"complaints.finding.{ticket.finding}")) if ticket.finding else "",
        concerned,
        contact,
    )


def _local(moment: datetime | None) -> datetime | None:
    """As the hall reads it, without a time zone (spreadsheets have none)."""
    return None if moment is None else local(moment).replace(tzinfo=None)


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else "-"


def _summary(
    env: Env,
    tickets: Sequence[ComplaintTicket],
    period: Period,
    render: Callable[[Text], str],
) -> tuple[tuple[str, str], ...]:
    # First answers: counted over tickets whose first-answer deadline has come (or that
    # were answered), so a ticket received an hour ago does not lower the share.
    due = [
        x for x in tickets if x.first_answered_at is not None or x.first_answer_due_at <= env.now
    ]
    on_time = sum(1 for x in due if answered_in_time(x))
    closed = [x for x in tickets if x.closed_at is not None and x.due_at is not None]
    closed_ok = sum(1 for x in closed if closed_in_time(x, env.now))
    ratings = [x.rating for x in tickets if x.rating]
    counts = {r: ratings.count(r) for r in ("satisfied", "basic", "dissatisfied")}
    label = lambda key: render(t(f"complaints.ledger.summary.{key}"))  # noqa: E731
    return (
        (label("item"), label("value")),
        (label("period"), f"{period.start.isoformat()} – {period.end.isoformat()}"),
        (label("tickets"), str(len(tickets))),
        (label("answered_same_day"), _share(on_time, len(due))),
        (label("closed_in_time"), _share(closed_ok, len(closed))),
        (label("rated"), str(len(ratings))),
        *((label(key), str(value)) for key, value in counts.items()),
        (label("satisfaction"), _share(counts["satisfied"] + counts["basic"], len(ratings))),
    )


def write(ledger: Ledger, path: Path) -> None:
    """XLSX with the tickets (the number stays in view) and the summary; owner-only."""
    header, *figures = ledger.summary
    sheets.write_book(
        path,
        [
            sheets.Sheet(ledger.sheet, ledger.columns, ledger.rows, keep_columns=1),
            sheets.Sheet(ledger.summary_sheet, tuple(Column(h) for h in header), figures),
        ],
    )
