"""Scheduled work of 投诉建议: reminders before each deadline, escalation after it.

Both deadlines of a ticket (the first answer, then the handling deadline) get one reminder
to the responsible staff before they pass; once passed, the responsible staff and the
level above hear of it once per working day until the step is done. Every push is keyed
by ticket, deadline, recipient and (for escalation) day, so ticks may repeat or overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from core.complaints import clocks, routing
from core.complaints.models import ComplaintTicket
from core.complaints.notify import task_message
from core.complaints.rules import ComplaintRules, rules_for
from core.delivery.scheduler import Due, TickCtx, to_staff
from core.registration.workflow import Env
from core.storage.models import Conversation, OutboxMessage, Staff
from core.timeutil import local


def _pushes(
    ctx: TickCtx,
    ticket: ComplaintTicket,
    staff: Iterable[Staff],
    text_id: str,
    key: str,
    chats: dict[int, list[Conversation]],
) -> Iterator[Due]:
    message = task_message(Env(ctx.session, ctx.content, ctx.vault, ctx.now), ticket, text_id)
    return to_staff(ctx.session, staff, message, key, chats)


def _deadline(
    ctx: TickCtx, rules: ComplaintRules, ticket: ComplaintTicket
) -> tuple[str, datetime, datetime | None]:
    """Which clock runs now: its name, when it is due and when to remind."""
    if ticket.status in routing.AWAITING_ANSWER:
        since = ticket.reopened_at or ticket.received_at
        due = ticket.answer_due_at
        return "answer", due, clocks.first_answer_reminder(rules, since, due)
    assert ticket.due_at is not None and ticket.answered_at is not None
    since = ticket.extended_at or ticket.answered_at
    reminder = clocks.handling_reminder(ctx.content.worktime, rules, since, ticket.due_at)
    return "due", ticket.due_at, reminder


@dataclass
class ComplaintDeadlines:
    name: str = "complaint_deadlines"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        found = list(self._candidates(ctx))
        # A tick repeats every push key of an overdue ticket all day; the outbox would
        # ignore each one, but one lookup here saves an INSERT per key (bench/complaints.py).
        written = _existing(ctx, [d.key for d in found])
        return [d for d in found if d.key not in written]

    def _candidates(self, ctx: TickCtx) -> Iterator[Due]:
        rules = rules_for(ctx.content)
        tickets = ctx.session.exec(
            select(ComplaintTicket)
            .where(col(ComplaintTicket.status).in_(routing.OPEN))
            .order_by(col(ComplaintTicket.id))
        ).all()
        workday = ctx.content.worktime.is_workday(local(ctx.now).date())
        # Loaded once per tick, not per ticket: staff and their linked chats.
        pool = routing.active_staff(ctx.session) if tickets else []
        chats: dict[int, list[Conversation]] = {}
        for ticket in tickets:
            clock, due, remind = _deadline(ctx, rules, ticket)
            key = f"ts:{ticket.id}:{clock}:{due.timestamp():.0f}"
            areas = ctx.content.areas
            if due <= ctx.now and workday:
                told = {s.id: s for s in routing.responsible(ctx.session, areas, ticket, pool)}
                told.update({s.id: s for s in routing.above(ctx.session, areas, ticket, pool)})
                day = local(ctx.now).date().isoformat()
                text_id = f"complaints.push.overdue_{clock}"
                late = f"{key}:late:{day}"
                yield from _pushes(ctx, ticket, told.values(), text_id, late, chats)
            elif remind is not None and remind <= ctx.now < due:
                holders = routing.responsible(ctx.session, areas, ticket, pool)
                text_id = f"complaints.push.remind_{clock}"
                yield from _pushes(ctx, ticket, holders, text_id, f"{key}:remind", chats)


def _existing(ctx: TickCtx, keys: list[str], chunk: int = 500) -> set[str]:
    """The keys the outbox holds already (looked up in chunks: bound parameter limits)."""
    held: set[str] = set()
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        held.update(
            ctx.session.exec(
                select(OutboxMessage.idempotency_key).where(
                    col(OutboxMessage.idempotency_key).in_(part)
                )
            ).all()
        )
    return held
