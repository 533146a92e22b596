"""One registration as staff read it in chat: masked by default, with the actions allowed."""

from __future__ import annotations

from dataclasses import replace

from core.dialog.flow import Ctx
from core.dialog.messages import Option, Outgoing, Text, t
from core.people.personal import mask_name
from core.people.staff import StaffView
from core.registration import routing
from core.registration.cases import CaseView, EventLine
from core.registration.chat.forms import questions_of
from core.registration.display import value_text
from core.registration.models import Registration
from core.registration.notify import due_text, item_texts, joined, note_text, stacked, when
from core.registration.rules import rules_for
from core.registration.states import Status
from core.storage.models import Staff

LIST, FULL = "s:list", "s:full"
ACCEPT, RETURN, APPROVE, REJECT = "s:acc", "s:ret", "s:ok", "s:rej"
CONFIRM, CANCEL = "s:yes", "s:no"
# The decisions asked once more before they are taken (a return is confirmed by its note).
CONFIRMED = {ACCEPT: "accept", APPROVE: "approve", REJECT: "reject"}


def case_message(ctx: Ctx, view: CaseView) -> Outgoing:
    answers = replace(view.answers, personal=view.personal)
    lines: list[Text] = [
        t(
            "registration.summary.line",
            field=t(f"registration.field.{item.value}"),
            value=value_text(ctx.content.areas, answers, item),
        )
        for item in questions_of(view.kind)
    ]
    if view.pledge_signed_at is not None:
        lines.append(t("staff_tasks.pledge_signed", at=when(view.pledge_signed_at)))
    if view.returned_items:
        lines.append(t("staff_tasks.was_returned", items=joined(item_texts(view.returned_items))))
    lines += [
        t(
            "staff_tasks.related",
            ref=other.id,
            kind=t(f"registration.kind.{other.kind}"),
            state=t(f"registration.state.{other.status}"),
        )
        for other in view.related
    ]
    if view.events:
        lines.append(t("staff_tasks.history", lines=stacked([_event(ctx, e) for e in view.events])))
    head = t(
        "staff_tasks.case",
        ref=view.id,
        kind=t(f"registration.kind.{view.kind}"),
        state=t(f"registration.state.{view.status}"),
        submitted=when(view.submitted_at),
        due=due_text(ctx.content.worktime, view.due_at),
        levels=view.review_levels,
        details=stacked(lines),
    )
    if view.conflict:
        return Outgoing(t("staff_tasks.with_conflict", case=head))
    return Outgoing(head)


def _event(ctx: Ctx, event: EventLine) -> Text:
    """One earlier step: when, who (staff masked), what, and what they wrote."""
    detail: Text = t("registration.plain", text="")
    if event.items:
        detail = t("staff_tasks.event_items", items=joined(item_texts(event.items)))
    if event.note:
        detail = t("staff_tasks.event_note", before=detail, note=note_text(event.note))
    return t(
        "staff_tasks.event",
        at=when(event.at),
        who=_actor(ctx, event.actor),
        action=t(f"staff_tasks.event_action.{event.action}"),
        detail=detail,
    )


def _actor(ctx: Ctx, actor: str) -> Text:
    if actor.startswith("staff:") and actor[6:].isdigit():
        member = ctx.session.get(Staff, int(actor[6:]))
        if member is not None:
            return t(
                "staff_tasks.actor",
                role=t(f"staff.role.{member.role}"),
                name=mask_name(ctx.vault.decrypt(member.name_enc)),
            )
    return t(f"staff_tasks.actor_{'resident' if actor == 'resident' else 'system'}")


def confirm_message(ctx: Ctx, view: CaseView, action: str, reason: str = "") -> Outgoing:
    """The one-step confirmation of a decision, naming the case and what will happen."""
    what = CONFIRMED[action]
    if action == ACCEPT and view.review_levels == 1:
        what = "accept_final"  # one level: accepting registers the person at once
    text = t(
        f"staff_tasks.confirm.{what}",
        ref=view.id,
        kind=t(f"registration.kind.{view.kind}"),
        name=view.personal.name,
        reason=reason,
    )
    options = (
        Option(CONFIRM, t("staff_tasks.confirm.yes")),
        Option(CANCEL, t("staff_tasks.confirm.no")),
    )
    return Outgoing(text, options)


def unmasked_message(view: CaseView) -> Outgoing:
    p = view.personal
    return Outgoing(t("staff_tasks.full", name=p.name, id_number=p.id_number, phone=p.phone))


def case_options(ctx: Ctx, staff: StaffView, view: CaseView) -> tuple[Option, ...]:
    """Only the actions this staff member may take on this registration now."""
    reg = ctx.session.get(Registration, view.id)
    assert reg is not None
    areas, options = ctx.content.areas, []
    if routing.may_unmask(areas, rules_for(ctx.content), staff, reg):
        options.append(Option(FULL, t("staff_tasks.action.full")))
    if routing.may_act(areas, staff, reg):
        if reg.status == Status.SUBMITTED:
            accept = "accept" if reg.review_levels > 1 else "accept_final"
            options += [
                Option(ACCEPT, t(f"staff_tasks.action.{accept}")),
                Option(RETURN, t("staff_tasks.action.return")),
            ]
        else:
            options += [
                Option(APPROVE, t("staff_tasks.action.approve")),
                Option(RETURN, t("staff_tasks.action.return")),
            ]
        options.append(Option(REJECT, t("staff_tasks.action.reject")))
    options.append(Option(LIST, t("staff_tasks.back")))
    return tuple(options)
