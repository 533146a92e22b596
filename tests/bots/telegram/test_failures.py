"""When something breaks mid-update: nothing is lost, nothing is done twice, no 500."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bots.web.app import create_app
from core.dialog.messages import Incoming, Reply
from core.runtime import Runtime
from core.settings import ConfigurationError, Settings
from core.storage.db import Database
from core.storage.models import OutboxMessage
from core.timeutil import utcnow
from tests.bots.telegram.conftest import post, stored, update
from tests.bots.telegram.fake_api import FakeBotApi

NOTHING = {"Conversation": 0, "InboundMessage": 0, "OutboxMessage": 0}


def test_database_outage_answers_503_so_telegram_delivers_again(
    client: TestClient,
    bot_api: FakeBotApi,
    db: Database,
    tg_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unavailable(incoming: Incoming, **hooks: Any) -> Reply:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    with monkeypatch.context() as patch:
        patch.setattr(tg_runtime.engine, "handle", unavailable)
        assert post(client, update("callback_query")).status_code == 503
    assert [c.method for c in bot_api.calls] == ["answerCallbackQuery"]  # spinner stops
    assert stored(db) == NOTHING
    assert post(client, update("callback_query")).status_code == 200  # the re-delivery
    assert bot_api.of("answerCallbackQuery") and bot_api.of("sendMessage")


def test_engine_bug_gets_an_apology_and_stores_nothing(
    client: TestClient,
    bot_api: FakeBotApi,
    db: Database,
    tg_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(incoming: Incoming, **hooks: Any) -> Reply:
        raise KeyError("a flow bug")

    monkeypatch.setattr(tg_runtime.engine, "handle", broken)
    assert post(client, update("message_text")).status_code == 200
    (apology,) = bot_api.of("sendMessage")
    assert "/menu" in apology.params["text"] and stored(db) == NOTHING


def test_reply_hitting_flood_control_is_deferred_to_the_outbox(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    bot_api.fail("sendMessage", 429, "Too Many Requests: retry after 9", retry_after=9)
    assert post(client, update("start")).status_code == 200
    with db.transaction() as session:
        row = session.exec(select(OutboxMessage)).one()
    assert row.kind == "reply" and row.recipient == "777002"
    assert len(Reply.from_json(row.payload).messages) == 2  # welcome and menu, neither sent
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=7)
    calls = len(bot_api.calls)
    post(client, update("start"))  # Telegram's re-delivery changes nothing
    assert len(bot_api.calls) == calls and stored(db)["OutboxMessage"] == 1


def test_reply_to_a_chat_that_blocked_the_bot_is_dropped(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    bot_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert post(client, update("message_text")).status_code == 200
    with db.transaction() as session:
        (row,) = session.exec(select(OutboxMessage)).all()
    assert row.status == "failed" and "blocked" in (row.last_error or "")  # nothing left to send


def test_app_starts_while_telegram_is_unreachable(
    tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.fail("getMe", 502, "Bad Gateway")
    with TestClient(create_app(tg_settings, runtime=tg_runtime)) as client:
        assert post(client, update("message_text")).status_code == 200
    assert bot_api.of("sendMessage")


def test_app_refuses_to_start_with_a_rejected_token(
    tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.fail("getMe", 401, "Unauthorized")
    with pytest.raises(ConfigurationError), TestClient(create_app(tg_settings, runtime=tg_runtime)):
        pass
