"""`jobbot telegram poll`: getUpdates through the webhook's handler, with the same dedup."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from bots.telegram.bot import build_application
from bots.telegram.handling import UpdateHandler
from bots.telegram.polling import PollConflict, poll, run_polling
from core.dialog.messages import Incoming, Reply
from core.runtime import Runtime
from core.settings import Settings
from core.storage.db import Database
from tests.bots.telegram.conftest import post, stored, update
from tests.bots.telegram.fake_api import FakeBotApi


async def no_wait(_seconds: float) -> None:
    return None


def poll_rounds(settings: Settings, runtime: Runtime, rounds: int) -> None:
    telegram = settings.telegram
    assert telegram is not None

    async def main() -> None:
        async with build_application(telegram) as application:
            handler = UpdateHandler(runtime, application.bot)
            await poll(application.bot, handler, timeout=0, rounds=rounds, sleep=no_wait)

    asyncio.run(main())


def test_polled_updates_are_answered_and_confirmed(
    tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.updates.extend([update("start"), update("message_text")])
    poll_rounds(tg_settings, tg_runtime, rounds=2)
    assert {c.chat_id for c in bot_api.of("sendMessage")} == {777001, 777002}
    first, second = bot_api.of("getUpdates")
    assert "offset" not in first.params and second.params["offset"] == "815000002"
    assert first.json("allowed_updates") == ["message", "callback_query", "my_chat_member"]


def test_update_seen_by_the_webhook_sends_nothing_when_polled(
    client: TestClient,
    tg_settings: Settings,
    tg_runtime: Runtime,
    bot_api: FakeBotApi,
    db: Database,
) -> None:
    post(client, update("message_text"))
    before = stored(db)
    bot_api.calls.clear()
    bot_api.updates.append(update("message_text"))
    poll_rounds(tg_settings, tg_runtime, rounds=1)
    assert bot_api.of("sendMessage") == [] and stored(db) == before


def test_update_not_handled_is_fetched_again(
    tg_settings: Settings,
    tg_runtime: Runtime,
    bot_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = tg_runtime.engine.handle
    outage = iter([True])

    def flaky(incoming: Incoming, **hooks: Any) -> Reply:
        if next(outage, False):
            raise OperationalError("BEGIN", {}, Exception("database is locked"))
        return real(incoming, **hooks)

    monkeypatch.setattr(tg_runtime.engine, "handle", flaky)
    bot_api.updates.append(update("message_text"))
    poll_rounds(tg_settings, tg_runtime, rounds=2)
    _, second = bot_api.of("getUpdates")
    assert "offset" not in second.params  # nothing confirmed after the failure
    assert len(bot_api.of("sendMessage")) == 1


def test_polling_refuses_while_a_webhook_is_set(
    tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.fail("getUpdates", 409, "Conflict: can't use getUpdates method while webhook is active")
    with pytest.raises(PollConflict):
        poll_rounds(tg_settings, tg_runtime, rounds=1)


def test_flood_control_and_network_errors_while_polling_wait_and_go_on(
    tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    bot_api.fail("getUpdates", 429, "Too Many Requests", retry_after=3)
    bot_api.fail("getUpdates", 502, "Bad Gateway")
    bot_api.updates.append(update("message_text"))
    poll_rounds(tg_settings, tg_runtime, rounds=3)
    assert len(bot_api.of("getUpdates")) == 3 and bot_api.of("sendMessage")


def test_poll_command_registers_the_command_menu_first(
    tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi
) -> None:
    assert tg_settings.telegram is not None
    bot_api.updates.append(update("start"))
    asyncio.run(run_polling(tg_runtime, tg_settings.telegram, worker=False, timeout=0, rounds=1))
    methods = [c.method for c in bot_api.calls]
    assert methods.index("setMyCommands") < methods.index("getUpdates")
    assert bot_api.of("sendMessage")
