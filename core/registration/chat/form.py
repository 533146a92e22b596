"""The shape every registration form shares: privacy notice, questions in order, summary.

A kind's flow lists its questions; this class walks them. Answers live in the draft row
(personal values encrypted), so the conversation state only says where the resident is
and what a question has on screen. A wrong answer re-asks the same question and keeps
everything else; an edit from the summary comes back to the summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t
from core.registration import drafts
from core.registration.answers import Answers, Field
from core.registration.chat import reuse, summary
from core.registration.chat.questions import QUESTIONS, TextQuestion
from core.registration.chat.steps import Asking, Outcome, said_yes
from core.registration.notify import joined
from core.registration.rules import Kind, rules_for

PRIVACY, SUMMARY, PLEDGE = "privacy", "summary", "pledge"
AGREE, DECLINE = "r:pv:y", "r:pv:n"


class FormFlow:
    """Base of the three registration flows; subclasses set ``name``, ``kind``, ``order``."""

    name: str
    kind: Kind
    order: tuple[Field, ...]

    @property
    def steps(self) -> frozenset[str]:
        return frozenset({PRIVACY, SUMMARY, PLEDGE, reuse.STEP, *(i.value for i in self.order)})

    @property
    def free_text(self) -> frozenset[str]:
        """Questions any text answers (an employer's name, skills)."""
        return frozenset(i.value for i in self.order if isinstance(QUESTIONS[i], TextQuestion))

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Shows the privacy notice; nothing is stored until it is accepted."""
        state = State(self.name, PRIVACY, {})
        return Transition(state, self.prompt(ctx, state))

    def cancelled(self, state: State) -> str | None:
        """取消 leaves the form but keeps the draft; before the notice nothing is kept."""
        return None if state.step == PRIVACY else "registration.paused"

    def resume(self, ctx: Ctx, step: str) -> Transition:
        """Back at ``step``; at the question left open, with what it had on screen."""
        draft = drafts.load(ctx.session, ctx.vault, ctx.channel, ctx.user_id)
        asking = draft.asking if draft is not None and draft.step == step else {}
        state = State(self.name, step, asking)
        return Transition(state, self.prompt(ctx, state), remember=False)

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        if state.step == PRIVACY:
            return self._privacy(ctx, given)
        draft = drafts.load(ctx.session, ctx.vault, ctx.channel, ctx.user_id)
        if draft is None or draft.kind != self.kind:
            return Transition(IDLE, (Outgoing(t("registration.draft_gone")), menu_message(ctx)))
        if state.step in (SUMMARY, PLEDGE):
            return summary.advance(self, ctx, state, draft, given)
        if state.step == reuse.STEP:
            return self._reuse(ctx, state, given)
        item = Field(state.step or "")
        q = Asking(ctx, self.kind, draft.answers, state.data)
        return self._after(ctx, state, item, QUESTIONS[item].take(q, given))

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == PRIVACY:
            return (_privacy_notice(ctx, self.kind, self.order),)
        draft = drafts.load(ctx.session, ctx.vault, ctx.channel, ctx.user_id)
        if draft is None:
            return (Outgoing(t("registration.draft_gone")), menu_message(ctx))
        if state.step in (SUMMARY, PLEDGE):
            return summary.prompt(self, ctx, state, draft)
        if state.step == reuse.STEP:
            known = reuse.known_answers(ctx, self.kind)
            if known is not None:
                return (reuse.offer(ctx, known),)
            state = State(self.name, self.order[0].value, {})  # no longer there: ask
        item = Field(state.step or "")
        return QUESTIONS[item].ask(Asking(ctx, self.kind, draft.answers, state.data))

    def _privacy(self, ctx: Ctx, given: Input) -> Transition:
        """Accepted: the draft starts with the notice's version and time. Declined: nothing."""
        agreed = said_yes(ctx, given, AGREE, DECLINE)
        if agreed is False:
            drafts.discard(ctx.session, ctx.channel, ctx.user_id)
            return Transition(
                IDLE, (Outgoing(t("registration.privacy.declined")), menu_message(ctx))
            )
        if agreed is None:
            state = State(self.name, PRIVACY, {})
            return Transition(
                state, (Outgoing(t("registration.privacy.pick")), *self.prompt(ctx, state))
            )
        reusable = self.order[: len(reuse.REUSED)] == reuse.REUSED
        known = reuse.known_answers(ctx, self.kind) if reusable else None
        first = reuse.STEP if known is not None else self.order[0].value
        drafts.create(
            ctx.session,
            channel=ctx.channel,
            external_id=ctx.user_id,
            kind=self.kind,
            step=first,
            privacy_version=rules_for(ctx.content).privacy_version,
            now=ctx.now,
        )
        return self.go(ctx, first, {})

    def _reuse(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Taken in one step, or typed afresh; the summary still lets them change any of it."""
        known = reuse.known_answers(ctx, self.kind)
        if known is None:  # gone meanwhile; the first question was shown instead
            return self.advance(ctx, State(self.name, self.order[0].value, {}), given)
        agreed = said_yes(ctx, given, reuse.USE, reuse.RETYPE)
        if agreed is None:
            said = Outgoing(t("registration.reuse.pick"))
            return Transition(state, (said, *self.prompt(ctx, state)), remember=False)
        if not agreed:
            return self.go(ctx, self.order[0].value, {})
        step = self.next_step(reuse.REUSED[-1], known)
        self.store(ctx, known, step)
        return self.go(ctx, step, {})

    def _after(self, ctx: Ctx, state: State, item: Field, outcome: Outcome) -> Transition:
        editing = bool(state.data.get("edit"))
        if outcome.error is not None:
            said = Outgoing(outcome.error)
            return Transition(state, (said, *self.prompt(ctx, state)), remember=False)
        if outcome.answers is None:
            data = {**(outcome.data or {}), "edit": editing}
            nxt = State(self.name, state.step, data)
            step = state.step or ""
            drafts.keep_asking(ctx.session, ctx.channel, ctx.user_id, step, data, ctx.now)
            return Transition(nxt, (*outcome.say, *self.prompt(ctx, nxt)), remember=False)
        step = SUMMARY if editing else self.next_step(item, outcome.answers)
        self.store(ctx, outcome.answers, step)
        moved = self.go(ctx, step, {})
        return Transition(moved.state, (*outcome.say, *moved.replies))

    def next_step(self, item: Field, answers: Answers) -> str:
        later = self.order[self.order.index(item) + 1 :]
        return later[0].value if later else SUMMARY

    def store(self, ctx: Ctx, answers: Answers, step: str) -> None:
        drafts.save(ctx.session, ctx.vault, ctx.channel, ctx.user_id, answers, step, ctx.now)

    def go(self, ctx: Ctx, step: str, data: Mapping[str, Any]) -> Transition:
        state = State(self.name, step, data)
        return Transition(state, self.prompt(ctx, state))


def _privacy_notice(ctx: Ctx, kind: Kind, order: tuple[Field, ...]) -> Outgoing:
    """The notice names exactly what this kind asks (PIPL Art. 17), no more."""
    rules = rules_for(ctx.content)
    options = (
        Option(AGREE, t("registration.privacy.agree")),
        Option(DECLINE, t("registration.privacy.decline")),
    )
    body = t(
        rules.privacy_text,
        version=rules.privacy_version,
        kind=t(f"registration.kind.{kind.value}"),
        items=joined([t(f"registration.field.{item.value}") for item in order]),
    )
    return Outgoing(t("registration.privacy.frame", body=body), options)
