"""A reply that would miss WeChat's deadline is answered "success" and delivered later."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlmodel import select

from bots.wechat.passive import late_key
from bots.wechat.sender import build_sender
from core.delivery.dispatch import Dispatcher
from core.delivery.outbox import SENT
from core.dialog.engine import OnLocked, OnReply
from core.dialog.messages import Incoming, Reply
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import OutboxMessage
from tests.bots.wechat.conftest import OPENID, WeChatPoster, app_client, payload, wechat_settings
from tests.bots.wechat.fake_api import FakeServer, FakeWeChat

pytestmark = pytest.mark.anyio


class SlowEngine:
    """Holds each engine call, once it has the conversation, until the test lets it go."""

    def __init__(self, runtime: Runtime) -> None:
        self.real = runtime.engine.handle
        self.gate = threading.Event()
        runtime.engine.handle = self.handle  # type: ignore[method-assign]

    def handle(
        self,
        incoming: Incoming,
        on_reply: OnReply | None = None,
        on_locked: OnLocked | None = None,
    ) -> Reply:
        def locked() -> None:
            if on_locked is not None:
                on_locked()
            self.gate.wait(timeout=10)

        return self.real(incoming, on_reply, locked)


@pytest.fixture
def served() -> Iterator[tuple[FakeWeChat, FakeServer]]:
    fake = FakeWeChat()
    with FakeServer(fake) as server:
        yield fake, server


@pytest.fixture
def slow_runtime(
    settings: Settings, db: Database, served: tuple[FakeWeChat, FakeServer]
) -> Runtime:
    cfg = wechat_settings(settings, served[1].base, wechat_reply_budget_seconds=0.2)
    return build_runtime(cfg, db=db)


@pytest.fixture
async def slow(slow_runtime: Runtime) -> AsyncIterator[tuple[WeChatPoster, SlowEngine]]:
    engine = SlowEngine(slow_runtime)
    async for client in app_client(slow_runtime):
        yield WeChatPoster(client), engine
        engine.gate.set()


def late_rows(db: Database) -> list[OutboxMessage]:
    with db.transaction() as session:
        return list(session.exec(select(OutboxMessage)))


async def test_slow_reply_answers_success_and_goes_through_the_outbox(
    slow: tuple[WeChatPoster, SlowEngine],
    db: Database,
    slow_runtime: Runtime,
    served: tuple[FakeWeChat, FakeServer],
) -> None:
    wx, engine = slow
    response = await wx.post(payload("text.xml", Content="菜单", MsgId="301"))
    assert response.text == "success"
    engine.gate.set()
    await wx.client.app.state.wechat.replies.drain()  # type: ignore[attr-defined]
    rows = late_rows(db)
    assert [(r.idempotency_key, r.recipient, r.kind) for r in rows] == [
        (late_key("301"), OPENID, "reply")
    ]
    dispatcher = Dispatcher(db, {"wechat": build_sender(slow_runtime)})
    assert await dispatcher.run_once() == 1
    assert late_rows(db)[0].status == SENT
    [(to, text)] = served[0].sent_texts()
    assert to == OPENID and "政策资讯" in text


async def test_retry_of_a_late_reply_is_not_answered_twice(
    slow: tuple[WeChatPoster, SlowEngine], db: Database
) -> None:
    wx, engine = slow
    xml = payload("text.xml", Content="菜单", MsgId="302")
    assert (await wx.post(xml)).text == "success"
    engine.gate.set()
    await wx.client.app.state.wechat.replies.drain()  # type: ignore[attr-defined]
    assert (await wx.post(xml)).text == "success"
    assert len(late_rows(db)) == 1


async def test_slow_engine_does_not_block_other_requests(
    slow: tuple[WeChatPoster, SlowEngine],
) -> None:
    wx, engine = slow
    pending = asyncio.ensure_future(wx.post(payload("text.xml", MsgId="303")))
    await asyncio.sleep(0.05)
    health = await wx.client.get("/healthz")
    assert health.status_code == 200 and not pending.done()
    engine.gate.set()
    await pending


async def test_reply_ready_within_budget_is_passive(
    slow: tuple[WeChatPoster, SlowEngine], db: Database
) -> None:
    wx, engine = slow
    engine.gate.set()
    content = await wx.say(payload("text.xml", Content="菜单", MsgId="304"))
    assert content is not None and "政策资讯" in content
    assert late_rows(db) == []
