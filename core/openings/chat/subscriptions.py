"""订阅 / 退订: ask to hear about new openings for a keyword or area, and stop again.

```mermaid
stateDiagram-v2
    [*] --> ask: 订阅
    ask --> [*]: keyword and/or area
    [*] --> pick: 退订
    pick --> [*]: one subscription or all
```
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col

from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.menu import menu_message
from core.dialog.messages import Option, Outgoing, t
from core.openings.models import OpeningSubscription
from core.openings.subscriptions import Outcome, describe, of_identity, subscribe
from core.people.personal import has_personal


class Step(StrEnum):
    ASK = "ask"
    PICK = "pick"


def subscribe_text(ctx: Ctx, text: str) -> Transition:
    """Subscribes to ``text`` (keyword and/or area) and says what happened."""
    if has_personal(text):  # an ID or phone number is no keyword: not stored
        return Transition(State(SubscribeFlow.name, Step.ASK, {}), (Outgoing(t("jobs.personal")),))
    done = subscribe(
        ctx.session,
        channel=ctx.channel,
        external_id=ctx.user_id,
        text=text,
        areas=ctx.content.areas,
    )
    if done.outcome is Outcome.EMPTY:
        state = State(SubscribeFlow.name, Step.ASK, {})
        return Transition(state, (Outgoing(t("subs.empty")),))
    said = {
        Outcome.CREATED: "subs.created",
        Outcome.EXISTS: "subs.exists",
        Outcome.TOO_MANY: "subs.too_many",
    }[done.outcome]
    params = {"label": done.label} if done.label is not None else {}
    return Transition(IDLE, (Outgoing(t(said, **params)), menu_message(ctx)))


class SubscribeFlow:
    name = "subscribe"
    steps = frozenset({Step.ASK})
    free_text = frozenset({Step.ASK})  # any text is a keyword to subscribe to

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Subscribes at once to a keyword given with the command, else asks for one."""
        if arg.strip():
            return subscribe_text(ctx, arg)
        state = State(self.name, Step.ASK, {})
        return Transition(state, self.prompt(ctx, state))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Takes the keyword and/or area."""
        if not given.text:
            return Transition(state, self.prompt(ctx, state))
        return subscribe_text(ctx, given.text)

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        return (Outgoing(t("subs.ask")),)


class UnsubscribeFlow:
    name = "unsubscribe"
    steps = frozenset({Step.PICK})

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Lists the user's subscriptions to pick from."""
        if not of_identity(ctx.session, ctx.channel, ctx.user_id):
            return Transition(IDLE, (Outgoing(t("subs.none")), menu_message(ctx)))
        state = State(self.name, Step.PICK, {})
        return Transition(state, self.prompt(ctx, state))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Removes the chosen subscription, or all of them."""
        choice = given.choice or ""
        mine = {f"u:{s.id}": s for s in of_identity(ctx.session, ctx.channel, ctx.user_id)}
        if choice == "u:all":
            chosen = list(mine.values())
        elif choice in mine:
            chosen = [mine[choice]]
        else:
            return Transition(state, (Outgoing(t("subs.pick")), *self.prompt(ctx, state)))
        ids = [s.id for s in chosen]
        ctx.session.execute(
            sa.delete(OpeningSubscription).where(col(OpeningSubscription.id).in_(ids))
        )
        return Transition(IDLE, (Outgoing(t("subs.removed", n=len(ids))), menu_message(ctx)))

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        mine = of_identity(ctx.session, ctx.channel, ctx.user_id)
        options = [Option(f"u:{s.id}", describe(s, ctx.content.areas)) for s in mine]
        options.append(Option("u:all", t("subs.remove_all")))
        return (Outgoing(t("subs.list"), tuple(options)),)
