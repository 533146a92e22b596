"""Answers a vetted message inside WeChat's 5-second deadline, or hands it to the outbox.

The engine is synchronous and runs on the runtime's lane (core/dialog/lane.py). The request
waits at most the reply budget; if the engine is not done by then, the request answers
"success" and the reply goes to the outbox (key from the MsgId) in the engine's own
transaction, so the dispatcher delivers it as a customer-service message. A small lock
decides who owns the reply, so it is neither lost nor delivered twice.

"success" is only said for a message the database has: if at the deadline the engine has
not even locked the conversation (a busy SQLite file, PostgreSQL away, a long queue), the
request answers 503 instead, WeChat delivers the message again, and the engine's run, when
it gets the lock at last, rolls back rather than act on a message WeChat is re-sending.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from sqlmodel import Session, select

from bots.wechat import continuation, quota, refusals
from bots.wechat.inbound import CHANNEL, Action, Plan
from bots.wechat.render import reply_text, split_parts
from bots.wechat.storage import forget_keys
from core.delivery.outbox import enqueue
from core.dialog.commands import fold
from core.dialog.messages import Outgoing, Reply, t
from core.runtime import Runtime
from core.storage.models import Conversation, OutboxMessage
from core.timeutil import utcnow

log = logging.getLogger(__name__)
LATE_KIND = "reply"


def late_key(message_id: str) -> str:
    return f"wechat:reply:{message_id}"


class LeftForRetry(Exception):
    """The message could not be stored within the budget: answer so that WeChat re-sends."""


class Handoff:
    """Who owns a reply: the waiting request, or (once it gave up) the worker thread.

    running -> locked (the engine holds the conversation) -> done | abandoned;
    running -> refused (the deadline came first: the request answers 503)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = "running"

    def locked(self) -> None:
        """The engine holds the conversation; raises when the request already refused."""
        with self._lock:
            if self._state == "refused":
                raise LeftForRetry("WeChat was asked to re-deliver this message")
            if self._state == "running":
                self._state = "locked"

    def finish(self) -> bool:
        """The thread is done; True when the request still waits for the answer."""
        with self._lock:
            if self._state in ("abandoned", "refused"):
                return False
            self._state = "done"
            return True

    def abandon(self) -> str:
        """The budget is spent: "done" (the answer is there), "abandoned" (the thread
        delivers through the outbox) or "refused" (nothing is stored: ask for a retry)."""
        with self._lock:
            if self._state == "running":
                self._state = "refused"
            elif self._state == "locked":
                self._state = "abandoned"
            return self._state


def _report_failure(task: asyncio.Future[str | None]) -> None:
    if task.cancelled() or (exc := task.exception()) is None:
        return
    if isinstance(exc, LeftForRetry):
        log.info("a WeChat message left for WeChat's retry was rolled back")
    else:
        log.error("handling a WeChat message failed", exc_info=exc)


class PassiveReplies:
    def __init__(self, runtime: Runtime, budget_seconds: float) -> None:
        self.rt, self.budget = runtime, budget_seconds
        catalog = runtime.content.catalog
        self.more_words = {
            fold(w) for v in catalog.variants("wechat.more.words") for w in v.split("|") if fold(w)
        }
        self._tasks: set[asyncio.Future[str | None]] = set()

    async def answer(self, plan: Plan) -> str | None:
        """The text to reply with, or None to answer "success"."""
        if plan.action is Action.IGNORE:
            return None
        if plan.action is Action.FORGET:
            await self.rt.lane.run(self._forget, plan.openid)
            return None
        if plan.action is Action.TEMPLATES_REFUSED:
            await self.rt.lane.run(self._templates_refused, plan.openid)
            return None
        if plan.action is Action.UNHEARD:
            return await self.rt.lane.run(self._unheard, plan.openid)
        return await self._within_budget(plan)

    async def _within_budget(self, plan: Plan) -> str | None:
        handoff = Handoff()
        work = self.rt.lane.submit(self._work, plan, handoff)
        self._tasks.add(work)  # keeps a late reply observable after the request returned
        work.add_done_callback(self._tasks.discard)
        work.add_done_callback(_report_failure)
        woken = asyncio.get_running_loop().create_future()

        def wake(_: object = None) -> None:
            if not woken.done():
                woken.set_result(None)

        work.add_done_callback(wake)
        timer = asyncio.get_running_loop().call_later(self.budget, wake)
        try:
            await woken
        finally:
            timer.cancel()
        if not work.done():
            verdict = handoff.abandon()
            if verdict == "abandoned":
                log.info("reply took over %.1fs; delivering it later", self.budget)
                return None
            if verdict == "refused":
                log.warning("a WeChat message was not stored within %.1fs", self.budget)
                raise LeftForRetry()
        if work.done():
            return work.result()
        # The thread is done ("done" above) but its group is still being committed.
        return await asyncio.shield(work)

    async def drain(self) -> None:
        """Waits for replies still being worked out (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _work(self, plan: Plan, handoff: Handoff) -> str | None:
        incoming = plan.incoming
        assert incoming is not None and incoming.message_id is not None
        if incoming.text and fold(incoming.text) in self.more_words:
            part = continuation.next_part(self.rt.db, plan.openid, incoming.message_id)
            if part is not None:
                return self._hand_over(
                    plan,
                    handoff,
                    Reply(self._lang(plan.openid), (Outgoing(t("wechat.part", text=part)),)),
                )
        took_over = False

        def late(session: Session, reply: Reply) -> None:
            # Decided inside the engine's transaction: a reply the request no longer waits
            # for is queued with the step itself, so a crash cannot lose it.
            nonlocal took_over
            if not handoff.finish():
                took_over = True
                self._enqueue_late(session, plan.openid, incoming.message_id or "", reply)

        reply = self.rt.engine.handle(incoming, on_reply=late, on_locked=handoff.locked)
        if took_over:
            return None
        if reply.duplicate and self._went_late(incoming.message_id):
            handoff.finish()
            return None  # the first delivery went through the outbox: do not send it twice
        return self._hand_over(plan, handoff, reply)

    def _hand_over(self, plan: Plan, handoff: Handoff, reply: Reply) -> str | None:
        assert plan.incoming is not None and plan.incoming.message_id is not None
        if not handoff.finish():
            with self.rt.db.transaction() as session:
                self._enqueue_late(session, plan.openid, plan.incoming.message_id, reply)
            return None
        if not reply.messages:
            return None
        parts = split_parts(
            self.rt.content.catalog, reply_text(self.rt.content.catalog, reply), reply.lang
        )
        if len(parts) > 1 and not reply.duplicate:
            with self.rt.db.transaction() as session:
                continuation.keep(session, plan.openid, parts[1:], utcnow())
        return parts[0]

    def _enqueue_late(self, session: Session, openid: str, message_id: str, reply: Reply) -> None:
        if not reply.messages:
            return
        enqueue(
            session,
            key=late_key(message_id),
            channel=CHANNEL,
            recipient=openid,
            kind=LATE_KIND,
            messages=reply.messages,
            lang=reply.lang,
        )

    def _went_late(self, message_id: str) -> bool:
        with self.rt.db.reading() as session:  # reads never queue for SQLite's write lock
            found = session.exec(
                select(OutboxMessage.id).where(
                    OutboxMessage.idempotency_key == late_key(message_id)
                )
            )
            return found.first() is not None

    def _forget(self, openid: str) -> None:
        self.rt.engine.forget(CHANNEL, openid)
        with self.rt.db.transaction() as session:
            forget_keys(
                session,
                [*quota.keys_of(openid), continuation.key_of(openid), refusals.key_of(openid)],
            )

    def _templates_refused(self, openid: str) -> None:
        log.info("a resident refused template messages; their notices no longer use them")
        with self.rt.db.transaction() as session:
            refusals.remember(session, openid, utcnow())

    def _unheard(self, openid: str) -> str:
        return self.rt.content.catalog.text(t("wechat.voice_unrecognised"), self._lang(openid))

    def _lang(self, openid: str) -> str:
        with self.rt.db.reading() as session:
            lang = session.exec(
                select(Conversation.lang)
                .where(Conversation.channel == CHANNEL)
                .where(Conversation.external_id == openid)
            ).first()
        return lang or self.rt.engine.config.default_lang
