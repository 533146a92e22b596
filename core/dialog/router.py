"""Decides what an incoming action means: an event, a global command, a menu pick or a step."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from core.dialog import intents, sidetrips
from core.dialog.commands import Command, CommandWords, fold
from core.dialog.flow import IDLE, Ctx, Input, MenuItem, State, Transition
from core.dialog.identity import ChatIdentity
from core.dialog.menu import find_item, item_by_words, menu_message, named_at_start
from core.dialog.messages import Incoming, Outgoing, t

_BIND = re.compile(r"^\s*(?:绑定|bind)\s*[:：]?\s*([0-9A-Za-z -]{6,20})\s*$", re.IGNORECASE)


def route(
    words: CommandWords, ctx: Ctx, conv: ChatIdentity, state: State, incoming: Incoming
) -> Transition:
    """``ctx.parts`` holds the flows and the menu; ``words`` names the global commands."""
    if incoming.event:
        return sidetrips.event(ctx, conv, state, incoming)
    text = (incoming.text or "").strip()
    named = _command(words, incoming, text)
    if named is not None:
        return sidetrips.command(ctx, conv, state, named[0], named[1])
    if text and (bind := _BIND.match(unicodedata.normalize("NFKC", text))):
        return sidetrips.link_staff(ctx, conv, state, bind.group(1))
    offered = [pair[0] for pair in conv.last_options]
    choice = incoming.choice or (incoming.command if incoming.command else None)
    if choice is None and text:
        choice = _numbered(offered, text) or _labelled(conv.last_options, text)
    if choice is not None:
        item = find_item(ctx, choice)
        if item is not None:
            return start_item(ctx, item, "")
        if choice not in offered:
            return Transition(
                state,
                (Outgoing(t("system.stale_choice")), *sidetrips.reprompt(ctx, state)),
                remember=False,
            )
    if state.flow is None:
        return _idle(ctx, text)
    switch = _menu_words_in_flow(ctx, state, text) if text and choice is None else None
    if switch is not None:
        return start_item(ctx, *switch)
    flow = ctx.parts.flows.get(state.flow)
    if flow is None:
        return Transition(IDLE, (Outgoing(t("system.flow_gone")), menu_message(ctx)))
    if state.step not in flow.steps:
        # A state stored by an older release (or a hand-edited row): start the flow afresh.
        restarted = flow.start(ctx, "")
        return replace(
            restarted, replies=(Outgoing(t("system.flow_restarted")), *restarted.replies)
        )
    return flow.advance(ctx, state, Input(text=text, choice=choice))


def _command(words: CommandWords, incoming: Incoming, text: str) -> tuple[Command, str] | None:
    if incoming.command:
        try:
            return Command(incoming.command), text
        except ValueError:
            return None
    return words.match(text) if text else None


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
    named = named_at_start(ctx, text, primary_only=True)
    if named is None:
        return None
    item, rest = named
    if rest and item.flow != state.flow:
        return None
    return item, text if item.keep_words else rest  # 求职登记 names the kind it starts


def _idle(ctx: Ctx, text: str) -> Transition:
    named = item_by_words(ctx, text) if text else None
    if named is not None:
        return start_item(ctx, named[0], named[1])
    return intents.respond(ctx, text, start_item)


def start_item(ctx: Ctx, item: MenuItem, arg: str) -> Transition:
    if item.id == "mine":
        return Transition(IDLE, (*sidetrips.mine(ctx), menu_message(ctx)))
    flow = ctx.parts.flows.get(item.flow)
    if flow is None:
        # Honest about what is not built yet; nothing pretends to work.
        unbuilt = Outgoing(t("menu.unbuilt", feature=t(f"menu.item.{item.id}")))
        return Transition(IDLE, (unbuilt, menu_message(ctx)))
    return flow.start(ctx, item.start_arg or arg)


def elsewhere(ctx: Ctx, text: str, here: str) -> Transition | None:
    """Free text that a flow (``here``) found no answer to and that asks for another
    service by its phrases (我要投诉，窗口…; 预约 职业指导) starts that service, with the
    text when it reads its words, as it would from the main menu; None otherwise."""
    item = intents.item_named(ctx, text)
    if item is None or item.flow == here:
        return None
    return start_item(ctx, item, text if item.keep_words else "")
