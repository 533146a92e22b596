"""The dialog engine: one unit of work per incoming message.

Load (and lock) the conversation, answer a re-delivery from its stored reply, run
the step, then write the new state, the domain rows, the outbox rows and the inbound
record together. A crash anywhere leaves all of it or none of it. The unit is a
transaction of its own, or, on SQLite's engine lane, a savepoint in the transaction that
commits the lane's run of messages before any of their replies is handed over
(``Database.keeping``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.content.loader import Content
from core.delivery.outbox import cancel_pending
from core.dialog import conversation, router
from core.dialog.commands import CommandWords, fold
from core.dialog.flow import Ctx, Eraser, Parts, State, Transition
from core.dialog.identity import ChatIdentity
from core.dialog.messages import Incoming, Outgoing, Reply, Text, t
from core.people import audit
from core.people.personal import Vault
from core.people.staff import view
from core.storage.db import Database
from core.storage.models import Conversation, InboundMessage, Staff
from core.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_HISTORY = 20
FOLDS_KEPT = 4096  # folded option labels with parameters, by their rendered text
OnReply = Callable[[Session, Reply], None]
OnLocked = Callable[[], None]


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
        parts: Parts,
        config: EngineConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        erasers: Sequence[Eraser] = (),
    ) -> None:
        """``parts``: the assembled features' flows and menu; ``erasers``: what each
        feature deletes when a chat identity leaves."""
        self.db, self.content, self.vault, self.parts = db, content, vault, parts
        self.erasers = tuple(erasers)
        self.config = config or EngineConfig()
        self.clock = clock
        self.words = CommandWords(content.catalog)
        self._labels: dict[tuple[str, str], str] = {}
        self._folds: dict[str, str] = {}

    def handle(
        self,
        incoming: Incoming,
        on_reply: OnReply | None = None,
        on_locked: OnLocked | None = None,
    ) -> Reply:
        """``on_reply(session, reply)`` runs inside the transaction once a new reply exists:
        an adapter whose caller stopped waiting (WeChat's deadline) queues it in the outbox
        there, so the reply is committed with the step or not at all. ``on_locked()`` runs
        once the conversation is locked (the database answered); whatever it raises rolls
        the message back, e.g. when the caller already told the platform to re-deliver."""
        try:
            return self._handle_once(incoming, on_reply, on_locked)
        except IntegrityError:
            # A concurrent delivery of the same message id won the race; its reply stands.
            log.info("re-delivery raced on %s message; answering from the record", incoming.channel)
            return self._handle_once(incoming, on_reply, on_locked)

    def forget(self, channel: str, user_id: str) -> bool:
        """Deletes a chat identity's chat-side data (state, link, re-delivery records) and
        stops every push to it, e.g. when a WeChat user unfollows. Government records the
        person made are not touched. Returns whether there was anything to forget."""
        with self.db.transaction() as session:
            conv = session.exec(
                select(Conversation)
                .where(Conversation.channel == channel)
                .where(Conversation.external_id == user_id)
                .with_for_update()
            ).first()
            cancel_pending(session, channel, user_id, "recipient left the channel")
            for erase in self.erasers:
                erase(session, channel, user_id)
            session.execute(
                sa.delete(InboundMessage)
                .where(col(InboundMessage.channel) == channel)
                .where(col(InboundMessage.external_id) == user_id)
            )
            if conv is None:
                return False
            audit.record(
                session,
                actor="system",
                action="identity.forget",
                subject=f"conversation:{conv.id}",
                channel=channel,
            )
            session.delete(conv)
            return True

    def _handle_once(
        self, incoming: Incoming, on_reply: OnReply | None, on_locked: OnLocked | None
    ) -> Reply:
        with self.db.joined() as (conn, session):
            conv, found = conversation.lock(conn, incoming, self.config.default_lang, self.clock())
            if on_locked is not None:
                on_locked()
            if incoming.message_id:
                prior = conversation.prior_reply(conn, found, incoming)
                if prior is not None:
                    return Reply.from_json(self._unseal(prior), duplicate=True)
            reply = self._step(session, conv, incoming, bool(found["any_held"]))
            if incoming.message_id:
                conversation.save(conn, conv, incoming, self._seal(reply), self.clock())
            else:
                conversation.save(conn, conv)
            if on_reply is not None:
                on_reply(session, reply)
            return reply

    def _seal(self, reply: Reply) -> dict[str, str]:
        """The stored reply, encrypted: a staff member's unmasked view may be in it."""
        return {"sealed": self.vault.encrypt(reply.dumps().decode())}

    def _unseal(self, stored: Mapping[str, Any]) -> Mapping[str, Any]:
        if "sealed" not in stored:
            return stored
        loaded: Mapping[str, Any] = orjson.loads(self.vault.decrypt(stored["sealed"]))
        return loaded

    def _step(
        self, session: Session, conv: ChatIdentity, incoming: Incoming, any_held: bool
    ) -> Reply:
        now = self.clock()
        ctx = self._ctx(session, conv, now)
        state = State(conv.flow, conv.step, dict(conv.data or {}))
        preface: list[Outgoing] = []
        idle_since = conv.last_inbound_at
        # Reopening a chat shows the open question again, so an old state is no trap there.
        reopened = incoming.event == "open"
        if (
            state.flow
            and idle_since
            and now - idle_since > self.config.idle_timeout
            and not reopened
        ):
            preface.append(Outgoing(t("system.idle_restart")))
            state, conv.history = State(), []
        transition = router.route(self.words, ctx, conv, state, incoming)
        held = conversation.held_notices(session, conv, now) if any_held else ()
        replies = tuple(preface) + transition.replies + held
        self._leave_state(conv, state, transition, now)
        return Reply(conv.lang, replies)

    def _ctx(self, session: Session, conv: ChatIdentity, now: datetime) -> Ctx:
        staff = session.get(Staff, conv.staff_id) if conv.staff_id else None
        assert conv.id is not None
        return Ctx(
            session=session,
            content=self.content,
            vault=self.vault,
            now=now,
            channel=conv.channel,
            user_id=conv.external_id,
            lang=conv.lang,
            staff=view(staff) if staff is not None and staff.active else None,
            conversation_id=conv.id,
            parts=self.parts,
        )

    def _leave_state(
        self, conv: ChatIdentity, before: State, transition: Transition, now: datetime
    ) -> None:
        """The conversation as the step leaves it; ``_handle_once`` writes it back."""
        after = transition.state
        history = list(conv.history or [])
        if after.flow is None:
            history = []
        elif (
            transition.remember
            and after.flow == before.flow
            and after.step != before.step
            and before.step
        ):
            history = [*history, before.step][-MAX_HISTORY:]
        elif after.flow != before.flow:
            history = []
        shown = [m for m in transition.replies if m.options]
        if shown:
            # Ids with their labels as the user read them, so typing a label picks it too.
            conv.last_options = [
                [o.id, self._folded(o.label, conv.lang)] for o in shown[-1].options
            ]
        elif after.flow is None:
            conv.last_options = []
        conv.flow, conv.step, conv.data = after.flow, after.step, dict(after.data)
        conv.history = history
        conv.last_inbound_at = conv.updated_at = now
        conv.reachable, conv.unreachable_reason = True, None  # they wrote to us: reachable again

    def _folded(self, label: Text, lang: str) -> str:
        """An option label as typed words are compared with it (memoised when fixed)."""
        if label.params:
            # A job line and the like: rendered once per distinct line by the catalog; its
            # folding is remembered by the rendered text (NFKC is most of the cost).
            shown = self.content.catalog.label(label, lang)
            folded = self._folds.get(shown)
            if folded is None:
                if len(self._folds) >= FOLDS_KEPT:
                    self._folds.clear()
                folded = self._folds[shown] = fold(shown)
            return folded
        key = (lang, label.id)
        found = self._labels.get(key)
        if found is None:
            found = self._labels[key] = fold(self.content.catalog.text(label, lang))
        return found
