"""Telegram updates as the engine sees them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from telegram import Bot, Update

from bots.telegram.updates import translate
from tests.bots.telegram.conftest import TOKEN, post, update
from tests.bots.telegram.fake_api import FakeBotApi

BOT = Bot(TOKEN)


def parsed(data: dict[str, Any]) -> Update:
    result = Update.de_json(data, BOT)
    assert result is not None
    return result


@pytest.mark.parametrize("text", ["/start", "/start@jobbot_test_bot", " /START "])
def test_start_is_the_first_contact_event(text: str) -> None:
    inbound = translate(parsed(update("start", text=text)))
    assert inbound is not None and inbound.incoming is not None
    assert inbound.incoming.event == "subscribe" and inbound.incoming.extra == {}


def test_start_payload_is_the_scene() -> None:
    inbound = translate(parsed(update("start", text="/start@jobbot_test_bot 370102001002")))
    assert inbound is not None and inbound.incoming is not None
    assert inbound.incoming.extra == {"scene": "370102001002"}


def test_other_commands_go_to_the_core_as_typed() -> None:
    inbound = translate(parsed(update("message_text", text="/lang")))
    assert inbound is not None and inbound.incoming is not None
    assert inbound.incoming.text == "/lang" and inbound.incoming.event is None


def test_redelivery_key_is_the_message_not_the_envelope() -> None:
    first = translate(parsed(update("message_text")))
    again = translate(parsed(update("message_text", update_id=815009999)))
    other = translate(parsed(update("message_text", message_id=12)))
    assert first and again and other and first.incoming and again.incoming and other.incoming
    assert first.incoming.message_id == again.incoming.message_id == "m777001:11"
    assert other.incoming.message_id != first.incoming.message_id


def test_button_press_carries_the_option_id_and_the_users_language() -> None:
    inbound = translate(parsed(update("callback_query")))
    assert inbound is not None and inbound.incoming is not None
    assert inbound.incoming.choice == "m:notices" and inbound.incoming.lang_hint == "zh-hans"
    assert inbound.callback_id == "3326443275431853001" and inbound.incoming.user_id == "777001"


def test_location_is_an_event_with_coordinates() -> None:
    inbound = translate(parsed(update("location")))
    assert inbound is not None and inbound.incoming is not None
    assert inbound.incoming.event == "location"
    assert inbound.incoming.extra == {"lat": "36.6683", "lon": "117.0204"}


def test_the_token_never_reaches_the_logs(
    client: TestClient, bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    post(client, update("message_text"))
    assert bot_api.of("sendMessage")
    assert any("sendMessage" in r.getMessage() for r in caplog.records)
    assert not any(TOKEN in r.getMessage() for r in caplog.records)
