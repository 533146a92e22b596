"""One update through the engine: answer the button, deliver the reply, never act twice.

A reply is queued in the outbox in the engine's own transaction, claimed by the request
for ``REPLY_LEASE``; the request sends it message by message and records each one sent.
If the process dies in between, what is missing is still there: a re-delivery of the
update (once the claim has lapsed) or the worker sends the rest.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col, select
from telegram import Bot, Update
from telegram.error import TelegramError

from bots.telegram import CHANNEL
from bots.telegram.delivery import send_outgoing
from bots.telegram.updates import Inbound, translate
from core.delivery.outbox import (
    FAILED,
    PENDING,
    keep_reply,
    mark_unreachable,
    reply_progress,
)
from core.delivery.sending import PermanentError, TransientError
from core.dialog.conversation import pick_lang
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.runtime import Runtime
from core.storage.db import UNAVAILABLE
from core.storage.models import OutboxMessage
from core.timeutil import utcnow

log = logging.getLogger(__name__)
# Database trouble a later attempt may not meet: nothing was stored, so let Telegram re-deliver.
RETRYABLE = UNAVAILABLE
# How long a request owns the reply it is sending; past it the worker (or a re-delivery)
# sends what the request did not record as sent.
REPLY_LEASE = timedelta(seconds=60)


def reply_key(message_id: str | None) -> str:
    return f"{CHANNEL}:reply:{message_id}"


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
        claim = f"reply:{secrets.token_hex(8)}"
        try:
            reply = await self.runtime.lane.run(self._run_engine, inbound.incoming, claim)
        except RETRYABLE as exc:
            log.warning("telegram update left for re-delivery: %s", type(exc).__name__)
            await self._answer(inbound, self._lang(inbound.lang_hint), expired=False)
            return Outcome.RETRY
        if reply.duplicate:
            try:
                rest = await self.runtime.lane.run(self._take_over, inbound.incoming, claim)
            except RETRYABLE:
                return Outcome.RETRY
            if rest is not None:  # the first delivery died before sending all of it
                await self._deliver(inbound.incoming, rest, claim)
            return Outcome.DUPLICATE
        await self._answer(inbound, reply.lang, expired=_is_stale(reply))
        await self._deliver(inbound.incoming, reply, claim)
        return Outcome.DONE

    def _run_engine(self, incoming: Incoming, claim: str) -> Reply:
        """The engine's reply, queued and claimed with the step; a bug becomes an apology
        (nothing was stored) instead of a loop of re-deliveries that would hold up every
        later update."""

        def keep(session: Session, reply: Reply) -> None:
            if reply.messages:
                conn = session.get_bind()  # the engine's connection, in its transaction
                assert isinstance(conn, sa.Connection)
                keep_reply(
                    conn,
                    key=reply_key(incoming.message_id),
                    channel=CHANNEL,
                    recipient=incoming.user_id,
                    reply=reply,
                    claim=claim,
                    lease_until=utcnow() + REPLY_LEASE,
                )

        try:
            return self.runtime.engine.handle(incoming, on_reply=keep)
        except RETRYABLE:
            raise
        except Exception:
            log.exception("the dialog engine failed on a telegram update")
            return Reply(self._lang(incoming.lang_hint), (Outgoing(t("telegram.failed")),))

    def _take_over(self, incoming: Incoming, claim: str) -> Reply | None:
        """The unsent rest of an earlier delivery's reply whose claim lapsed, now ours."""
        now = utcnow()
        with self.runtime.db.transaction() as session:
            row = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.idempotency_key == reply_key(incoming.message_id))
                .where(OutboxMessage.status == PENDING)
                .where(OutboxMessage.next_attempt_at <= now)  # flood control's wait holds
                .where(
                    sa.or_(
                        col(OutboxMessage.lease_until).is_(None),
                        col(OutboxMessage.lease_until) < now,
                    )
                )
                .with_for_update()
            ).first()
            if row is None:
                return None
            row.claimed_by, row.lease_until = claim, now + REPLY_LEASE
            row.attempts += 1
            session.add(row)
            return Reply.from_json(row.payload)

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

    async def _deliver(self, incoming: Incoming, reply: Reply, claim: str) -> None:
        """Sends the reply in order, recording each message sent on its outbox row; what
        cannot be sent now is left there for the dispatcher."""
        chat_id = int(incoming.user_id)
        for index, message in enumerate(reply.messages):
            try:
                await send_outgoing(self.bot, self.catalog, chat_id, message, reply.lang)
            except TransientError as exc:
                log.info("telegram reply deferred to the outbox: %s", exc.reason)
                not_before = utcnow() + timedelta(seconds=exc.retry_after or 0)
                await self._record(incoming, reply, index, claim, PENDING, exc.reason, not_before)
                return
            except PermanentError as exc:
                log.warning("telegram reply not delivered: %s", exc.reason)
                await self._record(incoming, reply, index, claim, FAILED, exc.reason)
                return
            await self._progress(incoming, reply, index + 1, claim)

    async def _progress(self, incoming: Incoming, reply: Reply, sent: int, claim: str) -> None:
        """``sent`` messages of the reply are out: the row keeps only the rest."""
        rest = reply.messages[sent:]
        pending = Reply(reply.lang, rest) if rest else None
        key = reply_key(incoming.message_id)
        try:
            await self.runtime.lane.run(
                lambda: reply_progress(self.runtime.db, key=key, claim=claim, rest=pending)
            )
        except sa_exc.SQLAlchemyError:
            # The row still holds what was unsent before: once the claim lapses the worker
            # sends it, at worst one message twice, never one lost.
            log.warning("progress of a telegram reply not recorded; the worker resends it")

    async def _record(
        self,
        incoming: Incoming,
        reply: Reply,
        start: int,
        claim: str,
        status: str,
        error: str,
        not_before: datetime | None = None,
    ) -> None:
        """A reply the request stops sending: the rest left to the dispatcher after
        ``not_before`` (status pending), or given up (failed). Only while our claim holds:
        a row the worker took over is the worker's."""
        values: dict[str, object] = {"status": status, "last_error": error, "lease_until": None}
        if status == PENDING:
            values["payload"] = Reply(reply.lang, reply.messages[start:]).to_json()
            values.update(next_attempt_at=not_before or utcnow(), claimed_by=None)

        def write() -> None:
            with self.runtime.db.transaction() as session:
                session.execute(
                    sa.update(OutboxMessage)
                    .where(col(OutboxMessage.idempotency_key) == reply_key(incoming.message_id))
                    .where(col(OutboxMessage.claimed_by) == claim)
                    .where(col(OutboxMessage.status) == PENDING)
                    .values(**values)
                )

        try:
            await self.runtime.lane.run(write)
        except sa_exc.SQLAlchemyError:
            # The claim lapses on its own: the worker then sends the rest.
            log.warning("a telegram reply left unrecorded; the worker sends it after its claim")


def _is_stale(reply: Reply) -> bool:
    return bool(reply.messages) and reply.messages[0].text.id == "system.stale_choice"
