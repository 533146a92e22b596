"""登记 (menu item 1): picks up a half-finished or returned registration, or asks which kind.

```mermaid
stateDiagram-v2
    [*] --> resume: a draft is waiting
    [*] --> fix: a registration came back for correction
    [*] --> choose: nothing waiting (or the kind named: "失业登记" starts it at once)
    resume --> form: continue where they left off
    resume --> choose: discard the draft
    fix --> form: correct it (summary, with staff's items)
    fix --> [*]: withdraw it
    choose --> form: 求职登记 / 失业登记 / 就业登记
```
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import col, select

from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t
from core.registration import drafts
from core.registration.chat.form import SUMMARY
from core.registration.chat.forms import FORMS
from core.registration.corrections import draft_from
from core.registration.models import Registration
from core.registration.review import withdraw
from core.registration.rules import Kind
from core.registration.states import WAITING_FOR_STAFF, Status
from core.registration.workflow import Env, resident_notice

# Checked in this order: "unemployment" contains "employment".
_WORD_ORDER = (Kind.UNEMPLOYED, Kind.JOB_SEEKER, Kind.EMPLOYED)
KIND, RESUME, DISCARD, FIX, WITHDRAW = "r:k:", "r:resume", "r:discard", "r:fix", "r:withdraw"


class Step(StrEnum):
    CHOOSE = "choose"
    RESUME = "resume"
    FIX = "fix"


class RegisterFlow:
    name = "register"
    steps = frozenset(Step)

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Offers a waiting draft or returned registration first, else starts or asks."""
        if drafts.find(ctx.session, ctx.channel, ctx.user_id) is not None:
            return self._show(ctx, Step.RESUME)
        if _returned(ctx) is not None:
            return self._show(ctx, Step.FIX)
        kind = _kind_in(ctx, arg)
        return self._begin(ctx, kind) if kind else self._show(ctx, Step.CHOOSE)

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        choice = given.choice or ""
        if state.step == Step.RESUME and choice in (RESUME, DISCARD):
            return self._resume(ctx, choice == RESUME)
        if state.step == Step.FIX and choice in (FIX, WITHDRAW):
            return self._fix(ctx, choice == FIX)
        if state.step == Step.CHOOSE:
            kind = _kind_of(choice) or _kind_in(ctx, given.text)
            if kind is not None:
                return self._begin(ctx, kind)
        said = Outgoing(t("registration.choose.pick"))
        return Transition(state, (said, *self.prompt(ctx, state)), remember=False)

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        if state.step == Step.RESUME:
            draft = drafts.find(ctx.session, ctx.channel, ctx.user_id)
            if draft is not None:
                kind = t(f"registration.kind.{draft.kind}")
                options = (
                    Option(RESUME, t("registration.resume.go")),
                    Option(DISCARD, t("registration.resume.discard")),
                )
                return (Outgoing(t("registration.resume.ask", kind=kind), options),)
        if state.step == Step.FIX:
            reg = _returned(ctx)
            if reg is not None:
                env = Env(ctx.session, ctx.content, ctx.vault, ctx.now)
                options = (
                    Option(FIX, t("registration.fix.go")),
                    Option(WITHDRAW, t("registration.fix.withdraw")),
                )
                return (resident_notice(env, reg), Outgoing(t("registration.fix.ask"), options))
        kinds = tuple(Option(KIND + k.value, t(f"registration.kind.{k.value}")) for k in Kind)
        return (Outgoing(t("registration.choose.ask"), kinds),)

    def _show(self, ctx: Ctx, step: Step) -> Transition:
        state = State(self.name, step, {})
        return Transition(state, self.prompt(ctx, state))

    def _begin(self, ctx: Ctx, kind: Kind) -> Transition:
        waiting = _waiting(ctx, kind)
        if waiting is not None:
            said = t("registration.already_open", kind=t(f"registration.kind.{kind.value}"))
            return Transition(IDLE, (Outgoing(said), menu_message(ctx)))
        return FORMS[kind].start(ctx, "")

    def _resume(self, ctx: Ctx, resume: bool) -> Transition:
        draft = drafts.find(ctx.session, ctx.channel, ctx.user_id)
        if draft is not None and resume:
            return FORMS[Kind(draft.kind)].resume(ctx, draft.step)
        drafts.discard(ctx.session, ctx.channel, ctx.user_id)
        said = Outgoing(t("registration.dropped"))
        moved = self.start(ctx, "")
        return Transition(moved.state, (said, *moved.replies))

    def _fix(self, ctx: Ctx, fix: bool) -> Transition:
        reg = _returned(ctx)
        if reg is None:
            return Transition(IDLE, (Outgoing(t("registration.draft_gone")), menu_message(ctx)))
        env = Env(ctx.session, ctx.content, ctx.vault, ctx.now)
        if not fix:
            withdraw(env, reg, channel=ctx.channel)
            return Transition(IDLE, (Outgoing(t("registration.withdrawn")), menu_message(ctx)))
        draft_from(env, reg)
        return FORMS[Kind(reg.kind)].resume(ctx, SUMMARY)


def _kind_of(choice: str) -> Kind | None:
    code = choice[len(KIND) :] if choice.startswith(KIND) else ""
    return Kind(code) if code in {k.value for k in Kind} else None


def _kind_in(ctx: Ctx, text: str) -> Kind | None:
    """The kind named in typed words ("失业登记", "unemployment")."""
    folded = text.strip().lower()
    if not folded:
        return None
    for kind in _WORD_ORDER:
        for variant in ctx.content.catalog.variants(f"registration.words.{kind.value}"):
            if any(w.strip() and w.strip().lower() in folded for w in variant.split("|")):
                return kind
    return None


def _mine(ctx: Ctx, *statuses: Status) -> list[Registration]:
    return list(
        ctx.session.exec(
            select(Registration)
            .where(Registration.channel == ctx.channel)
            .where(Registration.external_id == ctx.user_id)
            .where(col(Registration.status).in_([s.value for s in statuses]))
            .order_by(col(Registration.id).desc())
        )
    )


def _returned(ctx: Ctx) -> Registration | None:
    found = _mine(ctx, Status.RETURNED)
    return found[0] if found else None


def _waiting(ctx: Ctx, kind: Kind) -> Registration | None:
    return next((r for r in _mine(ctx, *WAITING_FOR_STAFF) if r.kind == kind.value), None)
