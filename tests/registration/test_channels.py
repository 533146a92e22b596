"""Whole registrations through the real webhooks: WeChat (numbers typed) and Telegram (buttons)."""

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
from tests.registration.conftest import latest
from tests.registration.helpers import id_number

NUMBER = id_number("19950101", seq="111")
# Replies a WeChat user types, by number where the bot offers options.
WECHAT_LINES = [
    "登记", "2", "1", "王芳", NUMBER, "13812345678", "解放桥社区", "1", "3", "1", "保洁", "1",
    "2", "1", "面议", "2", "2025-03-01", "2", "1", "14", "1",
]  # fmt: skip


@pytest.mark.anyio
async def test_unemployment_registration_over_wechat(wx: WeChatPoster, wx_runtime: Runtime) -> None:  # noqa: F811
    answers = []
    for n, line in enumerate(WECHAT_LINES, start=1):
        answers.append(await wx.say(payload("text.xml", Content=line, MsgId=str(9000 + n))))
    assert "失业登记已提交" in (answers[-1] or "")
    assert "3701**********" in (answers[-3] or "") and NUMBER not in "".join(map(str, answers))
    reg = latest(wx_runtime)
    assert (reg.kind, reg.channel, reg.pledge_version) == ("unemployed", "wechat", "2025.1")


def _last_options(api: FakeBotApi) -> list[str]:
    call = api.of("sendMessage")[-1]
    return [row[0]["callback_data"] for row in call.keyboard if "callback_data" in row[0]]


def _send(web: TestClient, ids: itertools.count[int], text: str | None, data: str | None) -> None:
    """A typed message, or a button press (each with fresh update, message and query ids)."""
    if data is not None:
        body = update("callback_query", update_id=next(ids), id=str(next(ids)), data=data)
    else:
        body = update("message_text", update_id=next(ids), text=text, message_id=next(ids))
    assert post(web, body).status_code == 200


def test_employment_registration_over_telegram(
    client: TestClient,  # noqa: F811
    bot_api: FakeBotApi,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
) -> None:
    ids = itertools.count(815100000)
    typed = ["就业登记", None, "Li Hua", NUMBER, "+8613812345678", "解放桥社区", None, "某快递公司"]
    pressed = {1: "r:pv:y", 6: "r:a:370102001002"}
    for step, text in enumerate(typed):
        _send(client, ids, text, pressed.get(step))
    assert "r:ef:unit" in _last_options(bot_api)
    _send(client, ids, None, "r:ef:flexible")
    _send(client, ids, "2025-06-01", None)
    _send(client, ids, None, "r:skip")
    _send(client, ids, "快递", None)
    _send(client, ids, None, _last_options(bot_api)[0])
    assert "r:submit" in _last_options(bot_api)
    _send(client, ids, None, "r:submit")
    reg = latest(tg_runtime)
    assert (reg.kind, reg.channel, reg.details["form"]) == ("employed", "telegram", "flexible")
    sent = " ".join(c.params["text"] for c in bot_api.of("sendMessage"))
    assert NUMBER not in sent and "13812345678" not in sent
