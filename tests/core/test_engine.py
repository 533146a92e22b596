"""The dialog engine, driven the way a channel adapter drives it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core.dialog.flow import MenuItem
from core.features import Feature
from core.installed import FEATURES
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Conversation, InboundMessage
from tests.talk import Talk


def test_first_contact_shows_menu_in_chinese(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(event="subscribe")
    assert talk.ids() == ["system.welcome", "menu.title"]
    assert "m:register" in talk.options() and "m:notices" in talk.options()
    assert "求职" in talk.say("菜单")[0]


def test_telegram_english_user_gets_english_on_first_contact(runtime: Runtime) -> None:
    talk = Talk(runtime, channel="telegram", lang="en-GB")
    assert "Reply 1" in talk.say("menu")[0]


def test_menu_number_opens_item(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("菜单")
    position = talk.options().index("m:notices") + 1
    talk.send(str(position))
    assert talk.ids() == ["notices.list"]


def test_full_width_number_is_understood(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("菜单")
    position = talk.options().index("m:notices") + 1
    talk.send(chr(0xFF10 + position))
    assert talk.ids() == ["notices.list"]


def test_unbuilt_menu_item_says_so_and_stays_at_menu(settings: Settings, db: Database) -> None:
    # A feature may list a menu item before its flow exists; the bot is honest about it.
    planned = Feature("planned", menu=(MenuItem("booking", "not-built-yet", order=30),))
    others = [f for f in FEATURES if f.name != "booking"]
    talk = Talk(build_runtime(settings, db=db, features=[*others, planned]))
    talk.send(choice="m:booking")
    assert talk.ids() == ["menu.unbuilt", "menu.title"]
    feature = talk.last.messages[0].text.params["feature"]  # type: ignore[union-attr]
    assert feature.id == "menu.item.booking"


def test_nonsense_at_menu_explains_what_is_expected(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("asdfgh 啊啊啊")
    assert talk.ids() == ["intent.help", "menu.title"]


def test_nonsense_mid_flow_reprompts_and_keeps_place(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("1")
    assert talk.ids() == ["notices.detail"]
    talk.send("blah")
    assert talk.ids() == ["notices.pick", "notices.detail"]


def test_back_returns_to_previous_step(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("1")
    talk.send("返回")
    assert talk.ids() == ["notices.list"]
    talk.send("返回")
    assert talk.ids() == ["menu.title"]


def test_help_mid_flow_keeps_the_step(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("帮助")
    assert talk.ids() == ["help.commands", "notices.list"]
    talk.send("1")
    assert talk.ids() == ["notices.detail"]


def test_language_switch_mid_flow_keeps_the_step(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    reply = talk.send("English")
    assert reply.lang == "en"
    assert talk.ids() == ["system.language_set", "notices.list"]
    assert talk.send("1").lang == "en"
    assert talk.ids() == ["notices.detail"]


def test_cancel_mid_flow_returns_to_menu(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("取消")
    assert talk.ids() == ["system.cancelled", "menu.title"]


def test_every_global_command_works_in_every_state(runtime: Runtime) -> None:
    words = [
        "菜单",
        "取消",
        "返回",
        "帮助",
        "语言",
        "我的",
        "订阅",
        "退订",
        "menu",
        "cancel",
        "back",
        "help",
        "language",
        "mine",
        "subscribe",
        "unsubscribe",
    ]
    for word in words:
        talk = Talk(runtime, user=f"u-{word}")
        talk.send(choice="m:notices")
        talk.send(word)
        assert "intent.help" not in talk.ids(), word
        assert "notices.pick" not in talk.ids(), word


def test_typed_option_label_picks_the_option(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("1")
    talk.send("返回列表")
    assert talk.ids() == ["notices.list"]


def test_menu_name_inside_a_flow_switches_but_generic_words_do_not(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("资讯")  # a menu word at the menu, an ordinary answer inside a flow
    assert talk.ids()[-1] == "notices.list" and "menu.title" not in talk.ids()
    talk.send("找工作")
    assert talk.ids() == ["jobs.ask"]


def test_stale_button_is_refused_and_step_repeated(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send(choice="n:does-not-exist-anymore")
    assert talk.ids() == ["system.stale_choice", "notices.list"]


def test_idle_conversation_restarts_with_notice(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    with runtime.db.transaction() as session:
        conv = session.exec(select(Conversation)).one()
        assert conv.last_inbound_at is not None
        conv.last_inbound_at -= timedelta(minutes=runtime.settings.idle_timeout_minutes + 1)
        session.add(conv)
    talk.send("1")
    assert talk.ids()[0] == "system.idle_restart"


def test_redelivered_message_gets_same_reply_and_no_second_effect(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices", message_id="m-1")
    first = talk.send("1", message_id="m-2")
    again = talk.send("1", message_id="m-2")
    assert again.duplicate and again.messages == first.messages
    with runtime.db.transaction() as session:
        assert len(session.exec(select(InboundMessage)).all()) == 2
        conv = session.exec(select(Conversation)).one()
        assert conv.history == ["list"]  # the repeat did not advance anything


def test_same_message_id_on_another_channel_is_a_different_message(runtime: Runtime) -> None:
    a = Talk(runtime, channel="wechat", user="w1")
    b = Talk(runtime, channel="telegram", user="t1")
    a.send("菜单", message_id="42")
    assert not b.send("菜单", message_id="42").duplicate


def test_forget_removes_chat_side_data_and_stops_pushes(runtime: Runtime) -> None:
    from core.delivery.outbox import enqueue
    from core.dialog.messages import Outgoing, t
    from core.storage.models import OutboxMessage

    talk = Talk(runtime, channel="wechat", user="o-123")
    talk.send("菜单", message_id="1")
    with runtime.db.transaction() as session:
        enqueue(
            session,
            key="k1",
            channel="wechat",
            recipient="o-123",
            kind="notice",
            messages=[Outgoing(t("menu.title"))],
            lang="zh-CN",
        )
    assert runtime.engine.forget("wechat", "o-123")
    with runtime.db.transaction() as session:
        assert session.exec(select(Conversation)).first() is None
        assert session.exec(select(InboundMessage)).first() is None
        assert session.exec(select(OutboxMessage)).one().status == "cancelled"


def test_on_reply_hook_commits_with_the_step_or_not_at_all(runtime: Runtime) -> None:
    from core.delivery.outbox import enqueue
    from core.dialog.messages import Incoming
    from core.storage.models import OutboxMessage

    def late(session, reply) -> None:  # type: ignore[no-untyped-def]
        enqueue(
            session,
            key="late:1",
            channel="wechat",
            recipient="o-9",
            kind="reply",
            messages=reply.messages,
            lang=reply.lang,
        )

    def broken(session, reply) -> None:  # type: ignore[no-untyped-def]
        late(session, reply)
        raise RuntimeError("crash after the step")

    incoming = Incoming("wechat", "o-9", text="菜单", message_id="w-1")
    with pytest.raises(RuntimeError):
        runtime.engine.handle(incoming, on_reply=broken)
    with runtime.db.transaction() as session:
        assert session.exec(select(OutboxMessage)).first() is None
        assert session.exec(select(InboundMessage)).first() is None
        assert session.exec(select(Conversation)).first() is None  # first contact undone too
    runtime.engine.handle(incoming, on_reply=late)
    with runtime.db.transaction() as session:
        assert session.exec(select(OutboxMessage)).one().idempotency_key == "late:1"


def test_held_pushes_ride_along_once_and_only_for_their_recipient(runtime: Runtime) -> None:
    from core.delivery.outbox import HELD, SENT, enqueue
    from core.dialog.messages import Outgoing, t
    from core.storage.models import OutboxMessage

    me = Talk(runtime, channel="wechat", user="o-1")
    other = Talk(runtime, channel="wechat", user="o-2")
    me.send("菜单", message_id="1")
    with runtime.db.transaction() as session:
        for key in ("k1", "k2"):
            enqueue(
                session,
                key=key,
                channel="wechat",
                recipient="o-1",
                kind="notice",
                messages=[Outgoing(t("menu.title"))],
                lang="zh-CN",
            )
        for row in session.exec(select(OutboxMessage)):
            row.status = HELD
            session.add(row)
    assert "system.pending_notices" not in other.ids(other.send("菜单", message_id="2"))
    first = me.send("帮助", message_id="3")
    assert me.ids(first)[-3:] == ["system.pending_notices", "menu.title", "menu.title"]
    assert me.send("帮助", message_id="3").messages == first.messages  # a re-delivery
    assert "system.pending_notices" not in me.ids(me.send("帮助", message_id="4"))
    with runtime.db.transaction() as session:
        assert {r.status for r in session.exec(select(OutboxMessage))} == {SENT}


def test_redelivered_first_message_is_answered_from_the_record(runtime: Runtime) -> None:
    talk = Talk(runtime, channel="wechat", user="o-new")
    first = talk.send("菜单", message_id="n-1")
    again = talk.send("菜单", message_id="n-1")
    assert again.duplicate and again.messages == first.messages
    with runtime.db.transaction() as session:
        assert len(session.exec(select(Conversation)).all()) == 1
        assert len(session.exec(select(InboundMessage)).all()) == 1


def test_stored_replies_are_encrypted_at_rest(runtime: Runtime) -> None:
    talk = Talk(runtime, channel="wechat", user="o-seal")
    first = talk.send("菜单", message_id="s-1")
    with runtime.db.engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT reply FROM inbound_message").scalar_one()
    assert "menu.title" not in str(raw) and "sealed" in str(raw)
    assert talk.send("菜单", message_id="s-1").messages == first.messages


def test_thanks_get_a_welcome_not_a_did_not_understand(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("谢谢！")
    assert talk.ids() == ["system.thanks"]
    talk.send("好的")
    assert talk.ids() == ["intent.ack"]


def test_thanks_and_goodbye_inside_a_flow_keep_the_place(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("谢谢")
    assert talk.ids() == ["system.thanks", "notices.list"]
    talk.send("再见")
    assert talk.ids() == ["system.bye"]
    talk.send("1")
    assert talk.ids() == ["notices.detail"]
