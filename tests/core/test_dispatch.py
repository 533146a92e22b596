"""The outbox and its dispatcher: pushes leave once, retry politely, and stop for good reasons."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from core.delivery.dispatch import Dispatcher, backoff
from core.delivery.outbox import enqueue
from core.delivery.sending import HoldForReply, PermanentError, TransientError
from core.dialog.messages import Outgoing, Reply, t
from core.storage.db import Database
from core.storage.models import Conversation, OutboxMessage

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@dataclass
class FakeSender:
    """Records deliveries; ``failures`` are raised one by one before succeeding."""

    channel: str = "console"
    global_rate: float = 1000.0
    recipient_rate: float = 1000.0
    failures: list[Exception] = field(default_factory=list)
    delivered: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, recipient: str, reply: Reply, kind: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append((recipient, reply.messages[0].text.id))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _push(db: Database, key: str, recipient: str = "alice", text: str = "menu.title") -> bool:
    with db.transaction() as session:
        return enqueue(
            session,
            key=key,
            channel="console",
            recipient=recipient,
            kind="notice",
            messages=[Outgoing(t(text))],
            lang="zh-CN",
            not_before=NOW,
        )


def _rows(db: Database) -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def _dispatch(db: Database, sender: FakeSender, clock: Clock, **kw: object) -> int:
    async def nosleep(_: float) -> None:
        return None

    dispatcher = Dispatcher(db, {"console": sender}, clock=clock, sleep=nosleep, **kw)  # type: ignore[arg-type]
    return asyncio.run(dispatcher.run_once())


def test_same_idempotency_key_is_written_once(db: Database) -> None:
    assert _push(db, "reminder:visit:42:2026-11")
    assert not _push(db, "reminder:visit:42:2026-11")
    assert len(_rows(db)) == 1


def test_pending_push_is_sent_once(db: Database) -> None:
    sender, clock = FakeSender(), Clock()
    _push(db, "k1")
    assert _dispatch(db, sender, clock) == 1
    assert _dispatch(db, sender, clock) == 0
    assert sender.delivered == [("alice", "menu.title")]
    assert _rows(db)[0].status == "sent"


def test_pushes_to_one_recipient_leave_in_order(db: Database) -> None:
    sender, clock = FakeSender(), Clock()
    for i, text in enumerate(["menu.title", "system.welcome", "system.cancelled"]):
        _push(db, f"k{i}", text=text)
    _dispatch(db, sender, clock)
    assert [text for _, text in sender.delivered] == [
        "menu.title",
        "system.welcome",
        "system.cancelled",
    ]


def test_transient_failure_is_retried_later_with_backoff(db: Database) -> None:
    sender, clock = FakeSender(failures=[TransientError("HTTP 502")]), Clock()
    _push(db, "k1")
    _dispatch(db, sender, clock)
    row = _rows(db)[0]
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "HTTP 502"
    assert row.next_attempt_at > NOW
    assert _dispatch(db, sender, clock) == 0  # not due yet
    clock.now = row.next_attempt_at
    _dispatch(db, sender, clock)
    assert _rows(db)[0].status == "sent" and sender.delivered


def test_retry_after_from_the_platform_is_honoured(db: Database) -> None:
    sender, clock = FakeSender(failures=[TransientError("429", retry_after=300)]), Clock()
    _push(db, "k1")
    _dispatch(db, sender, clock)
    assert _rows(db)[0].next_attempt_at >= NOW + timedelta(seconds=300)


def test_gives_up_after_max_attempts_with_reason(db: Database) -> None:
    sender = FakeSender(failures=[TransientError("timeout")] * 3)
    clock = Clock()
    _push(db, "k1")
    for _ in range(3):
        _dispatch(db, sender, clock, max_attempts=3)
        clock.now += timedelta(hours=2)
    row = _rows(db)[0]
    assert row.status == "failed" and "timeout" in (row.last_error or "")
    assert sender.delivered == []


def test_blocked_recipient_is_marked_and_its_other_pushes_stop(db: Database) -> None:
    with db.transaction() as session:
        session.add(Conversation(channel="console", external_id="alice"))
    sender = FakeSender(failures=[PermanentError("bot was blocked", unreachable=True)])
    _push(db, "k1")
    _push(db, "k2")
    _dispatch(db, sender, Clock())
    assert [r.status for r in _rows(db)] == ["failed", "cancelled"]
    with db.transaction() as session:
        conv = session.exec(select(Conversation)).one()
        assert not conv.reachable and conv.unreachable_reason == "bot was blocked"


def test_held_push_waits_for_the_users_next_message(runtime) -> None:  # type: ignore[no-untyped-def]
    from tests.talk import Talk

    db = runtime.db
    Talk(runtime, user="alice").send("菜单")
    _push(db, "k1", text="system.welcome")
    _dispatch(db, FakeSender(failures=[HoldForReply()]), Clock())
    assert _rows(db)[0].status == "held"
    talk = Talk(runtime, user="alice")
    talk.send("菜单")
    assert talk.ids() == ["menu.title", "system.pending_notices", "system.welcome"]
    assert _rows(db)[0].status == "sent"
    talk.send("菜单")
    assert talk.ids() == ["menu.title"]  # delivered once only


def test_channel_without_sender_is_left_untouched_for_a_process_that_has_one(
    db: Database,
) -> None:
    with db.transaction() as session:
        enqueue(
            session,
            key="k",
            channel="telegram",
            recipient="1",
            kind="notice",
            messages=[Outgoing(t("menu.title"))],
            lang="zh-CN",
            not_before=NOW,
        )
    assert _dispatch(db, FakeSender(), Clock()) == 0
    row = _rows(db)[0]
    assert (row.status, row.attempts, row.claimed_by) == ("pending", 0, None)
    assert row.next_attempt_at == NOW  # not put off: a telegram worker sends it at once


def test_per_recipient_limit_defers_the_second_push(db: Database) -> None:
    sender, clock = FakeSender(recipient_rate=0.5), Clock()
    _push(db, "k1")
    _push(db, "k2")
    _dispatch(db, sender, clock)
    statuses = [r.status for r in _rows(db)]
    assert statuses == ["sent", "pending"] and len(sender.delivered) == 1
    assert _rows(db)[1].attempts == 0  # waiting for the limit is not a failed attempt


def test_two_dispatchers_never_send_a_row_twice(db: Database) -> None:
    for i in range(30):
        _push(db, f"k{i}", recipient=f"r{i % 7}")
    sender, clock = FakeSender(), Clock()
    other = Database(db.url, schema=db.schema)

    async def nosleep(_: float) -> None:
        return None

    async def both() -> None:
        a = Dispatcher(db, {"console": sender}, clock=clock, sleep=nosleep, worker_id="a")
        b = Dispatcher(other, {"console": sender}, clock=clock, sleep=nosleep, worker_id="b")
        for _ in range(12):
            await asyncio.gather(a.run_once(batch=4), b.run_once(batch=4))
            clock.now += timedelta(seconds=1)  # lets deferred (rate-limited) rows come due

    asyncio.run(both())
    other.dispose()
    assert len(sender.delivered) == 30
    assert {r.status for r in _rows(db)} == {"sent"}


def test_backoff_grows_and_is_jittered() -> None:
    assert backoff(1, lambda: 0.0) < backoff(3, lambda: 0.0) < backoff(6, lambda: 0.0)
    assert backoff(2, lambda: 0.0) != backoff(2, lambda: 1.0)
    assert backoff(50, lambda: 1.0) <= timedelta(hours=1.25)
