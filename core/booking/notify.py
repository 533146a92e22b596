"""What residents are told about their bookings, in replies and through the outbox."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, select

from core.booking.models import Booking
from core.booking.offices import Office
from core.booking.present import day_text, office_info, service_name, span
from core.content.loader import Content
from core.delivery.outbox import enqueue
from core.dialog.messages import Outgoing, t
from core.storage.models import Conversation


def confirmation(
    content: Content, office: Office, booking: Booking, lang: str, *, rescheduled: bool = False
) -> tuple[Outgoing, ...]:
    """The booking number, the queue number, where and when, what to bring."""
    said = [
        Outgoing(
            t(
                "booking.booked_again" if rescheduled else "booking.booked",
                number=booking.number,
                queue=booking.queue_no,
                service=service_name(content, booking.service, lang),
                day=day_text(booking.day),
                time=span(booking.start, office.rules.slot_minutes),
                office=office_info(office, lang),
                bring=office.rules.bring[lang],
            )
        )
    ]
    if booking.confirm_needed:
        said.append(Outgoing(t("booking.confirm_needed", limit=office.rules.no_show_limit)))
    return tuple(said)


def holder(session: Session, booking: Booking) -> Conversation | None:
    """The chat identity that made the booking, if it still reaches us."""
    if booking.channel is None or booking.external_id is None:
        return None
    conv = session.exec(
        select(Conversation)
        .where(Conversation.channel == booking.channel)
        .where(Conversation.external_id == booking.external_id)
    ).first()
    return conv if conv is not None and conv.reachable else None


def push(session: Session, booking: Booking, key: str, kind: str, *messages: Outgoing) -> bool:
    """One push to the holder, keyed so it is written once."""
    conv = holder(session, booking)
    if conv is None:
        return False
    return enqueue(
        session,
        key=f"booking:{booking.id}:{key}",
        channel=conv.channel,
        recipient=conv.external_id,
        kind=kind,
        messages=messages,
        lang=conv.lang,
    )


def lang_of(session: Session, booking: Booking) -> str:
    conv = holder(session, booking)
    return conv.lang if conv is not None else "zh-CN"


def call_message(content: Content, office: Office, booking: Booking, lang: str) -> Outgoing:
    return Outgoing(
        t(
            "booking.push.call",
            queue=booking.queue_no,
            window=booking.window or 1,
            office=office.name[lang],
        )
    )


def reminder(
    content: Content, office: Office, booking: Booking, lang: str, which: str
) -> Iterator[Outgoing]:
    yield Outgoing(
        t(
            f"booking.push.{which}",
            number=booking.number,
            queue=booking.queue_no,
            service=service_name(content, booking.service, lang),
            day=day_text(booking.day),
            time=span(booking.start, office.rules.slot_minutes),
            office=office_info(office, lang),
            bring=office.rules.bring[lang],
        )
    )
    if which == "day_before" and booking.confirm_needed and booking.confirmed_at is None:
        yield Outgoing(t("booking.push.confirm_ask"))
