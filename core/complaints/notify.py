"""Pushes about a ticket: notices to the resident, tasks to staff (all through the outbox).

Staff pushes name the ticket, never the resident who filed it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import select

from core.complaints.models import ComplaintTicket
from core.delivery.outbox import enqueue_to_identities, staff_identities
from core.dialog.messages import Outgoing, Text, t
from core.registration.notify import short_area, when
from core.registration.workflow import Env
from core.storage.models import Conversation, Staff


def label(ticket: ComplaintTicket) -> Text:
    """The ticket as staff read it in lists and pushes."""
    return t(
        "complaints.staff.line",
        number=ticket.number,
        kind=t(f"complaints.kind.{ticket.kind}"),
        category=t(f"complaints.category.{ticket.category}"),
        due=when(ticket.due_at or ticket.answer_due_at),
    )


def staff(env: Env, ticket: ComplaintTicket, members: Iterable[Staff], what: str) -> int:
    """One push per member's linked chats; ``what`` names the push and keys it once."""
    message = task_message(env, ticket, f"complaints.push.{what}")
    written = 0
    for member in members:
        assert member.id is not None
        written += enqueue_to_identities(
            env.session,
            key=f"ts:{ticket.id}:{what}:{env.now.timestamp():.0f}:staff:{member.id}",
            identities=staff_identities(env.session, member.id),
            kind="task",
            messages=(message,),
        )
    return written


def task_message(env: Env, ticket: ComplaintTicket, text_id: str) -> Outgoing:
    return Outgoing(
        t(
            text_id,
            number=ticket.number,
            kind=t(f"complaints.kind.{ticket.kind}"),
            category=t(f"complaints.category.{ticket.category}"),
            area=short_area(env.content.areas, ticket.area_code),
            due=when(ticket.due_at or ticket.answer_due_at),
        )
    )


def resident(env: Env, ticket: ComplaintTicket, what: str, message: Outgoing) -> int:
    """The notice goes to the chat identity that filed (none for an anonymous suggestion)."""
    if ticket.channel is None or ticket.external_id is None:
        return 0
    identities = env.session.exec(
        select(Conversation)
        .where(Conversation.channel == ticket.channel)
        .where(Conversation.external_id == ticket.external_id)
    ).all()
    return enqueue_to_identities(
        env.session,
        key=f"ts:{ticket.id}:{what}:{env.now.timestamp():.0f}:resident",
        identities=identities,
        kind="complaint",
        messages=(message,),
    )
