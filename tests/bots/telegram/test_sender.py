"""Outbox pushes through the Telegram sender and the real dispatcher, against the fake Bot API."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bots.senders import build_senders
from bots.telegram.sender import TelegramSender, telegram_senders
from core.delivery.dispatch import Dispatcher
from core.delivery.outbox import enqueue
from core.delivery.sending import PermanentError, TransientError
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.models import Conversation, OutboxMessage
from core.timeutil import utcnow
from tests.bots.telegram.fake_api import FakeBotApi

CHAT = "777001"
NOTICE = Reply("zh-CN", (Outgoing(t("menu.title")),))


def sender_of(runtime: Runtime) -> TelegramSender:
    sender = telegram_senders(runtime)["telegram"]
    assert isinstance(sender, TelegramSender)
    return sender


def run(runtime: Runtime, work: Callable[[TelegramSender], Awaitable[object]]) -> object:
    async def main() -> object:
        sender = sender_of(runtime)
        try:
            return await work(sender)
        finally:
            await sender.aclose()

    return asyncio.run(main())


def push(runtime: Runtime, key: str, recipient: str = CHAT) -> None:
    with runtime.db.transaction() as session:
        enqueue(
            session,
            key=key,
            channel="telegram",
            recipient=recipient,
            kind="notice",
            messages=NOTICE.messages,
            lang="zh-CN",
        )


def dispatch_once(runtime: Runtime) -> None:
    run(runtime, lambda sender: Dispatcher(runtime.db, {"telegram": sender}).run_once())


def rows(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))


def test_push_is_sent_to_the_chat(tg_runtime: Runtime, bot_api: FakeBotApi) -> None:
    push(tg_runtime, "k1")
    dispatch_once(tg_runtime)
    (call,) = bot_api.of("sendMessage")
    assert call.chat_id == int(CHAT) and "就业服务" in call.params["text"]
    assert rows(tg_runtime)[0].status == "sent"


def test_rates_come_from_the_settings(tg_settings: Settings, tg_runtime: Runtime) -> None:
    sender = sender_of(tg_runtime)
    assert (sender.global_rate, sender.recipient_rate) == (30.0, 1.0)
    tuned = tg_settings.model_copy(update={"telegram_global_rate": 12.0, "telegram_chat_rate": 0.5})
    sender = sender_of(build_runtime(tuned, db=tg_runtime.db))
    assert (sender.global_rate, sender.recipient_rate) == (12.0, 0.5)


def test_worker_gets_the_telegram_sender_only_when_telegram_is_on(
    runtime: Runtime, tg_runtime: Runtime
) -> None:
    assert "telegram" not in build_senders(runtime)
    assert isinstance(build_senders(tg_runtime)["telegram"], TelegramSender)


def test_per_chat_limit_holds_across_dispatchers(tg_runtime: Runtime, bot_api: FakeBotApi) -> None:
    for key in ("a", "b", "c"):
        push(tg_runtime, key)
    dispatch_once(tg_runtime)  # one process …
    dispatch_once(tg_runtime)  # … and another, sharing the database buckets
    assert len(bot_api.of("sendMessage")) == 1
    assert [r.status for r in rows(tg_runtime)] == ["sent", "pending", "pending"]


def test_flood_control_becomes_a_retry_after_telegrams_delay(
    tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 17", retry_after=17)
    with pytest.raises(TransientError) as caught:
        run(tg_runtime, lambda s: s.send(CHAT, NOTICE, "notice"))
    assert caught.value.retry_after == 17.0

    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 17", retry_after=17)
    push(tg_runtime, "k1")
    dispatch_once(tg_runtime)
    row = rows(tg_runtime)[0]
    assert row.status == "pending" and row.next_attempt_at >= utcnow() + timedelta(seconds=15)


@pytest.mark.parametrize(
    "description",
    [
        "Forbidden: bot was blocked by the user",
        "Forbidden: user is deactivated",
    ],
)
def test_blocked_bot_marks_the_chat_unreachable_and_stops_its_pushes(
    tg_runtime: Runtime, bot_api: FakeBotApi, description: str
) -> None:
    tg_runtime.engine.handle(Incoming("telegram", CHAT, text="菜单"))
    bot_api.fail("sendMessage", 403, description)
    push(tg_runtime, "k1")
    push(tg_runtime, "k2")
    dispatch_once(tg_runtime)
    assert [r.status for r in rows(tg_runtime)] == ["failed", "cancelled"]
    with tg_runtime.db.transaction() as session:
        assert not session.exec(select(Conversation)).one().reachable
    bot_api.calls.clear()
    dispatch_once(tg_runtime)
    assert bot_api.calls == []


def test_unknown_chat_is_unreachable_but_other_bad_requests_are_not(
    tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.fail("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(PermanentError) as gone:
        run(tg_runtime, lambda s: s.send(CHAT, NOTICE, "notice"))
    assert gone.value.unreachable
    bot_api.fail("sendMessage", 400, "Bad Request: message text is empty")
    with pytest.raises(PermanentError) as bad:
        run(tg_runtime, lambda s: s.send(CHAT, NOTICE, "notice"))
    assert not bad.value.unreachable


def test_server_errors_are_retried(tg_runtime: Runtime, bot_api: FakeBotApi) -> None:
    bot_api.fail("sendMessage", 502, "Bad Gateway")
    with pytest.raises(TransientError):
        run(tg_runtime, lambda s: s.send(CHAT, NOTICE, "notice"))


def test_network_failure_is_retried_with_backoff(
    tg_settings: Settings, tg_runtime: Runtime
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nobody listens
    offline = tg_settings.model_copy(update={"telegram_api_base": f"http://127.0.0.1:{port}/bot"})
    runtime = build_runtime(offline, db=tg_runtime.db)
    with pytest.raises(TransientError):
        run(runtime, lambda s: s.send(CHAT, NOTICE, "notice"))
    push(runtime, "k1")
    dispatch_once(runtime)
    row = rows(runtime)[0]
    assert row.status == "pending" and row.attempts == 1 and row.last_error


def test_recipient_that_is_not_a_chat_id_is_a_permanent_failure(tg_runtime: Runtime) -> None:
    with pytest.raises(PermanentError):
        run(tg_runtime, lambda s: s.send("o-wechat-openid", NOTICE, "notice"))
