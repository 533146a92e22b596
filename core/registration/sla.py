"""Scheduled work of registration: deadline reminders, escalation of overdue steps, and
deleting drafts past their retention. Everything is derived from the rows, and every push
is keyed by what, whom and which period, so ticks may repeat or overlap freely."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlmodel import col, select

from core.delivery.scheduler import Due, TickCtx, to_staff
from core.registration import drafts, routing
from core.registration.models import Registration
from core.registration.notify import task_message
from core.registration.rules import rules_for
from core.registration.states import WAITING_FOR_STAFF
from core.storage.models import Staff
from core.timeutil import local


def _waiting(ctx: TickCtx, column: object) -> Sequence[Registration]:
    return ctx.session.exec(
        select(Registration)
        .where(col(Registration.status).in_([s.value for s in WAITING_FOR_STAFF]))
        .where(col(column) <= ctx.now)  # type: ignore[arg-type]
        .order_by(col(Registration.id))
    ).all()


def _pushes(
    ctx: TickCtx, reg: Registration, staff: Iterable[Staff], text_id: str, key: str
) -> Iterator[Due]:
    message = task_message(ctx.vault, ctx.content.areas, ctx.content.worktime, reg, text_id)
    return to_staff(ctx.session, staff, message, key)


def _step_key(reg: Registration, what: str) -> str:
    return f"reg:{reg.id}:{what}:{reg.status}:{reg.step_started_at.timestamp():.0f}"


@dataclass
class RegistrationDeadlines:
    """Before a deadline: one reminder to the holders of the step. After it: a notice to the
    holders and to the level above (the street), once per working day until handled."""

    name: str = "registration_deadlines"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        yield from self._reminders(ctx)
        yield from self._overdue(ctx)

    def _reminders(self, ctx: TickCtx) -> Iterator[Due]:
        for reg in _waiting(ctx, Registration.remind_at):
            if reg.due_at is not None and reg.due_at <= ctx.now:
                continue  # past due: the overdue notice says it
            holders = routing.responsible(ctx.session, ctx.content.areas, reg)
            yield from _pushes(
                ctx, reg, holders, "staff_tasks.push.reminder", _step_key(reg, "remind")
            )

    def _overdue(self, ctx: TickCtx) -> Iterator[Due]:
        today = local(ctx.now).date()
        if not ctx.content.worktime.is_workday(today):
            return
        for reg in _waiting(ctx, Registration.due_at):
            areas = ctx.content.areas
            told = {s.id: s for s in routing.responsible(ctx.session, areas, reg)}
            told.update({s.id: s for s in routing.escalation(ctx.session, areas, reg)})
            key = f"{_step_key(reg, 'overdue')}:{today.isoformat()}"
            yield from _pushes(ctx, reg, told.values(), "staff_tasks.push.overdue", key)


@dataclass
class DraftRetention:
    """Deletes half-finished registrations nobody touched for the retention period."""

    name: str = "registration_drafts"

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        drafts.purge_older_than(ctx.session, ctx.now, rules_for(ctx.content).draft_retention_days)
        return ()
