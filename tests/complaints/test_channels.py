"""A complaint with a photo through the real webhooks: WeChat (numbers typed) and Telegram
(buttons), the photo kept as the channel's own reference."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from core.runtime import Runtime
from tests.bots.telegram.conftest import (  # noqa: F401  (fixtures)
    bot_api,
    client,
    fake_server,
    post,
    tg_runtime,
    tg_settings,
    update,
)
from tests.bots.telegram.fake_api import FakeBotApi
from tests.bots.wechat.conftest import (  # noqa: F401  (fixtures)
    WeChatPoster,
    anyio_backend,
    payload,
    wx,
    wx_runtime,
)
from tests.complaints.conftest import latest

MEDIA = "Ab3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3lN5pR7tV9x"


@pytest.mark.anyio
async def test_complaint_with_a_photo_over_wechat(wx: WeChatPoster, wx_runtime: Runtime) -> None:  # noqa: F811
    msg_ids = itertools.count(7700)

    async def say(text: str) -> str:
        answer = await wx.say(payload("text.xml", Content=text, MsgId=str(next(msg_ids))))
        return answer or ""

    await say("投诉建议")
    await say("1")  # 投诉
    await say("1")  # 服务态度
    assert "解放桥社区" in await say("解放桥社区")
    await say("1")
    await say("6")  # 不针对具体服务 (after the five services)
    await say("1")  # 不涉及/不清楚
    await say("工作人员在窗口玩手机，不理人。")
    photo = await wx.say(payload("image.xml", MsgId=str(next(msg_ids))))
    assert "已收到照片" in (photo or "")
    await say("1")  # 下一步
    await say("1")  # 在这里答复我
    filed = await say("1")  # 确认提交
    assert "TS-" in filed
    ticket = latest(wx_runtime)
    assert (ticket.channel, ticket.photos) == ("wechat", [f"wechat:media:{MEDIA}"])


def test_complaint_with_a_photo_over_telegram(
    client: TestClient,  # noqa: F811
    bot_api: FakeBotApi,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
) -> None:
    ids = itertools.count(815300000)

    def send(text: str | None = None, data: str | None = None) -> None:
        if data is not None:
            body = update("callback_query", update_id=next(ids), id=str(next(ids)), data=data)
        else:
            body = update("message_text", update_id=next(ids), text=text, message_id=next(ids))
        assert post(client, body).status_code == 200

    send("我要投诉")
    send(data="c:c:efficiency")
    send("解放桥社区")
    send(data="c:o:370102001002")
    send(data="c:sv:policy")
    send(data="c:s:none")
    send("办理失业登记等了一个月没有消息。")
    photo = update("photo", update_id=next(ids), message_id=next(ids))
    assert post(client, photo).status_code == 200
    send(data="c:next")
    send(data="c:ct:chat")
    send(data="c:submit")
    ticket = latest(tg_runtime)
    assert (ticket.channel, ticket.photos) == ("telegram", ["telegram:file:AgACAgUAAxkBAAIBQ2"])
    assert ticket.service == "policy"
    sent = " ".join(c.params["text"] for c in bot_api.of("sendMessage"))
    assert ticket.number in sent
