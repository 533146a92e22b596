"""Pushes within WeChat's rules, against a fake WeChat API served over local HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from bots.wechat.api import build_api
from bots.wechat.config import Template
from bots.wechat.render import TEXT_LIMIT_BYTES
from bots.wechat.sender import WeChatSender, build_sender
from core.delivery.dispatch import Dispatcher
from core.delivery.outbox import FAILED, HELD, enqueue
from core.delivery.sending import HoldForReply, PermanentError, TransientError
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Conversation, OutboxMessage
from core.timeutil import utcnow
from tests.bots.wechat.conftest import (
    OPENID,
    WeChatPoster,
    app_client,
    counts,
    payload,
    wechat_settings,
)
from tests.bots.wechat.fake_api import FakeServer, FakeWeChat

NOTICE = Reply("zh-CN", (Outgoing(t("location.nearest", area="解放桥社区")),))


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    wechat = FakeWeChat()
    with FakeServer(wechat) as server:
        wechat.base = server.base  # type: ignore[attr-defined]
        yield wechat


@pytest.fixture
def runtime_api(settings: Settings, db: Database, fake: FakeWeChat) -> Runtime:
    return build_runtime(wechat_settings(settings, fake.base), db=db)  # type: ignore[attr-defined]


@pytest.fixture
def sender(runtime_api: Runtime) -> WeChatSender:
    return build_sender(runtime_api)


def resident_says(runtime: Runtime, message_id: str, text: str = "菜单", **kw: str) -> None:
    runtime.engine.handle(
        Incoming(channel="wechat", user_id=OPENID, text=text, message_id=message_id, **kw)
    )  # type: ignore[arg-type]


def resident_clicks(runtime: Runtime, when: str = "1767225900") -> None:
    runtime.engine.handle(
        Incoming(
            channel="wechat",
            user_id=OPENID,
            command="m:notices",
            message_id=f"ev:{OPENID}:{when}:click",
        )
    )


def test_push_inside_window_goes_as_customer_service_message(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    sender.deliver(OPENID, NOTICE, "notice")
    assert fake.sent_texts() == [(OPENID, "离您最近的服务平台：解放桥社区")]


def test_sixth_push_in_the_window_waits_for_the_next_reply(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    for _ in range(5):
        sender.deliver(OPENID, NOTICE, "notice")
    with pytest.raises(HoldForReply):
        sender.deliver(OPENID, NOTICE, "notice")
    assert len(fake.sent_texts()) == 5
    resident_says(runtime_api, "2")  # a new message renews the grant
    sender.deliver(OPENID, NOTICE, "notice")
    assert len(fake.sent_texts()) == 6


def test_push_to_someone_who_never_wrote_waits(sender: WeChatSender, fake: FakeWeChat) -> None:
    with pytest.raises(HoldForReply):
        sender.deliver(OPENID, NOTICE, "notice")
    assert fake.calls == []


def test_push_after_48_hours_waits(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    later = replace(sender, clock=lambda: utcnow() + timedelta(hours=48))
    with pytest.raises(HoldForReply):
        later.deliver(OPENID, NOTICE, "notice")
    assert fake.sent_texts() == []


def test_menu_click_allows_three_pushes_within_a_minute(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_clicks(runtime_api)
    for _ in range(3):
        sender.deliver(OPENID, NOTICE, "notice")
    with pytest.raises(HoldForReply):
        sender.deliver(OPENID, NOTICE, "notice")
    resident_clicks(runtime_api, when="1767225999")
    after_a_minute = replace(sender, clock=lambda: utcnow() + timedelta(seconds=61))
    with pytest.raises(HoldForReply):
        after_a_minute.deliver(OPENID, NOTICE, "notice")
    assert len(fake.sent_texts()) == 3


def test_kind_with_a_template_goes_as_template_message_outside_the_window(
    sender: WeChatSender, fake: FakeWeChat
) -> None:
    templates = {"booking_reminder": Template("TPL-booking", "thing1", 20)}
    with_template = replace(sender, content=replace(sender.content, templates=templates))
    with_template.deliver(OPENID, NOTICE, "booking_reminder")
    [call] = [c for c in fake.calls if c.path == "/cgi-bin/message/template/send"]
    assert call.body is not None
    assert call.body["touser"] == OPENID and call.body["template_id"] == "TPL-booking"
    assert call.body["data"]["thing1"]["value"] == "离您最近的服务平台：解放桥社区"
    with pytest.raises(HoldForReply):  # other kinds still wait
        with_template.deliver(OPENID, NOTICE, "notice")


@pytest.mark.anyio
async def test_resident_who_refused_templates_gets_no_more_of_them(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat, db: Database
) -> None:
    templates = {"booking_reminder": Template("TPL-booking", "thing1", 20)}
    with_template = replace(sender, content=replace(sender.content, templates=templates))
    async for client in app_client(runtime_api):
        response = await WeChatPoster(client).post(payload("template_finish_refused.xml"))
        assert response.status_code == 200 and response.text == "success"
    with pytest.raises(HoldForReply):  # outside the window: waits for their next reply
        with_template.deliver(OPENID, NOTICE, "booking_reminder")
    assert not [c for c in fake.calls if c.path == "/cgi-bin/message/template/send"]
    resident_says(runtime_api, "7001")
    with_template.deliver(OPENID, NOTICE, "booking_reminder")  # inside it: customer service
    assert len(fake.sent_texts()) == 1


@pytest.mark.anyio
async def test_a_delivered_template_report_changes_nothing(
    runtime_api: Runtime, fake: FakeWeChat, db: Database
) -> None:
    before = counts(db)
    report = payload("template_finish_refused.xml", Status="success")
    async for client in app_client(runtime_api):
        response = await WeChatPoster(client).post(report)
        assert response.status_code == 200 and response.text == "success"
    assert counts(db) == before


def test_long_push_sends_first_part_and_keeps_the_rest_for_more(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    long = Reply("zh-CN", (Outgoing(t("wechat.part", text="\n".join(["政策条文"] * 400))),))
    sender.deliver(OPENID, long, "notice")
    [(_, first)] = fake.sent_texts()
    assert len(first.encode()) <= TEXT_LIMIT_BYTES and "更多" in first.splitlines()[-1]


def test_access_token_is_fetched_once_and_shared_by_processes(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    other_process = build_sender(runtime_api)
    sender.deliver(OPENID, NOTICE, "notice")
    other_process.deliver(OPENID, NOTICE, "notice")
    assert fake.paths().count("/cgi-bin/token") == 1
    tokens = {c.query["access_token"] for c in fake.calls if c.path != "/cgi-bin/token"}
    assert tokens == {"TOKEN-1"}


def test_token_near_expiry_is_refreshed_once(runtime_api: Runtime, fake: FakeWeChat) -> None:
    cfg = runtime_api.settings.wechat
    assert cfg is not None
    build_api(cfg, runtime_api.db).client.access_token  # noqa: B018 (fetches TOKEN-1)
    later = lambda: utcnow() + timedelta(seconds=7200 - 120)  # noqa: E731
    first = build_api(cfg, runtime_api.db, clock=later).client.access_token
    second = build_api(cfg, runtime_api.db, clock=later).client.access_token
    assert first == second == "TOKEN-2"
    assert fake.paths().count("/cgi-bin/token") == 2


def test_rejected_token_is_refreshed_once_and_the_call_retried(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    sender.deliver(OPENID, NOTICE, "notice")
    fake.revoke()
    sender.deliver(OPENID, NOTICE, "notice")
    assert fake.paths() == [
        "/cgi-bin/token",
        "/cgi-bin/message/custom/send",
        "/cgi-bin/message/custom/send",
        "/cgi-bin/token",
        "/cgi-bin/message/custom/send",
    ]
    assert len(fake.sent_texts()) == 3 and fake.calls[-1].query["access_token"] == "TOKEN-2"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, {"errcode": 45015, "errmsg": "response out of time limit"}), HoldForReply),
        ((200, {"errcode": 45047, "errmsg": "out of response count limit"}), HoldForReply),
        ((200, {"errcode": 43004, "errmsg": "require subscribe"}), PermanentError),
        ((200, {"errcode": 43019, "errmsg": "require remove blacklist"}), PermanentError),
        ((200, {"errcode": -1, "errmsg": "system error"}), TransientError),
        ((200, {"errcode": 45009, "errmsg": "reach max api daily quota limit"}), TransientError),
        ((502, {"errmsg": "bad gateway"}), TransientError),
        ((500, {}), TransientError),
    ],
)
def test_wechat_errors_map_to_what_the_dispatcher_does(
    runtime_api: Runtime,
    sender: WeChatSender,
    fake: FakeWeChat,
    answer: tuple[int, dict[str, object]],
    expected: type[Exception],
) -> None:
    resident_says(runtime_api, "1")
    fake.script["/cgi-bin/message/custom/send"] = [answer]
    with pytest.raises(expected) as caught:
        sender.deliver(OPENID, NOTICE, "notice")
    if isinstance(caught.value, PermanentError):
        assert caught.value.unreachable


def test_timeout_is_transient(runtime_api: Runtime, fake: FakeWeChat) -> None:
    resident_says(runtime_api, "1")
    cfg = runtime_api.settings.wechat
    assert cfg is not None
    sender = replace(build_sender(runtime_api), api=build_api(cfg, runtime_api.db, timeout=0.2))
    sender.api.client.access_token  # noqa: B018 (token first, then the API hangs)
    fake.delay = 0.5
    with pytest.raises(TransientError):
        sender.deliver(OPENID, NOTICE, "notice")


def test_token_api_refusing_our_ip_is_transient(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat
) -> None:
    resident_says(runtime_api, "1")
    fake.script["/cgi-bin/token"] = [(200, {"errcode": 40164, "errmsg": "invalid ip"})]
    with pytest.raises(TransientError) as caught:
        sender.deliver(OPENID, NOTICE, "notice")
    assert "whitelist" in caught.value.reason


@pytest.mark.anyio
async def test_unfollowed_resident_is_marked_unreachable_by_the_dispatcher(
    runtime_api: Runtime, sender: WeChatSender, fake: FakeWeChat, db: Database
) -> None:
    resident_says(runtime_api, "1")
    fake.script["/cgi-bin/message/custom/send"] = [(200, {"errcode": 43004, "errmsg": "x"})]
    with db.transaction() as session:
        enqueue(
            session,
            key="n:1",
            channel="wechat",
            recipient=OPENID,
            kind="notice",
            messages=NOTICE.messages,
            lang="zh-CN",
        )
    await Dispatcher(db, {"wechat": sender}).run_once()
    with db.transaction() as session:
        assert session.exec(select(OutboxMessage.status)).one() == FAILED
        conv = session.exec(select(Conversation)).one()
        assert conv.reachable is False


@pytest.mark.anyio
async def test_held_notice_rides_along_with_the_next_reply(
    runtime_api: Runtime, sender: WeChatSender, db: Database
) -> None:
    with db.transaction() as session:
        enqueue(
            session,
            key="n:2",
            channel="wechat",
            recipient=OPENID,
            kind="notice",
            messages=NOTICE.messages,
            lang="zh-CN",
        )
    await Dispatcher(db, {"wechat": sender}).run_once()
    with db.transaction() as session:
        assert session.exec(select(OutboxMessage.status)).one() == HELD
    reply = runtime_api.engine.handle(
        Incoming(channel="wechat", user_id=OPENID, text="菜单", message_id="9")
    )
    assert [m.text.id for m in reply.messages][-2:] == [
        "system.pending_notices",
        "location.nearest",
    ]
