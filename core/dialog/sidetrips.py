"""Global commands and platform events: answered in any state, then back to where the user was."""

from __future__ import annotations

from dataclasses import replace

from core.dialog.commands import Command
from core.dialog.flow import IDLE, Ctx, State, Transition
from core.dialog.identity import ChatIdentity
from core.dialog.menu import menu_message
from core.dialog.messages import PHOTO, Incoming, Outgoing, t
from core.people import staff as staff_service
from core.people.staff import view


def reprompt(ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
    flow = ctx.parts.flows.get(state.flow) if state.flow else None
    if flow is None:
        return (menu_message(ctx),)
    return flow.prompt(ctx, state)


def _aside(ctx: Ctx, state: State, *said: Outgoing) -> Transition:
    return Transition(state, (*said, *reprompt(ctx, state)), remember=False)


def command(ctx: Ctx, conv: ChatIdentity, state: State, cmd: Command, arg: str = "") -> Transition:
    if cmd in (Command.MENU, Command.START):
        return Transition(IDLE, (menu_message(ctx),))
    if cmd is Command.CANCEL:
        said = "system.cancelled" if state.flow else "system.nothing_to_cancel"
        flow = ctx.parts.flows.get(state.flow) if state.flow else None
        # A flow that keeps what was entered (a registration draft) says so, not "cancelled".
        kept = getattr(flow, "cancelled", None)
        said = (kept(state) if kept is not None else None) or said
        return Transition(IDLE, (Outgoing(t(said)), menu_message(ctx)))
    if cmd is Command.BACK:
        return _back(ctx, conv, state)
    if cmd is Command.HELP:
        topic = f"help.flow.{state.flow}" if state.flow else "help.idle"
        body = t(topic) if ctx.content.catalog.has(topic) else t("help.idle")
        return _aside(ctx, state, Outgoing(t("help.commands", topic=body)))
    if cmd in (Command.LANGUAGE, Command.ENGLISH, Command.CHINESE):
        return _language(ctx, conv, state, cmd)
    if cmd is Command.MINE:
        return _aside(ctx, state, *mine(ctx))
    if cmd is Command.THANKS:  # 谢谢: a reply, not "没有看懂"; a question still open is shown
        welcome = Outgoing(t("system.thanks"))
        return _aside(ctx, state, welcome) if state.flow else Transition(state, (welcome,), False)
    if cmd is Command.BYE:  # 再见: where they were stays where it is
        return Transition(state, (Outgoing(t("system.bye")),), remember=False)
    return _subscriptions(ctx, state, cmd, arg)


def _subscriptions(ctx: Ctx, state: State, cmd: Command, arg: str) -> Transition:
    """订阅 starts the subscribe flow (a search in progress is its topic); 退订 lists them."""
    flow = ctx.parts.flows.get("subscribe" if cmd is Command.SUBSCRIBE else "unsubscribe")
    if flow is None:
        return _aside(ctx, state, Outgoing(t("system.subscriptions_unbuilt")))
    if cmd is Command.SUBSCRIBE and not arg and state.flow == "jobs":
        arg = str(state.data.get("q", ""))
    return flow.start(ctx, arg)


def _back(ctx: Ctx, conv: ChatIdentity, state: State) -> Transition:
    if state.flow is not None and not conv.history:
        # A flow opened from another (a case from 待办) goes back to where it was opened.
        flow = ctx.parts.flows.get(state.flow)
        parent = ctx.parts.flows.get(getattr(flow, "parent", "") or "")
        if parent is not None:
            return parent.start(ctx, "")
    if state.flow is None or not conv.history:
        return Transition(IDLE, (menu_message(ctx),))
    previous = State(state.flow, conv.history[-1], state.data)
    conv.history = conv.history[:-1]
    return Transition(previous, reprompt(ctx, previous), remember=False)


def _language(ctx: Ctx, conv: ChatIdentity, state: State, cmd: Command) -> Transition:
    if cmd is Command.ENGLISH:
        conv.lang = "en"
    elif cmd is Command.CHINESE:
        conv.lang = "zh-CN"
    else:
        conv.lang = "en" if conv.lang == "zh-CN" else "zh-CN"
    switched = replace(ctx, lang=conv.lang)
    return _aside(switched, state, Outgoing(t("system.language_set")))


def mine(ctx: Ctx) -> tuple[Outgoing, ...]:
    lines: list[Outgoing] = [Outgoing(t("mine.account", channel=t(f"channel.{ctx.channel}")))]
    if ctx.staff is not None:
        area = ctx.content.areas.get(ctx.staff.area_code)
        lines.append(
            Outgoing(
                t(
                    "mine.staff",
                    role=t(f"staff.role.{ctx.staff.role.value}"),
                    area=area.name if area else ctx.staff.area_code,
                )
            )
        )
    sections = [s(ctx) for s in ctx.parts.mine]
    found = [s for s in sections if s is not None]
    lines.extend(found or [Outgoing(t("mine.nothing_yet"))])
    return tuple(lines)


def link_staff(ctx: Ctx, conv: ChatIdentity, state: State, code: str) -> Transition:
    linked = staff_service.try_link(ctx.session, code=code, conversation=conv, now=ctx.now)
    if isinstance(linked, staff_service.LinkRefused):
        if linked.wait_minutes:
            refused = t("staff.link_wait", minutes=linked.wait_minutes)
            return _aside(ctx, state, Outgoing(refused))
        return _aside(ctx, state, Outgoing(t("staff.link_failed")))
    ctx.staff = view(linked)
    area = ctx.content.areas.get(linked.area_code)
    said = Outgoing(
        t(
            "staff.linked",
            role=t(f"staff.role.{linked.role}"),
            area=area.name if area else linked.area_code,
        )
    )
    return Transition(IDLE, (said, menu_message(ctx)))


def event(ctx: Ctx, conv: ChatIdentity, state: State, incoming: Incoming) -> Transition:
    kind = incoming.event
    if kind == "subscribe":
        return _welcome(ctx, conv, incoming)
    if kind == "open":
        # A chat window opened again (the terminal) is not a new follow: only a first
        # contact is welcomed; anyone else is back where the conversation was.
        if conv.last_inbound_at is None:
            return _welcome(ctx, conv, incoming)
        return _aside(ctx, state, Outgoing(t("system.welcome_back")))
    if kind == "location":
        return _aside(ctx, state, _nearest(ctx, incoming))
    if kind == PHOTO and incoming.extra.get("ref"):
        taken = _attach(ctx, state, incoming.extra["ref"])
        if taken is not None:
            return taken
    return _aside(ctx, state, Outgoing(t("system.unsupported_message")))


def _attach(ctx: Ctx, state: State, ref: str) -> Transition | None:
    """A photo goes to the current flow if its step takes attachments (``attach``)."""
    flow = ctx.parts.flows.get(state.flow) if state.flow else None
    attach = getattr(flow, "attach", None)
    return None if attach is None else attach(ctx, state, ref)  # type: ignore[no-any-return]


def _welcome(ctx: Ctx, conv: ChatIdentity, incoming: Incoming) -> Transition:
    said: list[Outgoing] = [Outgoing(t("system.welcome"))]
    scene = incoming.extra.get("scene", "")
    area = ctx.content.areas.get(scene) if scene else None
    if area is not None:
        conv.area_code = area.code
        said.append(Outgoing(t("system.scene_area", area=ctx.content.areas.full_name(area.code))))
    return Transition(IDLE, (*said, menu_message(ctx)))


def _nearest(ctx: Ctx, incoming: Incoming) -> Outgoing:
    """The platform serving a shared location: the closest one with coordinates, else the
    street (or county) the address names (WeChat sends the address as ``Label``)."""
    areas = ctx.content.areas
    try:
        lat, lon = float(incoming.extra["lat"]), float(incoming.extra["lon"])
    except (KeyError, ValueError):
        return Outgoing(t("location.unreadable"))
    area = areas.nearest(lat, lon)
    if area is not None:
        return Outgoing(t("location.nearest", area=areas.full_name(area.code)))
    named = areas.from_address(str(incoming.extra.get("label") or ""))
    if named is None or named.level == "city":
        return Outgoing(t("location.no_data"))
    if named.level == "county":
        return Outgoing(t("location.in_county", area=areas.full_name(named.code)))
    street = next(a for a in areas.ancestors(named.code) if a.level == "street")
    return Outgoing(t("location.in_street", area=areas.full_name(named.code), street=street.name))
