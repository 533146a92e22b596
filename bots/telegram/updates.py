"""Telegram updates translated into channel-neutral ``Incoming``, or ignored.

Only private chats are served: a conversation may hold personal data, which must never
land in a group. Re-delivery keys are Telegram's own permanent ids (chat + message id, or
the callback query id), so a repeated update is a repeated ``message_id`` for the engine.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from telegram import Bot, CallbackQuery, Chat, ChatMember, Message, Update

from bots.telegram import CHANNEL
from core.dialog.messages import PHOTO, Incoming

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")
_START = re.compile(r"^/start(?:@\w+)?(?:\s+(\S+))?\s*$", re.IGNORECASE)
# Messages a person sent that are not text: answered with "text only, please".
_CONTENT = (
    *("photo", "video", "video_note", "animation", "voice", "audio", "document"),
    *("sticker", "contact", "poll", "dice", "game", "story", "paid_media"),
)


@dataclass(frozen=True)
class Inbound:
    """An update to act on: the engine input (None: a dead button, only to be answered)
    and the callback query to answer, if any. Replies go to the chat ``incoming.user_id``
    (in a private chat, chat id and user id are the same)."""

    incoming: Incoming | None
    callback_id: str | None = None
    lang_hint: str | None = None
    blocked_by: str | None = None  # a private chat that blocked the bot: stop pushing to it


def parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body; None when the body is not a well-formed update."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON or UTF-8; absurd nesting
        return None
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int or update_id < 0:
        return None
    try:
        update = Update.de_json(data, bot)
    except Exception as exc:  # any shape PTB cannot read is the sender's fault
        log.info("unreadable telegram update %s: %s", update_id, type(exc).__name__)
        return None
    problem = _misshapen(update)
    if problem is not None:
        log.info("misshapen telegram update %s: %s", update_id, problem)
        return None
    return update


# Telegram ids have at most 52 significant bits; anything wider is not from Telegram.
MAX_ID = 2**52


def _misshapen(update: Update) -> str | None:
    """What in the fields we act on is not of the type Telegram sends (PTB does not check
    types: ``"text": {}`` arrives as a dict), or None when all is well."""
    message = update.message or (
        update.callback_query.message if update.callback_query is not None else None
    )
    chats = [m.chat for m in (message, update.my_chat_member) if m is not None]
    for chat in chats:
        if not _is_id(chat.id) or not isinstance(chat.type, str):
            return "chat"
    if update.message is not None:
        msg = update.message
        if not _is_id(msg.message_id) or not isinstance(msg.text, str | None):
            return "message"
        if msg.from_user is not None and not _is_id(msg.from_user.id):
            return "sender"
        if msg.location is not None and not all(
            isinstance(v, int | float) and not isinstance(v, bool)
            for v in (msg.location.latitude, msg.location.longitude)
        ):
            return "location"
    query = update.callback_query
    if query is not None and (
        not isinstance(query.id, str)
        or len(query.id) > 64
        or not isinstance(query.data, str | None)
        or not _is_id(query.from_user.id)
    ):
        return "callback query"
    return None


def _is_id(value: object) -> bool:
    return type(value) is int and -MAX_ID < value < MAX_ID


def translate(update: Update) -> Inbound | None:
    """What the update asks of us; None when the bot does not act on this kind."""
    if update.callback_query is not None:
        return _from_callback(update.callback_query)
    if update.message is not None and _is_private(update.message.chat):
        incoming = _from_message(update.message)
        return Inbound(incoming) if incoming else None
    member = update.my_chat_member
    # "kicked" in a private chat: the person blocked the bot. Unblocking needs no action;
    # their next message makes them reachable again.
    if (
        member is not None
        and _is_private(member.chat)
        and member.new_chat_member.status == ChatMember.BANNED
    ):
        return Inbound(None, blocked_by=str(member.chat.id))
    return None


def _is_private(chat: Chat | None) -> bool:
    return chat is not None and chat.type == Chat.PRIVATE


def _from_message(message: Message) -> Incoming | None:
    if message.text is not None:
        start = _START.match(message.text.strip())
        if start is None:
            return _incoming(message, text=message.text)
        scene = {"scene": start.group(1)} if start.group(1) else {}
        return _incoming(message, event="subscribe", extra=scene)
    if message.location is not None:
        where = {"lat": str(message.location.latitude), "lon": str(message.location.longitude)}
        return _incoming(message, event="location", extra=where)
    if message.photo:
        # The largest size's file id, kept as a reference by flows that take photos.
        ref = f"telegram:file:{message.photo[-1].file_id}"
        return _incoming(message, event=PHOTO, extra={"ref": ref[:300]})
    if any(getattr(message, kind, None) for kind in _CONTENT):
        return _incoming(message, event="unsupported")
    return None  # service messages (pins, timers, …)


def _incoming(
    message: Message,
    *,
    text: str | None = None,
    event: str | None = None,
    extra: dict[str, str] | None = None,
) -> Incoming:
    chat_id = message.chat.id
    sender = message.from_user
    return Incoming(
        channel=CHANNEL,
        user_id=str(chat_id),
        text=text,
        event=event,
        message_id=f"m{chat_id}:{message.message_id}",
        lang_hint=sender.language_code if sender else None,
        extra=extra or {},
    )


def _from_callback(query: CallbackQuery) -> Inbound:
    lang = query.from_user.language_code
    chat = query.message.chat if query.message is not None else None
    if chat is None or not _is_private(chat) or not query.data:
        return Inbound(None, query.id, lang)
    incoming = Incoming(
        channel=CHANNEL,
        user_id=str(chat.id),
        choice=query.data,
        message_id=f"c{query.id}",
        lang_hint=lang,
    )
    return Inbound(incoming, query.id, lang)
