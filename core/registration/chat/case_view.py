"""One registration as staff read it in chat: masked by default, with the actions allowed."""

from __future__ import annotations

from dataclasses import replace

from core.dialog.flow import Ctx
from core.dialog.messages import Option, Outgoing, Text, t
from core.people.staff import StaffView
from core.registration import routing
from core.registration.cases import CaseView
from core.registration.chat.forms import questions_of
from core.registration.display import value_text
from core.registration.models import Registration
from core.registration.notify import item_texts, joined, stacked, when
from core.registration.rules import rules_for
from core.registration.states import Status

LIST, FULL = "s:list", "s:full"
ACCEPT, RETURN, APPROVE, REJECT = "s:acc", "s:ret", "s:ok", "s:rej"


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
    head = t(
        "staff_tasks.case",
        ref=view.id,
        kind=t(f"registration.kind.{view.kind}"),
        state=t(f"registration.state.{view.status}"),
        submitted=when(view.submitted_at),
        due=when(view.due_at),
        levels=view.review_levels,
        details=stacked(lines),
    )
    if view.conflict:
        return Outgoing(t("staff_tasks.with_conflict", case=head))
    return Outgoing(head)


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
            options.append(Option(APPROVE, t("staff_tasks.action.approve")))
        options.append(Option(REJECT, t("staff_tasks.action.reject")))
    options.append(Option(LIST, t("staff_tasks.back")))
    return tuple(options)
