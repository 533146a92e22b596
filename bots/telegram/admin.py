"""One-off Bot API set-up: the webhook (URL and secret) and the command menu in zh and en.

Run once per deployment from the CLI, never at every start of every worker.
"""

from __future__ import annotations

import re

from telegram import Bot, BotCommand, WebhookInfo

from bots.telegram.updates import ALLOWED_UPDATES
from core.content.catalog import DEFAULT_LANG, Catalog
from core.dialog.messages import t

COMMANDS = ("start", "menu", "cancel", "help", "lang", "subscribe", "unsubscribe")
# Telegram's language codes for our catalog languages; users of any other language get
# the default list, which speaks the default language.
LANGUAGE_CODES = {"zh-CN": "zh", "en": "en"}
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def command_list(catalog: Catalog, lang: str) -> list[BotCommand]:
    return [
        BotCommand(name, catalog.text(t(f"telegram.commands.{name}"), lang)) for name in COMMANDS
    ]


async def register_commands(bot: Bot, catalog: Catalog) -> None:
    """setMyCommands for the default scope and each catalog language."""
    await bot.set_my_commands(command_list(catalog, DEFAULT_LANG))
    for lang, code in LANGUAGE_CODES.items():
        await bot.set_my_commands(command_list(catalog, lang), language_code=code)


def check_secret(secret: str | None) -> str:
    """The webhook secret, if Telegram accepts it (1-256 of A-Z a-z 0-9 _ -)."""
    if not secret or not _SECRET.match(secret):
        raise ValueError(
            "JOBBOT_TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of "
            "A-Z, a-z, 0-9, _ and - (e.g. from `jobbot secret`)"
        )
    return secret


async def set_webhook(
    bot: Bot,
    catalog: Catalog,
    url: str,
    secret: str,
    *,
    drop_pending: bool = False,
    max_connections: int = 40,
) -> None:
    await bot.set_webhook(
        url,
        secret_token=check_secret(secret),
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=drop_pending,
        max_connections=max_connections,
    )
    await register_commands(bot, catalog)


async def delete_webhook(bot: Bot, *, drop_pending: bool = False) -> None:
    await bot.delete_webhook(drop_pending_updates=drop_pending)


async def webhook_info(bot: Bot) -> WebhookInfo:
    return await bot.get_webhook_info()
