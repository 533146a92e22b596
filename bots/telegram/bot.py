"""PTB objects built from the settings: the ``Application`` (no updater) and a plain ``Bot``."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder
from telegram.request import HTTPXRequest

from core.settings import TelegramSettings

POOL_SIZE = 64


def build_application(settings: TelegramSettings) -> Application:  # type: ignore[type-arg]
    """The transport for webhook and polling: no updater, no job queue, no persistence."""
    hide_token(settings.token)
    return (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base)
        .connection_pool_size(POOL_SIZE)
        .updater(None)
        .job_queue(None)
        .build()
    )


def build_bot(settings: TelegramSettings) -> Bot:
    """A bare ``Bot`` for the outbox sender (usable without ``initialize``)."""
    hide_token(settings.token)
    return Bot(
        settings.token,
        base_url=settings.api_base,
        request=HTTPXRequest(connection_pool_size=POOL_SIZE),
    )


class TokenFilter(logging.Filter):
    """httpx logs every request URL, and Bot API URLs contain the token: mask it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        return True


def hide_token(token: str) -> None:
    """Installs the filter on httpx's logger (it prints request URLs), once per token."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, TokenFilter) and f.token == token for f in logger.filters):
        logger.addFilter(TokenFilter(token))
