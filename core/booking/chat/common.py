"""What the booking flows share: the offices, the resident's name, refusals."""

from __future__ import annotations

from sqlmodel import col, select

from core.booking import services as svc
from core.booking.models import Booking
from core.booking.offices import Offices, offices_for
from core.dialog.flow import Ctx
from core.dialog.messages import Outgoing, t
from core.registration.models import Person
from core.registration.people import linked_person_id


def offices(ctx: Ctx) -> Offices:
    return offices_for(ctx.content)


def resident_name(ctx: Ctx) -> str | None:
    """The registered person's name (real-name booking needs no question then)."""
    person_id = linked_person_id(ctx.session, ctx.channel, ctx.user_id)
    person = ctx.session.get(Person, person_id) if person_id is not None else None
    return ctx.vault.decrypt(person.name_enc) if person is not None else None


def last_name_enc(ctx: Ctx) -> str | None:
    """The (encrypted) name this chat identity gave for its latest booking, if any."""
    key = svc.who_of(ctx.session, ctx.channel, ctx.user_id).key
    found = ctx.session.exec(
        select(Booking.name_enc).where(Booking.who == key).order_by(col(Booking.id).desc())
    ).first()
    return found


def refused(ctx: Ctx, problem: str) -> Outgoing:
    """A refusal in plain words; the limits name how many bookings are allowed."""
    rules = offices(ctx).rules
    return Outgoing(t(f"booking.refused.{problem}", max=rules.max_active))
