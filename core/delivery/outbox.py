"""Writing pushes into the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.dialog.messages import Outgoing, Reply
from core.storage.db import Database
from core.storage.models import Conversation, OutboxMessage
from core.storage.prepared import PreparedSet, driver_connection
from core.timeutil import utcnow

PENDING, SENT, FAILED, CANCELLED, HELD = "pending", "sent", "failed", "cancelled", "held"


def enqueue(
    session: Session,
    *,
    key: str,
    channel: str,
    recipient: str,
    kind: str,
    messages: Sequence[Outgoing],
    lang: str,
    not_before: datetime | None = None,
    claimed_by: str | None = None,
    lease_until: datetime | None = None,
) -> bool:
    """Adds a push unless one with ``key`` exists already; True when a row was written.

    ``claimed_by`` and ``lease_until``: a caller sending it itself (a chat reply) keeps the
    dispatcher away until the lease ends."""
    values = {
        "idempotency_key": key[:200],
        "channel": channel,
        "recipient": recipient,
        "kind": kind,
        "payload": Reply(lang, tuple(messages)).to_json(),
        "status": PENDING,
        "attempts": 0,
        "next_attempt_at": (not_before or utcnow()),
        "created_at": utcnow(),
        "claimed_by": claimed_by,
        "lease_until": lease_until,
    }
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    # rowcount is -1 on some drivers for INSERT … ON CONFLICT; RETURNING is exact.
    return session.execute(stmt).first() is not None


def enqueue_to_identities(
    session: Session,
    *,
    key: str,
    identities: Sequence[Conversation],
    kind: str,
    messages: Sequence[Outgoing],
) -> int:
    """One push per chat identity (a person may use WeChat and Telegram), each in its language."""
    written = 0
    for conv in identities:
        if not conv.reachable:
            continue
        written += enqueue(
            session,
            key=f"{key}:{conv.channel}:{conv.external_id}",
            channel=conv.channel,
            recipient=conv.external_id,
            kind=kind,
            messages=messages,
            lang=conv.lang,
        )
    return written


def staff_identities(session: Session, staff_id: int) -> list[Conversation]:
    return list(session.exec(select(Conversation).where(Conversation.staff_id == staff_id)))


def cancel_pending(session: Session, channel: str, recipient: str, reason: str) -> int:
    """Stops every push still waiting for one identity (blocked, unsubscribed)."""
    stmt = (
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.channel) == channel)
        .where(col(OutboxMessage.recipient) == recipient)
        .where(col(OutboxMessage.status).in_([PENDING, HELD]))
        .values(status=CANCELLED, last_error=reason[:500])
    )
    result: sa.CursorResult[Any] = session.execute(stmt)  # type: ignore[assignment]
    return int(result.rowcount or 0)


def mark_unreachable(session: Session, channel: str, recipient: str, reason: str) -> None:
    """The identity blocked us or left: no pushes until they write again (the engine marks
    them reachable on their next message)."""
    session.execute(
        sa.update(Conversation)
        .where(col(Conversation.channel) == channel)
        .where(col(Conversation.external_id) == recipient)
        .values(reachable=False, unreachable_reason=reason[:200])
    )
    cancel_pending(session, channel, recipient, f"recipient unreachable: {reason}")


# A chat reply its request sends itself, kept as an outbox row claimed by the request, so a
# crash mid-reply leaves the rest to a re-delivery or the worker. On the per-message path:
# prepared statements on the driver (see core/storage/prepared.py), not the ORM.
_OUT = OutboxMessage.__table__  # type: ignore[attr-defined]
_REPLY_COLUMNS = (
    "idempotency_key",
    "channel",
    "recipient",
    "kind",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "lease_until",
    "claimed_by",
    "created_at",
)
_REPLY_ROWS = PreparedSet(
    insert=sa.text(
        f"INSERT INTO {_OUT.name} ({', '.join(_REPLY_COLUMNS)}) "
        f"VALUES ({', '.join(':' + c for c in _REPLY_COLUMNS)}) "
        "ON CONFLICT (idempotency_key) DO NOTHING"
    ).bindparams(*(sa.bindparam(c, type_=_OUT.c[c].type) for c in _REPLY_COLUMNS)),
    sent=_OUT.update()
    .where(_OUT.c.idempotency_key == sa.bindparam("key"))
    .where(_OUT.c.claimed_by == sa.bindparam("claim"))
    .where(_OUT.c.status == PENDING)
    .values(
        status=SENT,
        sent_at=sa.bindparam("at", type_=_OUT.c.sent_at.type),
        lease_until=None,
        last_error=None,
    ),
    rest=_OUT.update()
    .where(_OUT.c.idempotency_key == sa.bindparam("key"))
    .where(_OUT.c.claimed_by == sa.bindparam("claim"))
    .where(_OUT.c.status == PENDING)
    .values(payload=sa.bindparam("payload", type_=_OUT.c.payload.type)),
)


def keep_reply(
    conn: sa.Connection,
    *,
    key: str,
    channel: str,
    recipient: str,
    reply: Reply,
    claim: str,
    lease_until: datetime,
) -> None:
    """Queues ``reply`` (in ``conn``'s transaction), claimed by ``claim`` until
    ``lease_until``: the dispatcher leaves it to its request until then."""
    now = utcnow()
    _REPLY_ROWS.get("insert", conn.dialect).run(
        driver_connection(conn),
        {
            "idempotency_key": key[:200],
            "channel": channel,
            "recipient": recipient,
            "kind": "reply",
            "payload": reply.to_json(),
            "status": PENDING,
            "attempts": 1,  # the request's own sending is the first attempt
            "next_attempt_at": now,
            "lease_until": lease_until,
            "claimed_by": claim,
            "created_at": now,
        },
    )


def reply_progress(db: Database, *, key: str, claim: str, rest: Reply | None) -> None:
    """Records a reply's progress while ``claim`` holds it: the messages still to send, or
    (``rest`` None) all sent."""
    with db.engine.begin() as conn:
        if rest is None:
            params: dict[str, Any] = {"key": key[:200], "claim": claim, "at": utcnow()}
            _REPLY_ROWS.get("sent", conn.dialect).run(driver_connection(conn), params)
        else:
            params = {"key": key[:200], "claim": claim, "payload": rest.to_json()}
            _REPLY_ROWS.get("rest", conn.dialect).run(driver_connection(conn), params)


def take_waiting(session: Session, channel: str, recipient: str, now: datetime) -> list[Reply]:
    """The pushes one identity's open chat shows now, marked ``sent`` in the same step.

    For a channel that cannot push on its own (the terminal, which no dispatcher serves):
    its due pending pushes, and any held ones. A row leased by a dispatcher is left to it.
    Only this identity's rows are touched, so no chat ever claims another's notices."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.channel == channel)
        .where(OutboxMessage.recipient == recipient)
        .where(
            sa.or_(
                col(OutboxMessage.status) == HELD,
                sa.and_(
                    col(OutboxMessage.status) == PENDING,
                    col(OutboxMessage.next_attempt_at) <= now,
                    sa.or_(
                        col(OutboxMessage.lease_until).is_(None),
                        col(OutboxMessage.lease_until) < now,
                    ),
                ),
            )
        )
        .order_by(col(OutboxMessage.id))
    )
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.exec(query))
    for row in rows:
        row.status, row.sent_at, row.lease_until = SENT, now, None
        row.attempts += 1
        session.add(row)
    return [Reply.from_json(row.payload) for row in rows]
