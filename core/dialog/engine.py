"""The dialog engine: one transaction per incoming message.

Load (and lock) the conversation, answer a re-delivery from its stored reply, run
the step, then write the new state, the domain rows, the outbox rows and the inbound
record together. A crash anywhere leaves all of it or none of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.content.loader import Content
from core.db import Database
from core.dialog import router
from core.dialog.commands import CommandWords
from core.dialog.flow import Ctx, Flow, State, Transition
from core.messages import Incoming, Outgoing, Reply, t
from core.models import Conversation, InboundMessage, OutboxMessage, Staff
from core import audit
from core.outbox import HELD, SENT, cancel_pending
from core.personal import Vault
from core.staff import view
from core.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_HISTORY = 20


@dataclass(frozen=True)
class EngineConfig:
    idle_timeout: timedelta = timedelta(minutes=30)
    default_lang: str = "zh-CN"


class Engine:
    """Turns ``Incoming`` into a ``Reply``; knows nothing about any platform."""

    def __init__(
        self,
        db: Database,
        content: Content,
        vault: Vault,
        flows: Mapping[str, Flow],
        config: EngineConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db, self.content, self.vault, self.flows = db, content, vault, dict(flows)
        self.config = config or EngineConfig()
        self.clock = clock
        self.words = CommandWords(content.catalog)

    def handle(self, incoming: Incoming) -> Reply:
        try:
            return self._handle_once(incoming)
        except IntegrityError:
            # A concurrent delivery of the same message id won the race; its reply stands.
            log.info("re-delivery raced on %s message; answering from the record", incoming.channel)
            return self._handle_once(incoming)

    def forget(self, channel: str, user_id: str) -> bool:
        """Deletes a chat identity's chat-side data (state, link, re-delivery records) and
        stops every push to it, e.g. when a WeChat user unfollows. Government records the
        person made are not touched. Returns whether there was anything to forget."""
        with self.db.transaction() as session:
            conv = session.exec(
                select(Conversation).where(Conversation.channel == channel)
                .where(Conversation.external_id == user_id).with_for_update()
            ).first()
            cancel_pending(session, channel, user_id, "recipient left the channel")
            session.execute(sa.delete(InboundMessage)
                            .where(col(InboundMessage.channel) == channel)
                            .where(col(InboundMessage.external_id) == user_id))
            if conv is None:
                return False
            audit.record(session, actor="system", action="identity.forget",
                         subject=f"conversation:{conv.id}", channel=channel)
            session.delete(conv)
            return True

    def _handle_once(self, incoming: Incoming) -> Reply:
        with self.db.transaction() as session:
            conv = lock_conversation(session, incoming, self.config.default_lang, self.clock())
            if incoming.message_id:
                prior = session.exec(
                    select(InboundMessage)
                    .where(InboundMessage.channel == incoming.channel)
                    .where(InboundMessage.message_id == incoming.message_id)
                ).first()
                if prior is not None:
                    return Reply.from_json(prior.reply, duplicate=True)
            reply = self._step(session, conv, incoming)
            if incoming.message_id:
                session.add(InboundMessage(
                    channel=incoming.channel, message_id=incoming.message_id,
                    external_id=incoming.user_id, reply=reply.to_json(),
                ))
            return reply

    def _step(self, session: Session, conv: Conversation, incoming: Incoming) -> Reply:
        now = self.clock()
        ctx = self._ctx(session, conv, now)
        state = State(conv.flow, conv.step, dict(conv.data or {}))
        preface: list[Outgoing] = []
        idle_since = conv.last_inbound_at
        if state.flow and idle_since and now - idle_since > self.config.idle_timeout:
            preface.append(Outgoing(t("system.idle_restart")))
            state, conv.history = State(), []
        transition = router.route(self, ctx, conv, state, incoming)
        replies = tuple(preface) + transition.replies + _held_notices(session, conv, now)
        self._save(session, conv, state, transition, now)
        return Reply(conv.lang, replies)

    def _ctx(self, session: Session, conv: Conversation, now: datetime) -> Ctx:
        staff = session.get(Staff, conv.staff_id) if conv.staff_id else None
        assert conv.id is not None
        return Ctx(
            session=session, content=self.content, vault=self.vault, now=now,
            channel=conv.channel, user_id=conv.external_id, lang=conv.lang,
            staff=view(staff) if staff is not None and staff.active else None,
            conversation_id=conv.id,
        )

    def _save(self, session: Session, conv: Conversation, before: State,
              transition: Transition, now: datetime) -> None:
        after = transition.state
        history = list(conv.history or [])
        if after.flow is None:
            history = []
        elif (transition.remember and after.flow == before.flow and after.step != before.step
              and before.step):
            history = [*history, before.step][-MAX_HISTORY:]
        elif after.flow != before.flow:
            history = []
        shown = [m for m in transition.replies if m.options]
        if shown:
            conv.last_options = [o.id for o in shown[-1].options]
        elif after.flow is None:
            conv.last_options = []
        conv.flow, conv.step, conv.data = after.flow, after.step, dict(after.data)
        conv.history = history
        conv.last_inbound_at = conv.updated_at = now
        conv.reachable, conv.unreachable_reason = True, None  # they wrote to us: reachable again
        session.add(conv)

    def with_lang(self, ctx: Ctx, lang: str) -> Ctx:
        return replace(ctx, lang=lang)


def _held_notices(session: Session, conv: Conversation, now: datetime) -> tuple[Outgoing, ...]:
    """Pushes a channel could not send (WeChat's window closed) ride along with this reply."""
    held = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.channel == conv.channel)
        .where(OutboxMessage.recipient == conv.external_id)
        .where(OutboxMessage.status == HELD)
        .order_by(col(OutboxMessage.id))
    ).all()
    if not held:
        return ()
    out: list[Outgoing] = [Outgoing(t("system.pending_notices", count=len(held)))]
    for row in held:
        out.extend(Reply.from_json(row.payload).messages)
        row.status, row.sent_at = SENT, now
        session.add(row)
    return tuple(out)


def lock_conversation(session: Session, incoming: Incoming, default_lang: str,
                      now: datetime) -> Conversation:
    """The conversation row, created on first contact and locked until commit.

    The lock (FOR UPDATE on PostgreSQL; SQLite's write lock, taken by BEGIN IMMEDIATE)
    makes messages of one user run one at a time, whichever process receives them.
    """
    lang = pick_lang(incoming.lang_hint, default_lang)
    table = Conversation.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(table)
        .values(channel=incoming.channel, external_id=incoming.user_id, lang=lang, data={},
                history=[], last_options=[], reachable=True, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    )
    return session.exec(
        select(Conversation)
        .where(Conversation.channel == incoming.channel)
        .where(Conversation.external_id == incoming.user_id)
        .with_for_update()
    ).one()


def pick_lang(hint: str | None, default: str) -> str:
    """A platform language code (``en-GB``, ``zh-hans``) mapped to a catalog language."""
    if hint and hint.lower().startswith("en"):
        return "en"
    if hint and hint.lower().startswith("zh"):
        return "zh-CN"
    return default
