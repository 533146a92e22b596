"""Registration's part of 待办 (staff): its pending items, and the review of one.

```mermaid
stateDiagram-v2
    [*] --> case: opened from 待办 (core.dialog.tasks)
    case --> case: view unmasked (if role and area allow; audited)
    case --> confirm: accept / approve
    confirm --> tasks: confirmed (done)
    confirm --> case: not now
    case --> items: return for correction
    items --> items: tick items (numbers, several at once)
    items --> note: done ticking
    note --> tasks: returned, every item in one message
    case --> reason: reject
    reason --> confirm: the reason written
```
"""

from __future__ import annotations

from enum import StrEnum

from core.dialog import tasks
from core.dialog.flow import Ctx, Input, State, TaskItem, Transition
from core.dialog.messages import Option, Outgoing, Text, t
from core.people.staff import StaffView
from core.registration import review
from core.registration.cases import CaseLine, open_case, pending
from core.registration.chat.case_view import (
    ACCEPT,
    APPROVE,
    CANCEL,
    CONFIRM,
    FULL,
    LIST,
    REJECT,
    RETURN,
    case_message,
    case_options,
    confirm_message,
    unmasked_message,
)
from core.registration.chat.return_items import ITEM, ItemPicker
from core.registration.notify import short_area, when
from core.registration.review import OTHER_ITEM, ReviewError
from core.registration.workflow import Env

SKIP = "s:skip"


class Step(StrEnum):
    CASE = "case"
    ITEMS = "items"
    NOTE = "note"
    REASON = "reason"
    CONFIRM = "confirm"


def _env(ctx: Ctx) -> Env:
    return Env(ctx.session, ctx.content, ctx.vault, ctx.now)


def _line(ctx: Ctx, line: CaseLine) -> Text:
    """One pending item, masked; conflicts and overdue items are flagged."""
    params = {
        "ref": line.id,
        "kind": t(f"registration.kind.{line.kind}"),
        "name": line.name,
        "id_number": line.id_number,
        "area": short_area(ctx.content.areas, line.area_code),
        "due": when(line.due_at),
    }
    flag = "conflict" if line.conflict else "overdue" if line.overdue else None
    if flag is None:
        return t("staff_tasks.line", **params)
    return t("staff_tasks.line_flagged", flag=t(f"staff_tasks.flag.{flag}"), **params)


def registration_tasks(ctx: Ctx, staff: StaffView) -> list[TaskItem]:
    """The registrations waiting for this staff member (one query), masked."""
    return [
        TaskItem(ref=str(line.id), label=_line(ctx, line), due_at=line.due_at)
        for line in pending(_env(ctx), staff)
    ]


class ReviewFlow:
    """One registration opened from 待办: view, accept, return, approve or reject."""

    name = "registration_review"
    steps = frozenset(Step)
    free_text = frozenset({Step.NOTE, Step.REASON})  # what staff write to the resident
    parent = tasks.NAME  # 返回 at the first step goes back to the 待办 list

    def start(self, ctx: Ctx, arg: str) -> Transition:
        if ctx.staff is None or not arg.isdigit():
            return tasks.listing(ctx)
        state = State(self.name, Step.CASE, {"reg": int(arg)})
        try:
            return Transition(state, self._ask(ctx, ctx.staff, state, int(arg)))
        except ReviewError as exc:
            return tasks.listing(ctx, (Outgoing(t(f"staff_tasks.error.{exc.problem}")),))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        staff = ctx.staff
        if staff is None:
            return tasks.listing(ctx)
        choice = given.choice or ""
        try:
            return self._step(ctx, staff, state, given, choice)
        except ReviewError as exc:
            return tasks.listing(ctx, (Outgoing(t(f"staff_tasks.error.{exc.problem}")),))

    def _step(
        self, ctx: Ctx, staff: StaffView, state: State, given: Input, choice: str
    ) -> Transition:
        if choice == LIST:
            return tasks.listing(ctx)
        reg_id = int(state.data.get("reg", 0))
        if state.step == Step.CASE:
            return self._case(ctx, staff, state, reg_id, choice)
        if state.step == Step.ITEMS:
            return self._items(ctx, state, given)
        if state.step == Step.NOTE:
            return self._note(ctx, staff, state, given)
        if state.step == Step.REASON and len(" ".join(given.text.split())) > review.MAX_REASON:
            return self._again(ctx, state, "staff_tasks.error.too_long")
        if state.step == Step.REASON and given.text.strip():
            return self._go(ctx, Step.CONFIRM, {"reg": reg_id, "do": REJECT, "reason": given.text})
        if state.step == Step.CONFIRM:
            return self._confirm(ctx, staff, state, reg_id, choice)
        if state.step == Step.REASON:
            return self._again(ctx, state, "staff_tasks.error.reason")
        return self._again(ctx, state)

    def _case(
        self, ctx: Ctx, staff: StaffView, state: State, reg_id: int, choice: str
    ) -> Transition:
        env = _env(ctx)
        if choice == FULL:
            view = open_case(env, staff, reg_id, unmasked=True, channel=ctx.channel)
            actions = self.prompt(ctx, state)[-1:]  # the full details, then the actions again
            return Transition(state, (unmasked_message(view), *actions), remember=False)
        if choice in (ACCEPT, APPROVE):
            return self._go(ctx, Step.CONFIRM, {"reg": reg_id, "do": choice})
        if choice == RETURN:
            return self._go(ctx, Step.ITEMS, {"reg": reg_id, "items": []})
        if choice == REJECT:
            return self._go(ctx, Step.REASON, {"reg": reg_id})
        return self._again(ctx, state)

    def _confirm(
        self, ctx: Ctx, staff: StaffView, state: State, reg_id: int, choice: str
    ) -> Transition:
        """The decision asked once more: confirmed, it is taken; otherwise back to the case."""
        if choice == CANCEL:
            return self._go(ctx, Step.CASE, {"reg": reg_id})
        if choice != CONFIRM:
            return self._again(ctx, state)
        env, action = _env(ctx), state.data.get("do")
        if action == ACCEPT:
            reg = review.accept(env, staff, reg_id, channel=ctx.channel)
        elif action == APPROVE:
            reg = review.approve(env, staff, reg_id, channel=ctx.channel)
        else:
            reason = str(state.data.get("reason", ""))
            reg = review.reject(env, staff, reg_id, reason, channel=ctx.channel)
        return self._done(ctx, reg.id, reg.status)

    def _items(self, ctx: Ctx, state: State, given: Input) -> Transition:
        picker = ItemPicker.of(ctx, state)
        if given.choice == ITEM + "done":
            if not picker.chosen:
                return self._again(ctx, state, "staff_tasks.items_none")
            return self._go(ctx, Step.NOTE, {**state.data})
        chosen = picker.toggle(given)
        if chosen is None:
            return self._again(ctx, state)
        nxt = State(self.name, Step.ITEMS, {**state.data, "items": chosen})
        return Transition(nxt, self.prompt(ctx, nxt), remember=False)

    def _note(self, ctx: Ctx, staff: StaffView, state: State, given: Input) -> Transition:
        note = "" if given.choice == SKIP else given.text
        items = list(state.data.get("items", []))
        if OTHER_ITEM in items and not note.strip():
            return self._again(ctx, state, "staff_tasks.error.note")
        reg = review.return_for_correction(
            _env(ctx), staff, int(state.data["reg"]), items, note, channel=ctx.channel
        )
        return self._done(ctx, reg.id, reg.status)

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        staff = ctx.staff
        if staff is None:
            return tasks.listing(ctx).replies
        reg_id = int(state.data.get("reg", 0))
        try:
            return self._ask(ctx, staff, state, reg_id)
        except ReviewError as exc:
            return tasks.listing(ctx, (Outgoing(t(f"staff_tasks.error.{exc.problem}")),)).replies

    def _ask(self, ctx: Ctx, staff: StaffView, state: State, reg_id: int) -> tuple[Outgoing, ...]:
        if state.step == Step.CASE:
            view = open_case(_env(ctx), staff, reg_id)
            return (
                case_message(ctx, view),
                Outgoing(t("staff_tasks.pick"), case_options(ctx, staff, view)),
            )
        if state.step == Step.ITEMS:
            return (ItemPicker.of(ctx, state).message(),)
        if state.step == Step.NOTE:
            other = "other" in state.data.get("items", [])
            skip = () if other else (Option(SKIP, t("staff_tasks.note_skip")),)
            return (
                Outgoing(t("staff_tasks.note_ask"), (*skip, Option(LIST, t("staff_tasks.back")))),
            )
        if state.step == Step.REASON:
            return (Outgoing(t("staff_tasks.reason_ask"), (Option(LIST, t("staff_tasks.back")),)),)
        view = open_case(_env(ctx), staff, reg_id)  # Step.CONFIRM
        action, reason = str(state.data.get("do")), str(state.data.get("reason", ""))
        return (confirm_message(ctx, view, action, reason),)

    def _go(self, ctx: Ctx, step: Step, data: dict[str, object]) -> Transition:
        state = State(self.name, step, data)
        return Transition(state, self.prompt(ctx, state))

    def _done(self, ctx: Ctx, reg_id: int | None, status: str) -> Transition:
        said = Outgoing(t("staff_tasks.done", ref=reg_id, state=t(f"registration.state.{status}")))
        return tasks.listing(ctx, (said,))

    def _again(self, ctx: Ctx, state: State, text_id: str = "staff_tasks.pick_again") -> Transition:
        return Transition(state, (Outgoing(t(text_id)), *self.prompt(ctx, state)), remember=False)
