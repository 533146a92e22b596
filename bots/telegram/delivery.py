"""Sending rendered messages, and Telegram's errors as the outbox understands them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bots.telegram.render import Part, render_message
from core.content.catalog import Catalog
from core.delivery.sending import PermanentError, TransientError
from core.dialog.messages import Outgoing

# BadRequest descriptions that mean the chat is gone for good.
_GONE = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated")


async def send_parts(bot: Bot, chat_id: int, parts: Sequence[Part]) -> None:
    """Sends each part in order; raises ``TransientError`` or ``PermanentError``."""
    for part in parts:
        try:
            await bot.send_message(chat_id, part.text, reply_markup=part.markup)
        except TelegramError as exc:
            raise classify(exc) from exc


async def send_outgoing(
    bot: Bot, catalog: Catalog, chat_id: int, message: Outgoing, lang: str
) -> None:
    await send_parts(bot, chat_id, render_message(catalog, message, lang))


def classify(exc: TelegramError) -> TransientError | PermanentError:
    """Flood control and network trouble are worth retrying; a blocked or vanished chat is not."""
    if isinstance(exc, RetryAfter):
        return TransientError("flood control", retry_after=seconds(exc.retry_after))
    if isinstance(exc, Forbidden | ChatMigrated):
        return PermanentError(f"unreachable: {exc.message}", unreachable=True)
    if isinstance(exc, BadRequest):
        gone = any(marker in exc.message.lower() for marker in _GONE)
        return PermanentError(f"refused: {exc.message}", unreachable=gone)
    if isinstance(exc, InvalidToken):
        return TransientError("the bot token was rejected")
    return TransientError(f"{type(exc).__name__}: {exc.message}")  # network, 5xx, conflict


def seconds(period: int | float | timedelta) -> float:
    return period.total_seconds() if isinstance(period, timedelta) else float(period)
