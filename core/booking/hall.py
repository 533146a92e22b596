"""The hall's side of a booking, shared by chat (今日预约) and the staff API: calling the
next number (the resident is told which window), finishing, and the queue screen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from core.booking import services as svc
from core.booking.models import Booking
from core.booking.notify import call_message, lang_of, push
from core.booking.offices import Office
from core.content.loader import Content
from core.dialog.messages import Outgoing, t
from core.timeutil import local


def call(
    session: Session, content: Content, office: Office, window: int, now: datetime
) -> Booking | None:
    """叫号: the next waiting booking of today goes to ``window``; its holder is told."""
    called = svc.call_next(session, office, window, now)
    if called is not None:
        lang = lang_of(session, called)
        push(session, called, "call", "booking_call", call_message(content, office, called, lang))
    return called


def finish(
    session: Session,
    office: Office,
    booking: Booking,
    *,
    served: bool,
    note: str,
    now: datetime,
    survey: svc.SurveyHook = svc.no_survey_yet,
) -> None:
    """完成 or 未到; a no-show that reaches the limit tells the resident what changes."""
    svc.finish(session, booking, served=served, note=note, now=now, survey=survey)
    if not served and svc.needs_confirmation(session, office, booking.who, now):
        message = Outgoing(t("booking.push.no_show_rule", limit=office.rules.no_show_limit))
        push(session, booking, "no_show_rule", "booking_notice", message)


@dataclass(frozen=True)
class Board:
    """What the hall's screen shows: numbers only, never a name."""

    office: str
    day: str
    serving: tuple[tuple[str, int], ...]  # (queue number, window), latest call first
    waiting: tuple[str, ...]  # in the order they will be called
    done: int


def board(session: Session, office: Office, now: datetime) -> Board:
    today = local(now).date()
    rows = session.exec(
        select(Booking.queue_no, Booking.status, Booking.window, Booking.called_at)
        .where(Booking.office == office.code)
        .where(Booking.day == today)
        .where(col(Booking.status).in_((svc.BOOKED, svc.CALLED, svc.DONE)))
        .order_by(col(Booking.starts_at), col(Booking.queue_no))
    ).all()
    called = sorted(
        (r for r in rows if r[1] == svc.CALLED), key=lambda r: r[3] or now, reverse=True
    )
    return Board(
        office=office.code,
        day=today.isoformat(),
        serving=tuple((r[0], r[2] or 1) for r in called),
        waiting=tuple(r[0] for r in rows if r[1] == svc.BOOKED),
        done=sum(1 for r in rows if r[1] == svc.DONE),
    )
