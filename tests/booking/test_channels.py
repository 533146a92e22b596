"""Booking through the real webhooks: WeChat (numbers typed) and Telegram (buttons), and the
staff's call reaching the WeChat resident through the outbox."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient

from core.people.staff import Role, add_staff, issue_link_code
from core.runtime import Runtime
from core.timeutil import utcnow
from tests.booking.conftest import Clock, book_guidance, bookings
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
    OPENID,
    WeChatPoster,
    anyio_backend,
    payload,
    wx,
    wx_runtime,
)
from tests.registration.helpers import COMMUNITY, pushes, staff_chat
from tests.talk import Talk

# 预约 → 职业指导 → 解放桥社区 desk → 9月29日 (typed) → 14:00 (typed, full width) → name →
# skip the need → confirm.
WECHAT_LINES = ["预约", "1", "2", "9月29日", "１４：００", "王芳", "1", "1"]


@pytest.mark.anyio
async def test_booking_over_wechat_then_called_by_staff(
    wx: WeChatPoster,  # noqa: F811
    wx_runtime: Runtime,  # noqa: F811
) -> None:
    clock = Clock()
    wx_runtime.engine.clock = clock
    answers = []
    for n, line in enumerate(WECHAT_LINES, start=1):
        answers.append(await wx.say(payload("text.xml", Content=line, MsgId=str(7100 + n))) or "")
    assert "预约成功" in answers[-1] and "A001" in answers[-1], answers[-1]
    (row,) = bookings(wx_runtime)
    assert (row.channel, row.external_id, row.start) == ("wechat", OPENID, "14:00")
    clock.now = clock.now.replace(hour=14, minute=1)
    staff = staff_chat(wx_runtime, "jfq-wang", Role.COMMUNITY, COMMUNITY)
    staff.talk.send("今日预约")
    staff.talk.send("叫号")
    assert pushes(wx_runtime, OPENID) == ["booking.push.call"]


def _last_options(api: FakeBotApi) -> list[str]:
    call = api.of("sendMessage")[-1]
    return [row[0]["callback_data"] for row in call.keyboard if "callback_data" in row[0]]


def _send(web: TestClient, ids: itertools.count[int], text: str | None, data: str | None) -> None:
    if data is not None:
        body = update("callback_query", update_id=next(ids), id=str(next(ids)), data=data)
    else:
        body = update("message_text", update_id=next(ids), text=text, message_id=next(ids))
    assert post(web, body).status_code == 200


def test_booking_and_cancelling_over_telegram(
    client: TestClient,  # noqa: F811
    bot_api: FakeBotApi,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
) -> None:
    tg_runtime.engine.clock = Clock()
    ids = itertools.count(915100000)
    _send(client, ids, "约个时间", None)
    assert "b:s:guidance" in _last_options(bot_api)
    for data in ("b:s:guidance", "b:o:370102001000", "b:d:2026-09-30:am", "b:t:10:00"):
        _send(client, ids, None, data)
    _send(client, ids, "Li Hua", None)
    _send(client, ids, "想咨询创业补贴", None)
    assert _last_options(bot_api) == ["b:ok", "b:redo"]
    _send(client, ids, None, "b:ok")
    (row,) = bookings(tg_runtime)
    assert row.status == "booked" and any(
        row.number in c.params.get("text", "") for c in bot_api.of("sendMessage")
    )
    _send(client, ids, "我的预约", None)
    _send(client, ids, None, _last_options(bot_api)[0])
    _send(client, ids, None, "b:x")
    _send(client, ids, None, "b:x:y")
    assert bookings(tg_runtime)[0].status == "cancelled"


def test_staff_runs_the_day_over_telegram(
    client: TestClient,  # noqa: F811
    bot_api: FakeBotApi,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
) -> None:
    clock = Clock()
    tg_runtime.engine.clock = clock
    resident = Talk(tg_runtime, user="r1")
    book_guidance(resident, office=COMMUNITY, day=clock.now.date(), start="14:00")
    clock.now = clock.now.replace(hour=14, minute=2)
    with tg_runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=tg_runtime.vault, username="tg-wang", name="王小红",
            role=Role.COMMUNITY, area_code=COMMUNITY,
        )  # fmt: skip
        code = issue_link_code(session, staff=staff, now=utcnow(), minutes=30)
    ids = itertools.count(925100000)
    _send(client, ids, f"绑定 {code}", None)
    _send(client, ids, "今日预约", None)
    assert _last_options(bot_api)[0] == "b:call"
    _send(client, ids, None, "b:call")
    assert _last_options(bot_api)[:2] == ["b:done", "b:noshow"]
    _send(client, ids, None, "b:done")
    _send(client, ids, None, "b:skip")
    (row,) = bookings(tg_runtime)
    assert (row.status, row.window) == ("done", 1)
    assert pushes(tg_runtime, "r1") == ["booking.push.call"]
