"""How bookings read: dates, slots, offices and one booking, in the reader's language."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from core.booking.models import Booking
from core.booking.offices import Office
from core.content.loader import Content
from core.dialog.messages import Text, t
from core.people.personal import Vault, mask_name


def day_text(day: date) -> Text:
    return t(
        "booking.date", month=day.month, day=day.day, weekday=t(f"booking.weekday.{day.weekday()}")
    )


def span(start: time | str, minutes: int) -> str:
    begin = time.fromisoformat(start) if isinstance(start, str) else start
    end = (datetime.combine(date.min, begin) + timedelta(minutes=minutes)).time()
    return f"{begin.isoformat('minutes')}-{end.isoformat('minutes')}"


def hours_text(office: Office) -> str:
    return "、".join(f"{a.isoformat('minutes')}-{b.isoformat('minutes')}" for a, b in office.hours)


def office_info(office: Office, lang: str) -> Text:
    """Where the hall is, its phone and hours: part of every "not available" answer."""
    return t(
        "booking.office_info",
        name=office.name[lang],
        address=office.address[lang],
        phone=office.phone,
        hours=hours_text(office),
    )


def service_name(content: Content, service: str, lang: str) -> str:
    found = next((s for s in content.services if s.id == service), None)
    return found.name[lang] if found else service


def booking_line(content: Content, office: Office | None, booking: Booking, lang: str) -> Text:
    """One booking for its holder: number, when, where, queue number, state."""
    minutes = office.rules.slot_minutes if office else 60
    return t(
        "booking.line",
        number=booking.number,
        day=day_text(booking.day),
        time=span(booking.start, minutes),
        office=office.name[lang] if office else booking.office,
        service=service_name(content, booking.service, lang),
        queue=booking.queue_no,
        state=t(f"booking.state.{booking.status}"),
    )


def staff_line(content: Content, vault: Vault, booking: Booking, lang: str) -> Text:
    """One booking as staff see it in the day's list: masked name, in time order."""
    return t(
        "booking.staff.line",
        queue=booking.queue_no,
        time=booking.start,
        name=mask_name(vault.decrypt(booking.name_enc)),
        service=service_name(content, booking.service, lang),
        state=t(f"booking.state.{booking.status}"),
    )
