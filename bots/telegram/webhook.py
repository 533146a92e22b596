"""``POST /telegram/webhook``: the secret header first, then a well-formed update, then the
handler. The PTB ``Application`` lives exactly as long as the FastAPI app (router lifespan)."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from telegram.error import InvalidToken, TelegramError

from bots.telegram.bot import build_application
from bots.telegram.handling import Outcome, UpdateHandler
from bots.telegram.updates import parse_update
from core.runtime import Runtime
from core.settings import ConfigurationError, TelegramSettings

log = logging.getLogger(__name__)
PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramWebhook:
    """Checks, parses and hands over each update; starts and stops the PTB application."""

    def __init__(self, runtime: Runtime, settings: TelegramSettings) -> None:
        self.secret = (settings.webhook_secret or "").encode()
        self.application = build_application(settings)
        self.handler = UpdateHandler(runtime, self.application.bot)
        self._initialized = False

    @asynccontextmanager
    async def lifespan(self, _app: object) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def start(self) -> None:
        """Initialises PTB (getMe). Telegram being unreachable must not keep the app down."""
        try:
            await self.application.initialize()
            self._initialized = True
        except InvalidToken:
            raise ConfigurationError("Telegram rejected JOBBOT_TELEGRAM_TOKEN.") from None
        except TelegramError as exc:
            log.warning("Telegram unreachable at start-up (%s); sending will be retried", exc)

    async def stop(self) -> None:
        if self._initialized:
            await self.application.shutdown()
        else:
            await self.application.bot.shutdown()  # closes the HTTP pools initialize opened

    async def receive(self, request: Request) -> Response:
        if not self._authorised(request.headers.get(SECRET_HEADER)):
            return Response(status_code=403)
        update = parse_update(await request.body(), self.application.bot)
        if update is None:
            return Response(status_code=400)
        outcome = await self.handler.handle(update)
        return Response(status_code=503 if outcome is Outcome.RETRY else 200)

    def _authorised(self, given: str | None) -> bool:
        """Constant-time comparison; with no secret configured, nothing is accepted."""
        if not self.secret or given is None:
            return False
        return hmac.compare_digest(given.encode("latin-1"), self.secret)


def install(app: FastAPI, runtime: Runtime) -> None:
    """Adds the webhook (and the PTB lifetime) when Telegram is configured."""
    settings = runtime.settings.telegram
    if settings is None:
        return
    if not settings.webhook_secret:
        log.warning(
            "JOBBOT_TELEGRAM_WEBHOOK_SECRET is not set: the webhook refuses every "
            "update (use `jobbot telegram poll`, or set the secret)"
        )
    hook = TelegramWebhook(runtime, settings)
    router = APIRouter(lifespan=hook.lifespan)
    router.add_api_route(PATH, hook.receive, methods=["POST"], include_in_schema=False)
    app.include_router(router)
