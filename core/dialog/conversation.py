"""The conversation row: locked per message, read and written on the driver's cursor.

One statement locks a resident's conversation (so their messages run one at a time on
any number of processes) and says whether pushes wait for them; re-delivered platform
messages are answered from the stored reply; the state a step leaves is written back with
one UPDATE. These run on every message, so they are compiled once (``core.storage.prepared``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.delivery.outbox import HELD, SENT
from core.dialog.identity import ChatIdentity
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.storage.models import Conversation, InboundMessage, OutboxMessage
from core.storage.prepared import PreparedSet, driver_connection

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
# PostgreSQL: the UPDATE and the INSERT in one statement, one round trip to the server
# instead of two (a data-modifying WITH runs whether or not the INSERT reads it).
_SAVE_AND_RECORD = _RECORD.add_cte(_SAVE.returning(_CONV.c.id).cte("saved"))
_HOT = PreparedSet(
    conversation=_CONVERSATION,
    conversation_sqlite=_CONVERSATION_SQLITE,
    new_conversation=_NEW_CONVERSATION,
    save=_SAVE,
    record=_RECORD,
    save_and_record=_SAVE_AND_RECORD,
    prior_reply=_PRIOR_REPLY,
)


def prior_reply(conn: sa.Connection, found: Mapping[str, Any], incoming: Incoming) -> Any:
    """The stored reply to a re-delivered message id, or None for a new message."""
    if "prior" in found:
        return found["prior"]
    key = {"channel": incoming.channel, "message_id": incoming.message_id}
    row = _HOT.get("prior_reply", conn.dialect).first(driver_connection(conn), key)
    return None if row is None else row["reply"]


def save(
    conn: sa.Connection,
    conv: ChatIdentity,
    incoming: Incoming | None = None,
    reply: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> None:
    """Writes back what a step may change on the conversation, in one UPDATE; with
    ``incoming``, also remembers its platform message id with the (sealed) ``reply`` for
    re-deliveries, received at ``now``."""
    raw = driver_connection(conn)
    values: dict[str, Any] = {f"new_{name}": getattr(conv, name) for name in _MUTABLE}
    values["conv_id"] = conv.id
    if incoming is None or not incoming.message_id:
        _HOT.get("save", conn.dialect).run(raw, values)
        return
    values |= {
        "channel": incoming.channel,
        "message_id": incoming.message_id,
        "external_id": incoming.user_id,
        "reply": reply,
        "received_at": now,
    }
    if conn.dialect.name == "postgresql":
        _HOT.get("save_and_record", conn.dialect).run(raw, values)
        return
    # SQLite runs in this process: two statements cost no more than one.
    _HOT.get("save", conn.dialect).run(raw, values)
    _HOT.get("record", conn.dialect).run(raw, values)


def held_notices(session: Session, conv: ChatIdentity, now: datetime) -> tuple[Outgoing, ...]:
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
    return lock(session.connection(), incoming, default_lang, now)[0]


def lock(
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
