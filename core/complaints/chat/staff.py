"""投诉建议's part of 待办 (staff): its open tickets, and the handling of one.

```mermaid
stateDiagram-v2
    [*] --> case: opened from 待办 (core.dialog.tasks)
    case --> answer: 先行回复 (received / reopened)
    answer --> due: the handling deadline (≤ max working days)
    due --> tasks: answer and deadline sent to the resident
    case --> reason: 延期 (once)
    reason --> new_due
    new_due --> tasks: reason and new date sent to the resident
    case --> note: 内部备注
    note --> case
    case --> result: 办结
    result --> finding: complaint: 查实 / 部分查实 / 不属实
    finding --> about: no staff member named: whom it concerns
    finding --> tasks: closed, result sent, the resident asked to rate
    about --> tasks
    result --> tasks: suggestion: closed
```
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import col, select

from core.complaints import clocks, handling, routing
from core.complaints.cases import TicketView, open_ticket, pending
from core.complaints.chat.texts import service_name
from core.complaints.notify import label
from core.complaints.rules import FINDINGS, rules_for
from core.complaints.tickets import COMPLAINT
from core.dialog import tasks
from core.dialog.flow import Ctx, Input, State, TaskItem, Transition
from core.dialog.messages import Option, Outgoing, Text, t
from core.people.personal import mask_name
from core.people.staff import StaffView
from core.registration.notify import area_name, short_area, when
from core.registration.routing import inside
from core.registration.validation import Invalid, parse_date
from core.registration.workflow import Env
from core.storage.models import Staff
from core.timeutil import local

LIST = "c:l"
ANSWER, EXTEND, NOTE, CLOSE = "c:a", "c:x", "c:n", "c:d"
DUE = "c:due:"
NOBODY = "c:fs:none"
SHOWN_NOTES = 5


class Step(StrEnum):
    CASE = "case"
    ANSWER = "answer"
    DUE = "due"
    REASON = "reason"
    NEW_DUE = "new_due"
    NOTE = "note"
    RESULT = "result"
    FINDING = "finding"
    ABOUT = "about"


def _env(ctx: Ctx) -> Env:
    return Env(ctx.session, ctx.content, ctx.vault, ctx.now)


def complaint_tasks(ctx: Ctx, staff: StaffView) -> list[TaskItem]:
    """The open tickets this member may handle (one query); the resident is not named."""
    return [
        TaskItem(
            ref=str(ticket.id), label=label(ticket), due_at=ticket.due_at or ticket.answer_due_at
        )
        for ticket in pending(_env(ctx), staff)
    ]


# What a step reads from the state besides the ticket (written by the step before it).
_NEEDS: dict[Step, frozenset[str]] = {
    Step.DUE: frozenset({"said"}),
    Step.NEW_DUE: frozenset({"said"}),
    Step.FINDING: frozenset({"said"}),
    Step.ABOUT: frozenset({"said", "finding"}),
}


class CaseFlow:
    """One ticket opened from 待办."""

    name = "complaint_case"
    steps = frozenset(Step)
    # What staff write to the resident or the file.
    free_text = frozenset({Step.ANSWER, Step.REASON, Step.NOTE, Step.RESULT})
    parent = tasks.NAME

    def start(self, ctx: Ctx, arg: str) -> Transition:
        if ctx.staff is None or not arg.isdigit():
            return tasks.listing(ctx)
        return self._go(ctx, Step.CASE, {"ticket": int(arg)})

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        staff = ctx.staff
        if staff is None:
            return tasks.listing(ctx)
        if given.choice == LIST:
            return tasks.listing(ctx)
        try:
            return self._step(ctx, staff, state, given)
        except handling.HandlingError as exc:
            if exc.problem.startswith("date_"):
                return self._again(ctx, state, f"complaints.staff.error.{exc.problem}")
            return tasks.listing(ctx, (Outgoing(t(f"complaints.staff.error.{exc.problem}")),))

    def _step(self, ctx: Ctx, staff: StaffView, state: State, given: Input) -> Transition:
        data = dict(state.data)
        if "ticket" not in data:
            return tasks.listing(ctx)
        ticket_id = int(data["ticket"])
        if not _NEEDS.get(Step(state.step or Step.CASE), frozenset()) <= data.keys():
            return self._go(ctx, Step.CASE, {"ticket": ticket_id})  # what the step needs is gone
        env, choice, text = _env(ctx), given.choice or "", given.text.strip()
        if state.step == Step.CASE:
            return self._case(ctx, state, data, choice)
        if state.step in (Step.ANSWER, Step.REASON, Step.RESULT, Step.NOTE) and not text:
            return self._again(ctx, state, "complaints.staff.error.text_empty")
        if state.step == Step.ANSWER:
            return self._go(ctx, Step.DUE, {**data, "said": ctx.vault.encrypt(text)})
        if state.step == Step.REASON:
            return self._go(ctx, Step.NEW_DUE, {**data, "said": ctx.vault.encrypt(text)})
        if state.step == Step.NOTE:
            handling.add_note(env, staff, ticket_id, text, channel=ctx.channel)
            return self._go(
                ctx, Step.CASE, {"ticket": ticket_id}, Outgoing(t("complaints.staff.noted"))
            )
        if state.step in (Step.DUE, Step.NEW_DUE):
            return self._dated(ctx, staff, state, data, given)
        if state.step == Step.RESULT:
            return self._result(ctx, staff, data, text)
        if state.step == Step.FINDING:
            return self._finding(ctx, staff, state, data, choice)
        return self._about(ctx, staff, state, data, choice)

    def _case(self, ctx: Ctx, state: State, data: dict[str, Any], choice: str) -> Transition:
        nxt = {ANSWER: Step.ANSWER, EXTEND: Step.REASON, NOTE: Step.NOTE, CLOSE: Step.RESULT}
        if choice in nxt and choice in [o.id for o in self._actions(ctx, state)]:
            return self._go(ctx, nxt[choice], data)
        return self._again(ctx, state)

    def _dated(
        self, ctx: Ctx, staff: StaffView, state: State, data: dict[str, Any], given: Input
    ) -> Transition:
        choice = given.choice or ""
        try:
            day = (
                date.fromisoformat(choice[len(DUE) :])
                if choice.startswith(DUE)
                else parse_date(given.text)
            )
        except (Invalid, ValueError):
            return self._again(ctx, state, "complaints.staff.error.date_format")
        env, said = _env(ctx), ctx.vault.decrypt(data["said"])
        ticket_id = int(data["ticket"])
        if state.step == Step.DUE:
            ticket = handling.answer(env, staff, ticket_id, said, day, channel=ctx.channel)
            return self._done(ctx, ticket.number, "complaints.staff.answered")
        ticket = handling.extend(env, staff, ticket_id, said, day, channel=ctx.channel)
        return self._done(ctx, ticket.number, "complaints.staff.extended")

    def _result(self, ctx: Ctx, staff: StaffView, data: dict[str, Any], text: str) -> Transition:
        view = open_ticket(_env(ctx), staff, int(data["ticket"]))
        data = {**data, "said": ctx.vault.encrypt(text)}
        if view.kind == COMPLAINT:
            return self._go(ctx, Step.FINDING, data)
        return self._close(ctx, staff, data)

    def _finding(
        self, ctx: Ctx, staff: StaffView, state: State, data: dict[str, Any], choice: str
    ) -> Transition:
        finding = choice.removeprefix("c:f:")
        if finding not in FINDINGS:
            return self._again(ctx, state)
        data = {**data, "finding": finding}
        view = open_ticket(_env(ctx), staff, int(data["ticket"]))
        if view.staff_id is None and finding != "unfounded":
            return self._go(ctx, Step.ABOUT, data)
        return self._close(ctx, staff, data)

    def _about(
        self, ctx: Ctx, staff: StaffView, state: State, data: dict[str, Any], choice: str
    ) -> Transition:
        offered = {o.id for o in _colleagues(ctx, staff)}
        if choice != NOBODY and choice not in offered:
            return self._again(ctx, state)
        about = None if choice == NOBODY else int(choice.removeprefix("c:fs:"))
        return self._close(ctx, staff, {**data, "about": about})

    def _close(self, ctx: Ctx, staff: StaffView, data: dict[str, Any]) -> Transition:
        env, ticket_id = _env(ctx), int(data["ticket"])
        if data.get("finding"):
            handling.mark(
                env, staff, ticket_id, data["finding"], data.get("about"), channel=ctx.channel
            )
        ticket = handling.close(
            env, staff, ticket_id, ctx.vault.decrypt(data["said"]), channel=ctx.channel
        )
        return self._done(ctx, ticket.number, "complaints.staff.closed")

    # Prompts -------------------------------------------------------------------------

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        staff = ctx.staff
        if staff is None:
            return tasks.listing(ctx).replies
        try:
            return self._ask(ctx, staff, state)
        except handling.HandlingError as exc:
            said = (Outgoing(t(f"complaints.staff.error.{exc.problem}")),)
            return tasks.listing(ctx, said).replies

    def _ask(self, ctx: Ctx, staff: StaffView, state: State) -> tuple[Outgoing, ...]:
        back = (Option(LIST, t("complaints.staff.back")),)
        view = open_ticket(_env(ctx), staff, int(state.data.get("ticket", 0)))
        if not _NEEDS.get(Step(state.step or Step.CASE), frozenset()) <= state.data.keys():
            state = State(self.name, Step.CASE, {"ticket": view.id})
        if state.step == Step.CASE:
            pick = Outgoing(t("complaints.staff.pick"), self._actions(ctx, state))
            return (case_message(ctx, view), pick)
        if state.step in (Step.DUE, Step.NEW_DUE):
            return (
                Outgoing(
                    t(f"complaints.staff.ask.{state.step}"), (*_dates(ctx, view, state.step), *back)
                ),
            )
        if state.step == Step.FINDING:
            options = tuple(Option(f"c:f:{f}", t(f"complaints.finding.{f}")) for f in FINDINGS)
            return (Outgoing(t("complaints.staff.ask.finding"), options),)
        if state.step == Step.ABOUT:
            nobody = Option(NOBODY, t("complaints.staff.nobody"))
            return (Outgoing(t("complaints.staff.ask.about"), (*_colleagues(ctx, staff), nobody)),)
        return (Outgoing(t(f"complaints.staff.ask.{state.step}"), back),)

    def _actions(self, ctx: Ctx, state: State) -> tuple[Option, ...]:
        staff = ctx.staff
        assert staff is not None
        view = open_ticket(_env(ctx), staff, int(state.data.get("ticket", 0)))
        found: list[Option] = []
        if view.status in routing.AWAITING_ANSWER:
            found.append(Option(ANSWER, t("complaints.staff.action.answer")))
        if view.status == routing.ANSWERED:
            if view.extended_at is None:
                found.append(Option(EXTEND, t("complaints.staff.action.extend")))
            found.append(Option(CLOSE, t("complaints.staff.action.close")))
        found.append(Option(NOTE, t("complaints.staff.action.note")))
        found.append(Option(LIST, t("complaints.staff.back")))
        return tuple(found)

    def _go(self, ctx: Ctx, step: Step, data: dict[str, Any], *said: Outgoing) -> Transition:
        state = State(self.name, step, data)
        return Transition(state, (*said, *self.prompt(ctx, state)))

    def _done(self, ctx: Ctx, number: str, text_id: str) -> Transition:
        return tasks.listing(ctx, (Outgoing(t(text_id, number=number)),))

    def _again(
        self, ctx: Ctx, state: State, text_id: str = "complaints.staff.pick_again"
    ) -> Transition:
        return Transition(state, (Outgoing(t(text_id)), *self.prompt(ctx, state)), remember=False)


def _dates(ctx: Ctx, view: TicketView, step: str) -> tuple[Option, ...]:
    """Deadlines offered as buttons: a few working-day counts within the maximum."""
    rules, worktime = rules_for(ctx.content), ctx.content.worktime
    if step == Step.DUE:
        start, most = ctx.now, rules.max_handling_days
    elif view.due_at is not None:
        start, most = view.due_at, rules.max_extension_days
    else:
        return ()  # not answered yet: nothing to extend (the step says so when tried)
    counts = sorted({n for n in (5, 10, most) if n <= most})
    options = []
    for days in counts:
        day = local(clocks.due_after(worktime, start, days)).date()
        options.append(
            Option(
                f"{DUE}{day.isoformat()}",
                t("complaints.staff.due_option", days=days, date=day.isoformat()),
            )
        )
    return tuple(options)


def _colleagues(ctx: Ctx, staff: StaffView) -> tuple[Option, ...]:
    """Staff inside this member's area a finding may concern (not the member), masked."""
    rows = ctx.session.exec(
        select(Staff).where(col(Staff.active).is_(True)).order_by(col(Staff.id))
    ).all()
    areas = ctx.content.areas
    return tuple(
        Option(
            f"c:fs:{m.id}",
            t(
                "complaints.who.option_named",
                name=mask_name(ctx.vault.decrypt(m.name_enc)),
                area=short_area(areas, m.area_code),
            ),
        )
        for m in rows
        if m.id != staff.id and inside(areas, staff.area_code, m.area_code)
    )[:10]


def case_message(ctx: Ctx, view: TicketView) -> Outgoing:
    areas = ctx.content.areas
    notes: list[Text] = [
        t(
            "complaints.staff.event",
            at=when(e.at),
            action=t(f"complaints.action.{e.action}"),
            note=e.note or "-",
        )
        for e in view.events
        if e.note
    ][-SHOWN_NOTES:]
    contact: Text | str = t(f"complaints.contact.{view.contact}")
    if view.phone:
        contact = t("complaints.summary.phone", phone=view.phone)
    return Outgoing(
        t(
            "complaints.staff.case",
            number=view.number,
            kind=t(f"complaints.kind.{view.kind}"),
            category=t(f"complaints.category.{view.category}"),
            state=t(f"complaints.state.{view.status}"),
            office=area_name(areas, view.area_code),
            service=service_name(ctx, view.service),
            staff=view.staff_name or "-",
            text=view.text,
            photos=len(view.photos),
            contact=contact,
            received=when(view.received_at),
            answer_due=when(view.answer_due_at),
            due=when(view.due_at),
            notes=tuple(notes) if notes else "-",
        )
    )
