"""Decides what an incoming action means: an event, a global command, a menu pick or a step."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from core.dialog import intents, sidetrips
from core.dialog.commands import Command, fold
from core.dialog.flow import IDLE, Ctx, Input, State, Transition
from core.dialog.identity import ChatIdentity
from core.dialog.menu import MenuItem, find_item, item_by_words, menu_message
from core.dialog.messages import Incoming, Outgoing, t

if TYPE_CHECKING:
    from core.dialog.engine import Engine

_BIND = re.compile(r"^\s*(?:绑定|bind)\s*[:：]?\s*([0-9A-Za-z -]{6,20})\s*$", re.IGNORECASE)


def route(
    engine: Engine, ctx: Ctx, conv: ChatIdentity, state: State, incoming: Incoming
) -> Transition:
    if incoming.event:
        return sidetrips.event(engine, ctx, conv, state, incoming)
    text = (incoming.text or "").strip()
    named = _command(engine, incoming, text)
    if named is not None:
        return sidetrips.command(engine, ctx, conv, state, named[0], named[1])
    if text and (bind := _BIND.match(unicodedata.normalize("NFKC", text))):
        return sidetrips.link_staff(engine, ctx, conv, state, bind.group(1))
    offered = [pair[0] for pair in conv.last_options]
    choice = incoming.choice or (incoming.command if incoming.command else None)
    if choice is None and text:
        choice = _numbered(offered, text) or _labelled(conv.last_options, text)
    if choice is not None:
        item = find_item(choice)
        if item is not None:
            return start_item(engine, ctx, item, "")
        if choice not in offered:
            return Transition(
                state,
                (Outgoing(t("system.stale_choice")), *sidetrips.reprompt(engine, ctx, state)),
                remember=False,
            )
    if state.flow is None:
        return _idle(engine, ctx, text)
    switch = _menu_words_in_flow(ctx, state, text) if text and choice is None else None
    if switch is not None:
        return start_item(engine, ctx, *switch)
    flow = engine.flows.get(state.flow)
    if flow is None:
        return Transition(IDLE, (Outgoing(t("system.flow_gone")), menu_message(ctx)))
    return flow.advance(ctx, state, Input(text=text, choice=choice))


def _command(engine: Engine, incoming: Incoming, text: str) -> tuple[Command, str] | None:
    if incoming.command:
        try:
            return Command(incoming.command), text
        except ValueError:
            return None
    return engine.words.match(text) if text else None


def _numbered(options: list[str], text: str) -> str | None:
    folded = unicodedata.normalize("NFKC", text).strip().rstrip(".。")
    if folded.isdigit() and 1 <= int(folded) <= len(options):
        return options[int(folded) - 1]
    return None


def _labelled(options: list[list[str]], text: str) -> str | None:
    folded = fold(text)
    return next((option_id for option_id, label in options if label == folded), None)


def _menu_words_in_flow(ctx: Ctx, state: State, text: str) -> tuple[MenuItem, str] | None:
    """Inside a flow only a menu item's main name switches ("找工作", or "找工作 保安" to
    search again), so an answer such as "工作" is never mistaken for a menu pick."""
    named = item_by_words(ctx, text, primary_only=True)
    if named is None:
        return None
    item, rest = named
    return named if not rest or item.flow == state.flow else None


def _idle(engine: Engine, ctx: Ctx, text: str) -> Transition:
    named = item_by_words(ctx, text) if text else None
    if named is not None:
        return start_item(engine, ctx, named[0], named[1])
    return intents.respond(engine, ctx, text, start_item)


def start_item(engine: Engine, ctx: Ctx, item: MenuItem, arg: str) -> Transition:
    if item.id == "mine":
        return Transition(IDLE, (*sidetrips.mine(ctx), menu_message(ctx)))
    flow = engine.flows.get(item.flow)
    if flow is None:
        # Honest about what is not built yet; nothing pretends to work.
        unbuilt = Outgoing(t("menu.unbuilt", feature=t(f"menu.item.{item.id}")))
        return Transition(IDLE, (unbuilt, menu_message(ctx)))
    return flow.start(ctx, item.start_arg or arg)
