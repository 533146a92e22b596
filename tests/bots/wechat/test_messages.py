"""Each WeChat message type and event does what a resident expects."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bots.wechat import continuation, refusals
from core.delivery.outbox import CANCELLED, enqueue
from core.dialog.messages import t
from core.runtime import Runtime
from core.storage.db import Database
from core.storage.models import Conversation, InboundMessage, OutboxMessage, SharedValue
from tests.bots.wechat.conftest import OPENID, WeChatPoster, counts, payload

pytestmark = pytest.mark.anyio


def text(runtime: Runtime, text_id: str, **params: object) -> str:
    return runtime.content.catalog.text(t(text_id, **params), "zh-CN")


def conversation(db: Database) -> Conversation | None:
    with db.transaction() as session:
        return session.exec(select(Conversation).where(Conversation.external_id == OPENID)).first()


async def test_reply_number_is_mapped_back_to_the_option(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    menu = await wx.say(payload("text.xml", Content="菜单", MsgId="1"))
    assert menu is not None
    line = next(x for x in menu.splitlines() if x.endswith("政策资讯"))
    number = line.split()[1]
    answer = await wx.say(payload("text.xml", Content=number, MsgId="2"))
    assert answer is not None and answer.startswith(text(wx_runtime, "notices.list", page=1))


async def test_follow_shows_welcome_and_menu(wx: WeChatPoster, wx_runtime: Runtime) -> None:
    answer = await wx.say(payload("subscribe.xml"))
    assert answer is not None
    assert answer.startswith(text(wx_runtime, "system.welcome"))
    assert text(wx_runtime, "menu.title") in answer


async def test_follow_through_community_qr_code_selects_that_community(
    wx: WeChatPoster, db: Database, wx_runtime: Runtime
) -> None:
    answer = await wx.say(payload("subscribe_qrscene.xml"))
    conv = conversation(db)
    assert conv is not None and conv.area_code == "370102001002"
    assert answer is not None and "解放桥社区" in answer


async def test_follower_scanning_community_qr_code_selects_it(
    wx: WeChatPoster, db: Database
) -> None:
    await wx.say(payload("scan.xml"))
    conv = conversation(db)
    assert conv is not None and conv.area_code == "370102001003"


async def test_qr_scene_that_is_not_an_area_is_ignored(wx: WeChatPoster, db: Database) -> None:
    await wx.say(payload("subscribe_qrscene.xml", EventKey="qrscene_poster-2026"))
    conv = conversation(db)
    assert conv is not None and conv.area_code is None


async def test_unfollow_deletes_chat_data_and_stops_pushes(wx: WeChatPoster, db: Database) -> None:
    await wx.say(payload("text.xml"))
    conv = conversation(db)
    assert conv is not None and conv.last_inbound_at is not None
    with db.transaction() as session:
        enqueue(
            session,
            key="n1",
            channel="wechat",
            recipient=OPENID,
            kind="notice",
            messages=(),
            lang="zh-CN",
        )
        continuation.keep(session, OPENID, ["rest"], conv.last_inbound_at)
    await wx.post(payload("template_finish_refused.xml"))
    with db.transaction() as session:
        assert refusals.refused(session, OPENID)
    response = await wx.post(payload("unsubscribe.xml"))
    assert response.text == "success"
    assert conversation(db) is None
    with db.transaction() as session:
        assert session.exec(select(InboundMessage)).all() == []
        assert session.exec(select(SharedValue)).all() == []  # quota, 更多 parts, refusal
        assert [r.status for r in session.exec(select(OutboxMessage))] == [CANCELLED]


async def test_menu_click_runs_the_menu_item(wx: WeChatPoster, wx_runtime: Runtime) -> None:
    answer = await wx.say(payload("click.xml", EventKey="m:notices"))
    assert answer is not None and answer.startswith(text(wx_runtime, "notices.list", page=1))


async def test_menu_click_on_a_command_runs_it(wx: WeChatPoster, wx_runtime: Runtime) -> None:
    answer = await wx.say(payload("click.xml", EventKey="help"))
    assert answer is not None and text(wx_runtime, "help.idle") in answer


async def test_unknown_menu_key_shows_the_menu(wx: WeChatPoster, wx_runtime: Runtime) -> None:
    answer = await wx.say(payload("click.xml", EventKey="OLD_MENU_2019"))
    assert answer is not None and answer.startswith(text(wx_runtime, "menu.title"))


async def test_spoken_message_is_understood_as_text(wx: WeChatPoster, wx_runtime: Runtime) -> None:
    answer = await wx.say(payload("voice.xml", Recognition="政策资讯。"))
    assert answer is not None and answer.startswith(text(wx_runtime, "notices.list", page=1))


async def test_voice_without_recognition_asks_to_repeat(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    answer = await wx.say(payload("voice_unrecognised.xml"))
    assert answer == text(wx_runtime, "wechat.voice_unrecognised")


async def test_location_names_the_street_platform_its_address_belongs_to(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    label = "山东省济南市历下区解放路街道解放桥社区历山路82号"
    answer = await wx.say(payload("location.xml", Label=label))
    expected = text(
        wx_runtime,
        "location.in_street",
        area="济南市历下区解放路街道解放桥社区居民委员会",
        street="解放路街道",
    )
    assert answer is not None and answer.startswith(expected)


async def test_location_on_a_road_of_the_same_name_names_only_the_county(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    # "解放路" is a road here, not 解放路街道: a road may cross several streets.
    answer = await wx.say(payload("location.xml", Label="山东省济南市历下区解放路"))
    expected = text(wx_runtime, "location.in_county", area="济南市历下区")
    assert answer is not None and answer.startswith(expected)


async def test_location_outside_the_area_list_gets_an_honest_answer(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    answer = await wx.say(payload("location.xml", Label="北京市东城区东华门街道"))
    assert answer is not None and answer.startswith(text(wx_runtime, "location.no_data"))


@pytest.mark.parametrize("fixture", ["image.xml", "video.xml", "link.xml", "file.xml"])
async def test_media_gets_a_polite_answer(
    wx: WeChatPoster, wx_runtime: Runtime, fixture: str
) -> None:
    answer = await wx.say(payload(fixture))
    assert answer is not None
    assert answer.startswith(text(wx_runtime, "system.unsupported_message"))


@pytest.mark.parametrize("fixture", ["unknown_type.xml", "view.xml", "location_report.xml"])
async def test_unknown_types_and_silent_events_get_success(
    wx: WeChatPoster, db: Database, fixture: str
) -> None:
    before = counts(db)
    response = await wx.post(payload(fixture))
    assert response.status_code == 200 and response.text == "success"
    assert counts(db) == before
