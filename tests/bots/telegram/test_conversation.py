"""Residents talking to the bot through the webhook: replies, keyboards, buttons, re-deliveries."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from core.storage.db import Database
from core.storage.models import Conversation
from tests.bots.telegram.conftest import post, stored, update
from tests.bots.telegram.fake_api import FakeBotApi

RESIDENT = 777001


def option_ids(bot_api: FakeBotApi) -> list[str]:
    return [
        row[0]["callback_data"]
        for call in bot_api.of("sendMessage")
        for row in call.keyboard
        if "callback_data" in row[0]
    ]


def test_start_welcomes_in_the_users_language_with_the_menu_as_buttons(
    client: TestClient, bot_api: FakeBotApi
) -> None:
    assert post(client, update("start")).status_code == 200
    welcome, menu = bot_api.of("sendMessage")
    assert welcome.chat_id == menu.chat_id == 777002
    assert "Welcome" in welcome.params["text"] and welcome.keyboard == []
    labels = [row[0]["text"] for row in menu.keyboard]
    assert labels[0].startswith("1. ") and "Policies and notices" in labels[3]
    assert "m:notices" in option_ids(bot_api)


def test_start_with_a_community_link_remembers_the_service_point(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    post(client, update("start_deep_link"))
    with db.transaction() as session:
        assert session.exec(select(Conversation)).one().area_code == "370102001002"
    assert len(bot_api.of("sendMessage")) == 3  # welcome, service point, menu


def test_chinese_user_gets_chinese(client: TestClient, bot_api: FakeBotApi) -> None:
    post(client, update("message_text"))
    (menu,) = bot_api.of("sendMessage")
    assert "就业服务" in menu.params["text"] and menu.chat_id == RESIDENT


def test_pressing_a_button_answers_the_query_and_runs_the_chosen_step(
    client: TestClient, bot_api: FakeBotApi
) -> None:
    post(client, update("message_text"))
    bot_api.calls.clear()
    assert post(client, update("callback_query")).status_code == 200
    answer, listing = bot_api.calls
    assert answer.method == "answerCallbackQuery" and "text" not in answer.params
    assert answer.params["callback_query_id"] == "3326443275431853001"
    assert listing.method == "sendMessage" and listing.keyboard  # the notices, as buttons
    assert all(len(i.encode()) <= 64 for i in option_ids(bot_api))


def test_stale_button_is_answered_with_a_notice_and_the_question_repeated(
    client: TestClient, bot_api: FakeBotApi
) -> None:
    post(client, update("callback_query"))  # opens the notices
    bot_api.calls.clear()
    post(client, update("callback_query", update_id=815000099, id="99", data="n:gone"))
    answer = bot_api.of("answerCallbackQuery")[0]
    assert "expired" in answer.params["text"] or "失效" in answer.params["text"]
    assert len(bot_api.of("sendMessage")) == 2  # the engine's notice, then the question again


def test_button_on_an_inline_message_is_answered_and_nothing_else(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    assert post(client, update("callback_inline")).status_code == 200
    assert [c.method for c in bot_api.calls] == ["answerCallbackQuery"]
    assert stored(db)["Conversation"] == 0


def test_typed_number_picks_the_numbered_button(client: TestClient, bot_api: FakeBotApi) -> None:
    post(client, update("message_text"))
    position = option_ids(bot_api).index("m:notices") + 1
    bot_api.calls.clear()
    post(client, update("message_text", update_id=815000100, message_id=20, text=str(position)))
    assert bot_api.of("sendMessage")[0].keyboard  # the notices list


def test_slash_commands_reach_the_core(client: TestClient, bot_api: FakeBotApi) -> None:
    post(client, update("callback_query"))
    bot_api.calls.clear()
    post(client, update("message_text", update_id=815000101, message_id=21, text="/cancel"))
    cancelled, menu = bot_api.of("sendMessage")
    assert "取消" in cancelled.params["text"] and menu.keyboard


def test_redelivered_update_sends_nothing_and_changes_nothing(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    post(client, update("message_text"))
    before, calls = stored(db), len(bot_api.calls)
    assert post(client, update("message_text")).status_code == 200
    assert len(bot_api.calls) == calls and stored(db) == before


def test_redelivered_button_press_sends_nothing_and_does_not_advance(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    post(client, update("callback_query"))
    with db.transaction() as session:
        step = session.exec(select(Conversation)).one().step
    calls = len(bot_api.calls)
    post(client, update("callback_query", update_id=815000200))  # same query, new envelope
    assert len(bot_api.calls) == calls
    with db.transaction() as session:
        assert session.exec(select(Conversation)).one().step == step


def test_location_gets_the_nearest_service_point_or_an_honest_answer(
    client: TestClient, bot_api: FakeBotApi
) -> None:
    post(client, update("location"))
    first = bot_api.of("sendMessage")[0]
    assert first.chat_id == RESIDENT and "服务平台" in first.params["text"]


def test_photo_is_answered_with_what_the_bot_can_read(
    client: TestClient, bot_api: FakeBotApi
) -> None:
    post(client, update("photo"))
    assert "文字" in bot_api.of("sendMessage")[0].params["text"]
