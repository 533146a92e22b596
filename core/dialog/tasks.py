"""待办 (staff): one list across features, oldest deadline first.

Each feature with staff work contributes a ``TaskSource`` (see ``core.features``): one
query for all of its items, and the flow that opens one. Picking an item starts that
flow with the item's reference; the feature's flow comes back here with ``listing``.
"""

from __future__ import annotations

from datetime import datetime

from core.dialog.flow import IDLE, Ctx, Input, State, TaskItem, TaskSource, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t

NAME = "staff_tasks"
LIST = "list"
OPEN = "s:o:"  # s:o:<feature>:<ref>
_LAST = datetime.max


def _ordered(ctx: Ctx) -> list[tuple[TaskSource, TaskItem]]:
    staff = ctx.staff
    if staff is None:
        return []
    found = [(source, item) for source in ctx.parts.tasks for item in source.items(ctx, staff)]
    # Oldest deadline first; items without one last, then by feature and reference.
    found.sort(
        key=lambda pair: (
            pair[1].due_at.replace(tzinfo=None) if pair[1].due_at else _LAST,
            pair[0].feature,
            pair[1].ref,
        )
    )
    return found


def listing(ctx: Ctx, said: tuple[Outgoing, ...] = ()) -> Transition:
    """The whole 待办 list after ``said``; back at the menu when nothing is left."""
    if ctx.staff is None:
        return Transition(IDLE, (*said, Outgoing(t("tasks.not_staff")), menu_message(ctx)))
    shown = _listing(ctx)
    if shown is None:
        return Transition(IDLE, (*said, Outgoing(t("tasks.empty")), menu_message(ctx)))
    return Transition(State(NAME, LIST, {}), (*said, shown))


def _listing(ctx: Ctx) -> Outgoing | None:
    items = _ordered(ctx)
    if not items:
        return None
    options = tuple(
        Option(
            f"{OPEN}{source.feature}:{item.ref}",
            t("tasks.line", feature=t(f"tasks.feature.{source.feature}"), item=item.label),
        )
        for source, item in items
    )
    return Outgoing(t("tasks.list", count=len(items)), options)


class TasksFlow:
    name = NAME
    steps = frozenset({LIST})

    def start(self, ctx: Ctx, arg: str) -> Transition:
        return listing(ctx)

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        choice = given.choice or ""
        if ctx.staff is None or not choice.startswith(OPEN):
            return listing(ctx, (Outgoing(t("tasks.pick_again")),) if ctx.staff else ())
        feature, _, ref = choice[len(OPEN) :].partition(":")
        source = next((s for s in ctx.parts.tasks if s.feature == feature), None)
        flow = ctx.parts.flows.get(source.flow) if source else None
        if flow is None or not ref:
            return listing(ctx, (Outgoing(t("tasks.pick_again")),))
        return flow.start(ctx, ref)

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        return listing(ctx).replies
