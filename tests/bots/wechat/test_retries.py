"""WeChat re-sends what it got no answer for: a repeat gets the same reply and no second effect."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from core.dialog.messages import t
from core.runtime import Runtime
from core.storage.db import Database
from core.storage.models import InboundMessage
from tests.bots.wechat.conftest import WeChatPoster, payload

pytestmark = pytest.mark.anyio


def inbound_count(db: Database) -> int:
    with db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(InboundMessage)).one())


async def test_retried_wechat_message_gets_same_reply(
    wx: WeChatPoster, db: Database, wx_runtime: Runtime
) -> None:
    await wx.say(payload("text.xml", Content="菜单", MsgId="101"))
    first = await wx.say(payload("text.xml", Content="4", MsgId="102"))
    again = await wx.say(payload("text.xml", Content="4", MsgId="102"))
    assert first == again
    assert first is not None and first.startswith(
        wx_runtime.content.catalog.text(t("notices.list", page=1), "zh-CN")
    )
    assert inbound_count(db) == 2
    # The conversation moved once: "1" now opens the first notice, not menu item 1.
    detail = await wx.say(payload("text.xml", Content="1", MsgId="103"))
    assert detail is not None and detail.startswith("【")


async def test_concurrent_retries_get_one_effect_and_the_same_reply(
    wx: WeChatPoster, db: Database
) -> None:
    xml = payload("text.xml", Content="菜单", MsgId="201")
    responses = await asyncio.gather(*(wx.post(xml) for _ in range(6)))
    contents = {wx.content(r) for r in responses}
    assert len(contents) == 1 and None not in contents
    assert inbound_count(db) == 1


async def test_retried_event_is_recognised_by_sender_time_and_event(
    wx: WeChatPoster, db: Database
) -> None:
    follow = payload("subscribe.xml", CreateTime="1767225500")
    first, second = await wx.say(follow), await wx.say(follow)
    assert first == second
    assert inbound_count(db) == 1
    await wx.say(payload("subscribe.xml", CreateTime="1767225501"))
    assert inbound_count(db) == 2


async def test_database_outage_answers_503_and_the_retry_is_handled_afresh(
    wx: WeChatPoster, db: Database, wx_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(*_args: object, **_kw: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    with monkeypatch.context() as patch:
        patch.setattr(wx_runtime.engine, "handle", unavailable)
        response = await wx.post(payload("text.xml", Content="菜单", MsgId="301"))
    assert response.status_code == 503 and response.content == b""
    assert inbound_count(db) == 0
    reply = await wx.say(payload("text.xml", Content="菜单", MsgId="301"))  # WeChat's retry
    assert reply is not None and reply.startswith(
        wx_runtime.content.catalog.text(t("menu.title"), "zh-CN")[:4]
    )
    assert inbound_count(db) == 1
