"""Outbox pushes to Telegram chats; the dispatcher applies the rates through database buckets,
so the global (≈30/s) and per-chat (≈1/s) limits hold across every worker process."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot

from bots.telegram import CHANNEL
from bots.telegram.bot import build_bot
from bots.telegram.delivery import send_outgoing
from core.content.catalog import Catalog
from core.delivery.sending import PermanentError, Sender
from core.dialog.messages import Reply
from core.runtime import Runtime


@dataclass
class TelegramSender:
    bot: Bot
    catalog: Catalog
    global_rate: float
    recipient_rate: float
    channel: str = CHANNEL

    async def send(self, recipient: str, reply: Reply, kind: str) -> None:
        """Sends each message of ``reply`` to the chat ``recipient`` (a Telegram chat id)."""
        try:
            chat_id = int(recipient)
        except ValueError:
            raise PermanentError(f"not a Telegram chat id: {recipient!r}") from None
        for message in reply.messages:
            await send_outgoing(self.bot, self.catalog, chat_id, message, reply.lang)

    async def aclose(self) -> None:
        """Closes the HTTP connections (the bot is never ``initialize``d: no getMe needed)."""
        await self.bot.request.shutdown()


def telegram_senders(runtime: Runtime) -> dict[str, Sender]:
    """``{"telegram": sender}`` when Telegram is configured, else nothing."""
    settings = runtime.settings.telegram
    if settings is None:
        return {}
    sender = TelegramSender(
        build_bot(settings),
        runtime.content.catalog,
        global_rate=settings.global_rate,
        recipient_rate=settings.chat_rate,
    )
    return {CHANNEL: sender}
