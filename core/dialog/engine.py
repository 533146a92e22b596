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
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.content.loader import Content
from core.delivery.outbox import HELD, SENT, cancel_pending
from core.dialog import router
from core.dialog.commands import CommandWords, fold
from core.dialog.flow import Ctx, Flow, State, Transition
from core.dialog.identity import ChatIdentity
from core.dialog.messages import Incoming, Outgoing, Reply, Text, t
from core.people import audit
from core.people.personal import Vault
from core.people.staff import view
from core.storage.db import Database, json_text
from core.storage.models import Conversation, InboundMessage, OutboxMessage, Staff
from core.storage.prepared import PreparedSet, driver_connection
from core.timeutil import utcnow

log = logging.getLogger(__name__)
MAX_HISTORY = 20
FOLDS_KEPT = 4096  # folded option labels with parameters, by their rendered text
OnReply = Callable[[Session, Reply], None]

# Built once: the hot path runs these on every message.
_INBOUND = InboundMessage.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_CONV = Conversation.__table__  # type: ignore[attr-defined]
_PRIOR_REPLY = sa.select(_INBOUND.c.reply).where(
    _INBOUND.c.channel == sa.bindparam("channel"),
    _INBOUND.c.message_id == sa.bindparam("message_id"),
)
_ANY_HELD = sa.exists(
    sa.select(_OUTBOX.c.id)
    .where(_OUTBOX.c.recipient == _CONV.c.external_id)
    .where(_OUTBOX.c.channel == _CONV.c.channel)
    .where(_OUTBOX.c.status == HELD)
)
_CONV_WHERE = (
    _CONV.c.channel == sa.bindparam("channel"),
    _CONV.c.external_id == sa.bindparam("external_id"),
)
# The conversation, locked, with whether pushes wait for it (``any_held``) in the same
# statement. On SQLite, where BEGIN IMMEDIATE already serialises every writer, the stored
# reply of a re-delivery (``prior``) comes along too. PostgreSQL asks for it separately,
# after the lock: a statement that waited for the row lock still reads other tables as
# they were when it began, and would miss the reply a concurrent delivery just committed.
_CONVERSATION = sa.select(_CONV, _ANY_HELD.label("any_held")).where(*_CONV_WHERE).with_for_update()
_CONVERSATION_SQLITE = sa.select(
    _CONV,
    _ANY_HELD.label("any_held"),
    sa.select(_INBOUND.c.reply)
    .where(_INBOUND.c.channel == _CONV.c.channel)
    .where(_INBOUND.c.message_id == sa.bindparam("message_id"))
    .scalar_subquery()
    .label("prior"),
).where(*_CONV_WHERE)
_EXTRA = ("any_held", "prior")
# First contact; a conflict means a concurrent first message created the row already.
_NEW_COLUMNS = (
    "channel",
    "external_id",
    "lang",
    "data",
    "history",
    "last_options",
    "reachable",
    "created_at",
    "updated_at",
)
_NEW_CONVERSATION = sa.text(
    f"INSERT INTO {_CONV.name} ({', '.join(_NEW_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in _NEW_COLUMNS)}) "
    "ON CONFLICT (channel, external_id) DO NOTHING"
).bindparams(*(sa.bindparam(c, type_=_CONV.c[c].type) for c in _NEW_COLUMNS))
# What a step may change on the conversation; written back with one UPDATE.
_MUTABLE = (
    "lang",
    "flow",
    "step",
    "data",
    "history",
    "last_options",
    "staff_id",
    "area_code",
    "reachable",
    "unreachable_reason",
    "last_inbound_at",
    "updated_at",
)
_SAVE = (
    _CONV.update()
    .where(_CONV.c.id == sa.bindparam("conv_id"))
    .values({name: sa.bindparam(f"new_{name}", type_=_CONV.c[name].type) for name in _MUTABLE})
)
_RECORD = _INBOUND.insert().values(
    {
        name: sa.bindparam(name, type_=_INBOUND.c[name].type)
        for name in ("channel", "message_id", "external_id", "reply", "received_at")
    }
)
_HOT = PreparedSet(
    conversation=_CONVERSATION,
    conversation_sqlite=_CONVERSATION_SQLITE,
    new_conversation=_NEW_CONVERSATION,
    save=_SAVE,
    record=_RECORD,
    prior_reply=_PRIOR_REPLY,
)


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
        self._labels: dict[tuple[str, str], str] = {}
        self._folds: dict[str, str] = {}

    def handle(self, incoming: Incoming, on_reply: OnReply | None = None) -> Reply:
        """``on_reply(session, reply)`` runs inside the transaction once a new reply exists:
        an adapter whose caller stopped waiting (WeChat's deadline) queues it in the outbox
        there, so the reply is committed with the step or not at all."""
        try:
            return self._handle_once(incoming, on_reply)
        except IntegrityError:
            # A concurrent delivery of the same message id won the race; its reply stands.
            log.info("re-delivery raced on %s message; answering from the record", incoming.channel)
            return self._handle_once(incoming, on_reply)

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
            from core.registration.people import forget_identity

            forget_identity(session, channel, user_id)
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

    def _handle_once(self, incoming: Incoming, on_reply: OnReply | None) -> Reply:
        with self.db.joined() as (conn, session):
            conv, found = _lock(conn, incoming, self.config.default_lang, self.clock())
            key = {"channel": incoming.channel, "message_id": incoming.message_id}
            if incoming.message_id:
                if "prior" in found:
                    prior = found["prior"]
                else:
                    row = _HOT.get("prior_reply", conn.dialect).first(driver_connection(conn), key)
                    prior = None if row is None else row["reply"]
                if prior is not None:
                    return Reply.from_json(self._unseal(prior), duplicate=True)
            reply = self._step(conn, session, conv, incoming, bool(found["any_held"]))
            if incoming.message_id:
                _HOT.get("record", conn.dialect).run(
                    driver_connection(conn),
                    {
                        **key,
                        "external_id": incoming.user_id,
                        "reply": self._seal(reply),
                        "received_at": self.clock(),
                    },
                )
            if on_reply is not None:
                on_reply(session, reply)
            return reply

    def _seal(self, reply: Reply) -> dict[str, str]:
        """The stored reply, encrypted: a staff member's unmasked view may be in it."""
        return {"sealed": self.vault.encrypt(json_text(reply.to_json()))}

    def _unseal(self, stored: Mapping[str, Any]) -> Mapping[str, Any]:
        if "sealed" not in stored:
            return stored
        loaded: Mapping[str, Any] = orjson.loads(self.vault.decrypt(stored["sealed"]))
        return loaded

    def _step(
        self,
        conn: sa.Connection,
        session: Session,
        conv: ChatIdentity,
        incoming: Incoming,
        any_held: bool,
    ) -> Reply:
        now = self.clock()
        ctx = self._ctx(session, conv, now)
        state = State(conv.flow, conv.step, dict(conv.data or {}))
        preface: list[Outgoing] = []
        idle_since = conv.last_inbound_at
        if state.flow and idle_since and now - idle_since > self.config.idle_timeout:
            preface.append(Outgoing(t("system.idle_restart")))
            state, conv.history = State(), []
        transition = router.route(self, ctx, conv, state, incoming)
        held = _held_notices(session, conv, now) if any_held else ()
        replies = tuple(preface) + transition.replies + held
        self._save(conn, conv, state, transition, now)
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
        )

    def _save(
        self,
        conn: sa.Connection,
        conv: ChatIdentity,
        before: State,
        transition: Transition,
        now: datetime,
    ) -> None:
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
        values = {f"new_{name}": getattr(conv, name) for name in _MUTABLE}
        _HOT.get("save", conn.dialect).run(driver_connection(conn), {**values, "conv_id": conv.id})

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

    def with_lang(self, ctx: Ctx, lang: str) -> Ctx:
        return replace(ctx, lang=lang)


def _held_notices(session: Session, conv: ChatIdentity, now: datetime) -> tuple[Outgoing, ...]:
    """Pushes a channel could not send (WeChat's window closed) ride along with this reply.

    Called only when the conversation's query saw held pushes; the step may have cancelled
    them since (a resident who opts out), hence the check for none left."""
    held = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == conv.external_id)
        .where(OutboxMessage.channel == conv.channel)
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


def lock_conversation(
    session: Session, incoming: Incoming, default_lang: str, now: datetime
) -> ChatIdentity:
    """The conversation row, created on first contact and locked until commit.

    The lock (FOR UPDATE on PostgreSQL; SQLite's write lock, taken by BEGIN IMMEDIATE)
    makes messages of one user run one at a time, whichever process receives them.
    """
    return _lock(session.connection(), incoming, default_lang, now)[0]


def _lock(
    conn: sa.Connection, incoming: Incoming, default_lang: str, now: datetime
) -> tuple[ChatIdentity, Mapping[str, Any]]:
    """``lock_conversation`` and the row it read: ``any_held`` (pushes wait for this
    identity) and, on SQLite, ``prior`` (the stored reply to ``incoming.message_id``)."""
    raw = driver_connection(conn)
    who: dict[str, Any] = {"channel": incoming.channel, "external_id": incoming.user_id}
    if conn.dialect.name == "sqlite":
        statement = _HOT.get("conversation_sqlite", conn.dialect)
        who["message_id"] = incoming.message_id
    else:
        statement = _HOT.get("conversation", conn.dialect)
    found = statement.first(raw, who)
    if found is None:
        _HOT.get("new_conversation", conn.dialect).run(
            raw,
            {
                "channel": incoming.channel,
                "external_id": incoming.user_id,
                "lang": pick_lang(incoming.lang_hint, default_lang),
                "data": {},
                "history": [],
                "last_options": [],
                "reachable": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        found = statement.first(raw, who)
        assert found is not None, "the conversation row was just created"
    return _detached(found), found


def _detached(row: Mapping[str, Any]) -> ChatIdentity:
    """A plain, session-less copy: steps change it freely, ``_save`` writes it back once."""
    return ChatIdentity(**{k: v for k, v in row.items() if k not in _EXTRA})


def pick_lang(hint: str | None, default: str) -> str:
    """A platform language code (``en-GB``, ``zh-hans``) mapped to a catalog language."""
    if hint and hint.lower().startswith("en"):
        return "en"
    if hint and hint.lower().startswith("zh"):
        return "zh-CN"
    return default
