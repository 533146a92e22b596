"""Long polling (getUpdates) for a machine with no public URL, through the webhook's handler:
same translation, same engine, same re-delivery records."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bots.senders import build_senders
from bots.telegram.admin import register_commands
from bots.telegram.bot import build_application
from bots.telegram.delivery import seconds
from bots.telegram.handling import Outcome, UpdateHandler
from bots.telegram.updates import ALLOWED_UPDATES
from core.delivery.worker import run_worker
from core.runtime import Runtime
from core.settings import TelegramSettings

log = logging.getLogger(__name__)
ERROR_DELAY = 5.0
Sleep = Callable[[float], Awaitable[None]]


class PollConflict(Exception):
    """Telegram refuses getUpdates: a webhook is set, or another poller uses this token."""


async def poll(
    bot: Bot,
    handler: UpdateHandler,
    *,
    timeout: int = 30,
    rounds: int | None = None,
    sleep: Sleep = asyncio.sleep,
) -> None:
    """Fetches and handles updates in order; ``rounds`` bounds the loop (tests)."""
    offset: int | None = None
    done = 0
    while rounds is None or done < rounds:
        done += 1
        for update in await _fetch(bot, offset, timeout, sleep):
            if await handler.handle(update) is Outcome.RETRY:
                await sleep(ERROR_DELAY)  # not confirmed: Telegram hands it out again
                break
            offset = update.update_id + 1


async def _fetch(bot: Bot, offset: int | None, timeout: int, sleep: Sleep) -> tuple[Update, ...]:
    try:
        return await bot.get_updates(
            offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
        )
    except Conflict as exc:
        raise PollConflict(exc.message) from exc
    except InvalidToken:
        raise
    except RetryAfter as exc:
        await sleep(seconds(exc.retry_after))
    except TelegramError as exc:
        log.warning("getUpdates failed (%s); trying again", exc.message)
        await sleep(ERROR_DELAY)
    return ()


async def run_polling(
    runtime: Runtime,
    settings: TelegramSettings,
    *,
    worker: bool,
    timeout: int = 30,
    rounds: int | None = None,
) -> None:
    """`jobbot telegram poll`: the command menu, then updates until interrupted, with the
    dispatcher and scheduler alongside unless ``worker`` is off."""
    application = build_application(settings)
    async with application:
        await register_commands(application.bot, runtime.content.catalog)
        handler = UpdateHandler(runtime, application.bot)
        background = None
        if worker:
            background = asyncio.create_task(run_worker(runtime, build_senders(runtime)))
        try:
            await poll(application.bot, handler, timeout=timeout, rounds=rounds)
        finally:
            if background is not None:
                background.cancel()
                with suppress(asyncio.CancelledError):
                    await background
