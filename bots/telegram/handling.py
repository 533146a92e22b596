"""One update through the engine: answer the button, deliver the reply, never act twice."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum

import anyio
from sqlalchemy import exc as sa_exc
from telegram import Bot, Update
from telegram.error import TelegramError

from bots.telegram import CHANNEL
from bots.telegram.delivery import send_outgoing
from bots.telegram.updates import Inbound, translate
from core.delivery.outbox import enqueue, mark_unreachable
from core.delivery.sending import PermanentError, TransientError
from core.dialog.conversation import pick_lang
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.runtime import Runtime
from core.storage.db import UNAVAILABLE
from core.timeutil import utcnow

log = logging.getLogger(__name__)
# Database trouble a later attempt may not meet: nothing was stored, so let Telegram re-deliver.
RETRYABLE = UNAVAILABLE


class Outcome(StrEnum):
    IGNORED = "ignored"  # a kind of update the bot does not act on
    DONE = "done"
    DUPLICATE = "duplicate"  # seen before: nothing sent, nothing changed
    RETRY = "retry"  # not handled (database unavailable): ask Telegram to deliver it again


class UpdateHandler:
    """What the webhook and the poller both call, so both behave alike."""

    def __init__(self, runtime: Runtime, bot: Bot) -> None:
        self.runtime, self.bot = runtime, bot
        self.catalog = runtime.content.catalog

    async def handle(self, update: Update) -> Outcome:
        inbound = translate(update)
        if inbound is None:
            return Outcome.IGNORED
        if inbound.blocked_by is not None:
            try:
                await self.runtime.lane.run(self._blocked, inbound.blocked_by)
            except RETRYABLE as exc:
                log.warning("telegram update left for re-delivery: %s", type(exc).__name__)
                return Outcome.RETRY
            return Outcome.DONE
        if inbound.incoming is None:
            await self._answer(inbound, self._lang(inbound.lang_hint), expired=True)
            return Outcome.IGNORED
        try:
            reply = await self.runtime.lane.run(self._run_engine, inbound.incoming)
        except RETRYABLE as exc:
            log.warning("telegram update left for re-delivery: %s", type(exc).__name__)
            await self._answer(inbound, self._lang(inbound.lang_hint), expired=False)
            return Outcome.RETRY
        if reply.duplicate:
            return Outcome.DUPLICATE
        await self._answer(inbound, reply.lang, expired=_is_stale(reply))
        await self._deliver(inbound.incoming, reply)
        return Outcome.DONE

    def _run_engine(self, incoming: Incoming) -> Reply:
        """The engine's reply; a bug becomes an apology (nothing was stored) instead of a loop
        of re-deliveries that would hold up every later update."""
        try:
            return self.runtime.engine.handle(incoming)
        except RETRYABLE:
            raise
        except Exception:
            log.exception("the dialog engine failed on a telegram update")
            return Reply(self._lang(incoming.lang_hint), (Outgoing(t("telegram.failed")),))

    def _blocked(self, chat_id: str) -> None:
        with self.runtime.db.transaction() as session:
            mark_unreachable(session, CHANNEL, chat_id, "blocked the bot")

    def _lang(self, hint: str | None) -> str:
        return pick_lang(hint, self.runtime.engine.config.default_lang)

    async def _answer(self, inbound: Inbound, lang: str, *, expired: bool) -> None:
        """Stops the button's spinner; a dead or stale button gets a short notice."""
        if inbound.callback_id is None:
            return
        text = self.catalog.text(t("telegram.button_expired"), lang) if expired else None
        try:
            await self.bot.answer_callback_query(inbound.callback_id, text=text)
        except TelegramError as exc:
            log.info("callback query not answered: %s", exc.message)

    async def _deliver(self, incoming: Incoming, reply: Reply) -> None:
        """Sends the reply in order; what cannot be sent now goes to the outbox."""
        chat_id = int(incoming.user_id)
        for index, message in enumerate(reply.messages):
            try:
                await send_outgoing(self.bot, self.catalog, chat_id, message, reply.lang)
            except TransientError as exc:
                await self._park(incoming, reply, index, exc)
                return
            except PermanentError as exc:
                log.warning("telegram reply not delivered: %s", exc.reason)
                return

    async def _park(
        self, incoming: Incoming, reply: Reply, start: int, error: TransientError
    ) -> None:
        """The unsent rest of a reply becomes an outbox row; the dispatcher retries it."""
        log.info("telegram reply deferred to the outbox: %s", error.reason)
        not_before = utcnow() + timedelta(seconds=error.retry_after or 0)

        def write() -> None:
            with self.runtime.db.transaction() as session:
                enqueue(
                    session,
                    key=f"{CHANNEL}:reply:{incoming.message_id}",
                    channel=CHANNEL,
                    recipient=incoming.user_id,
                    kind="reply",
                    messages=reply.messages[start:],
                    lang=reply.lang,
                    not_before=not_before,
                )

        try:
            await anyio.to_thread.run_sync(write)
        except sa_exc.SQLAlchemyError:
            log.exception("a telegram reply could not be deferred and is lost")


def _is_stale(reply: Reply) -> bool:
    return bool(reply.messages) and reply.messages[0].text.id == "system.stale_choice"
