"""The summary before submitting: every answer (ID and phone masked), change any by number,
then submit (失业登记: after the written pledge) or discard."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, Text, t
from core.registration import drafts, workflow
from core.registration.answers import Field
from core.registration.display import masked, value_text
from core.registration.drafts import Draft
from core.registration.models import Registration
from core.registration.notify import item_texts, joined, note_text
from core.registration.rules import Kind, rules_for
from core.registration.workflow import AlreadyOpen, Env, Submission

if TYPE_CHECKING:
    from core.registration.chat.form import FormFlow

EDIT, SUBMIT, DROP = "r:e:", "r:submit", "r:drop"
SIGN, REFUSE = "r:pl:y", "r:pl:n"


def prompt(flow: FormFlow, ctx: Ctx, state: State, draft: Draft) -> tuple[Outgoing, ...]:
    if state.step == "pledge":
        return (_pledge(ctx),)
    return (*_returned(ctx, draft), _summary(flow, ctx, draft))


def _summary(flow: FormFlow, ctx: Ctx, draft: Draft) -> Outgoing:
    shown = replace(draft.answers, personal=masked(draft.answers.personal))
    areas = ctx.content.areas
    options = [
        Option(
            EDIT + item.value,
            t(
                "registration.summary.line",
                field=t(f"registration.field.{item.value}"),
                value=value_text(areas, shown, item),
            ),
        )
        for item in flow.order
    ]
    options += [
        Option(SUBMIT, t("registration.summary.submit")),
        Option(DROP, t("registration.summary.drop")),
    ]
    kind = t(f"registration.kind.{flow.kind.value}")
    return Outgoing(t("registration.summary.title", kind=kind), tuple(options))


def _returned(ctx: Ctx, draft: Draft) -> tuple[Outgoing, ...]:
    """When correcting a returned registration: what staff asked to change."""
    if draft.registration_id is None:
        return ()
    reg = ctx.session.get(Registration, draft.registration_id)
    if reg is None:
        return ()
    items = joined(item_texts(reg.returned_items))
    note = note_text(reg.note)
    if not note:
        return (Outgoing(t("registration.summary.returned_bare", items=items)),)
    return (Outgoing(t("registration.summary.returned", items=items, note=note)),)


def _pledge(ctx: Ctx) -> Outgoing:
    rules = rules_for(ctx.content)
    body = t(rules.pledge_text, version=rules.pledge_version)
    options = (
        Option(SIGN, t("registration.pledge.sign")),
        Option(REFUSE, t("registration.pledge.refuse")),
    )
    return Outgoing(t("registration.pledge.frame", body=body), options)


def advance(flow: FormFlow, ctx: Ctx, state: State, draft: Draft, given: Input) -> Transition:
    choice = given.choice or ""
    if state.step == "pledge":
        return _pledge_answer(flow, ctx, draft, choice)
    if choice.startswith(EDIT) and choice[len(EDIT) :] in {f.value for f in flow.order}:
        return flow.go(ctx, choice[len(EDIT) :], {"edit": True})
    if choice == SUBMIT:
        return _check_then_submit(flow, ctx, draft)
    if choice == DROP:
        drafts.discard(ctx.session, ctx.channel, ctx.user_id)
        return Transition(IDLE, (Outgoing(t("registration.dropped")), menu_message(ctx)))
    return _again(flow, ctx, state, t("registration.summary.pick"))


def _again(flow: FormFlow, ctx: Ctx, state: State, said: Text) -> Transition:
    return Transition(state, (Outgoing(said), *flow.prompt(ctx, state)), remember=False)


def _check_then_submit(flow: FormFlow, ctx: Ctx, draft: Draft) -> Transition:
    answers = draft.answers
    missing = [item for item in flow.order if not answers.has(item)]
    if missing:
        moved = flow.go(ctx, missing[0].value, {})
        said = Outgoing(
            t("registration.summary.missing", field=t(f"registration.field.{missing[0].value}"))
        )
        return Transition(moved.state, (said, *moved.replies))
    ends = answers.contract_end
    if ends is not None and answers.start_date is not None and ends <= answers.start_date:
        moved = flow.go(ctx, Field.CONTRACT_END.value, {"edit": True})
        said = Outgoing(
            t("registration.error.date_end_before_start", start=answers.start_date.isoformat())
        )
        return Transition(moved.state, (said, *moved.replies))
    if flow.kind == Kind.UNEMPLOYED:
        return flow.go(ctx, "pledge", {})
    return _submit(ctx, draft, pledge=None)


def _pledge_answer(flow: FormFlow, ctx: Ctx, draft: Draft, choice: str) -> Transition:
    if choice == SIGN:
        return _submit(ctx, draft, pledge=rules_for(ctx.content).pledge_version)
    state = State(flow.name, "summary", {})
    if choice == REFUSE:
        return Transition(
            state, (Outgoing(t("registration.pledge.needed")), *flow.prompt(ctx, state))
        )
    pledge = State(flow.name, "pledge", {})
    return _again(flow, ctx, pledge, t("registration.pledge.pick"))


def _submit(ctx: Ctx, draft: Draft, *, pledge: str | None) -> Transition:
    """Writes the registration; the reply says what happens next (or why it cannot go)."""
    env = Env(ctx.session, ctx.content, ctx.vault, ctx.now)
    sub = Submission(
        kind=draft.kind,
        answers=draft.answers,
        channel=ctx.channel,
        external_id=ctx.user_id,
        privacy_version=draft.privacy_version,
        privacy_accepted_at=draft.privacy_accepted_at,
        pledge_version=pledge,
        registration_id=draft.registration_id,
    )
    try:
        reg = workflow.submit(env, sub)
    except AlreadyOpen:
        said = Outgoing(
            t("registration.already_open", kind=t(f"registration.kind.{draft.kind.value}"))
        )
        return Transition(IDLE, (said, menu_message(ctx)))
    drafts.discard(ctx.session, ctx.channel, ctx.user_id)
    return Transition(IDLE, (workflow.resident_notice(env, reg), menu_message(ctx)))
