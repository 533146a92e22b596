"""The scheduler tick: asks every job "what is due now?" and writes outbox rows under unique keys.

Running a tick twice, or on two machines at once, sends nothing twice: each push's key
names what, whom and which period, and the outbox ignores a key it already holds. A
machine that was down catches up because jobs derive what is due from the data.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from core.content.loader import Content
from core.delivery.outbox import enqueue, staff_identities
from core.dialog.messages import Outgoing
from core.people.personal import Vault
from core.storage.db import Database
from core.storage.models import Conversation, InboundMessage, Staff, StaffLinkCode

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One push a job found due; ``key`` must name what, whom and which period."""

    key: str
    channel: str
    recipient: str
    kind: str
    messages: tuple[Outgoing, ...]
    lang: str = "zh-CN"


@dataclass
class TickCtx:
    session: Session
    content: Content
    vault: Vault
    now: datetime


class Job(Protocol):
    @property
    def name(self) -> str: ...

    def due(self, ctx: TickCtx) -> Iterable[Due]: ...


@dataclass
class TickReport:
    written: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


def tick(
    db: Database, content: Content, vault: Vault, jobs: Sequence[Job], now: datetime
) -> TickReport:
    """Runs every job in its own transaction; one failing job does not stop the others."""
    report = TickReport()
    for job in jobs:
        try:
            with db.transaction() as session:
                ctx = TickCtx(session, content, vault, now)
                report.written[job.name] = sum(_write(session, due) for due in job.due(ctx))
        except Exception:
            log.exception("scheduled job %s failed; it will run again next tick", job.name)
            report.failed.append(job.name)
    return report


def _write(session: Session, due: Due) -> int:
    return int(
        enqueue(
            session,
            key=due.key,
            channel=due.channel,
            recipient=due.recipient,
            kind=due.kind,
            messages=due.messages,
            lang=due.lang,
        )
    )


@dataclass(frozen=True)
class Housekeeping:
    """Forgets what is no longer needed: old re-delivery records and spent link codes."""

    name: str = "housekeeping"
    keep_inbound: timedelta = timedelta(days=7)

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        ctx.session.execute(
            sa.delete(InboundMessage).where(
                col(InboundMessage.received_at) < ctx.now - self.keep_inbound
            )
        )
        ctx.session.execute(
            sa.delete(StaffLinkCode).where(
                col(StaffLinkCode.expires_at) < ctx.now - timedelta(days=1)
            )
        )
        return ()


def to_staff(
    session: Session,
    staff: Iterable[Staff],
    message: Outgoing,
    key: str,
    chats: dict[int, list[Conversation]] | None = None,
) -> Iterator[Due]:
    """One reminder to every reachable chat linked to each of ``staff``; each key names the
    member and the chat. ``chats`` keeps the members' chats for a whole tick."""
    known = {} if chats is None else chats
    for member in staff:
        assert member.id is not None
        if member.id not in known:
            known[member.id] = staff_identities(session, member.id)
        for conv in known[member.id]:
            if conv.reachable:
                yield Due(
                    key=f"{key}:staff:{member.id}:{conv.channel}:{conv.external_id}",
                    channel=conv.channel,
                    recipient=conv.external_id,
                    kind="reminder",
                    messages=(message,),
                    lang=conv.lang,
                )
