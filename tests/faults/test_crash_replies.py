"""A process killed between the messages of a reply: what is missing is still sent, once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import select
from telegram import Update

from bots.telegram import handling
from bots.telegram.bot import build_bot
from bots.telegram.sender import telegram_senders
from bots.web.app import create_app
from core.delivery.dispatch import Dispatcher
from core.runtime import Runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import OutboxMessage
from core.timeutil import utcnow
from tests.bots.telegram.conftest import post, tg_runtime, tg_settings, update  # noqa: F401
from tests.bots.telegram.fake_api import FakeBotApi


class Killed(BaseException):
    """kill -9 as far as the request is concerned: nothing after it runs."""


def _die_after_first_message(monkeypatch: pytest.MonkeyPatch) -> None:
    real = handling.send_outgoing
    sent = iter(range(100))

    async def sending(*args: Any, **kwargs: Any) -> None:
        if next(sent) == 1:
            raise Killed()
        await real(*args, **kwargs)

    monkeypatch.setattr(handling, "send_outgoing", sending)


def _time_passes(db: Database) -> None:
    """The dead request's claim on its reply lapses."""
    with db.transaction() as session:
        session.execute(
            sa.update(OutboxMessage).values(lease_until=utcnow() - timedelta(seconds=1))
        )


def _crash_in_start(settings: Settings, runtime: Runtime, bot_api: FakeBotApi) -> str:
    """/start on a process that dies between the welcome and the menu."""
    assert settings.telegram is not None
    bot = build_bot(settings.telegram)
    handler = handling.UpdateHandler(runtime, bot)
    bot_api.calls.clear()
    with pytest.MonkeyPatch.context() as patch:
        _die_after_first_message(patch)

        async def die() -> None:
            try:
                await handler.handle(Update.de_json(update("start"), bot))
            finally:  # the kernel would close its sockets
                await bot.request.shutdown()

        with pytest.raises(Killed):
            asyncio.run(die())
    (welcome,) = bot_api.sent_texts  # the menu never went out
    return welcome


def test_redelivered_start_after_a_crash_sends_the_missing_menu_once(
    tg_settings: Settings,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
    bot_api: FakeBotApi,
    db: Database,
) -> None:
    welcome = _crash_in_start(tg_settings, tg_runtime, bot_api)
    _time_passes(db)
    with TestClient(create_app(tg_settings, runtime=tg_runtime)) as client:  # restarted
        assert post(client, update("start")).status_code == 200  # Telegram re-delivers
        texts = bot_api.sent_texts
        assert texts[0] == welcome and len(texts) == 2 and texts[1] != welcome
        assert post(client, update("start")).status_code == 200
    assert len(bot_api.sent_texts) == 2  # sent once, not again
    with db.transaction() as session:
        (row,) = session.exec(select(OutboxMessage)).all()
    assert row.status == "sent"


def test_worker_sends_the_rest_of_a_reply_whose_sender_died(
    tg_settings: Settings,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
    bot_api: FakeBotApi,
    db: Database,
) -> None:
    _crash_in_start(tg_settings, tg_runtime, bot_api)
    senders = telegram_senders(tg_runtime)
    dispatcher = Dispatcher(db, senders)

    async def worker_rounds() -> list[int]:
        handled = [await dispatcher.run_once()]  # the claim still holds: not yet
        _time_passes(db)
        handled.append(await dispatcher.run_once())
        await senders["telegram"].aclose()  # type: ignore[attr-defined]
        return handled

    assert asyncio.run(worker_rounds()) == [0, 1]
    assert len(bot_api.sent_texts) == 2
    with TestClient(create_app(tg_settings, runtime=tg_runtime)) as client:
        post(client, update("start"))  # a late re-delivery finds nothing left to send
    assert len(bot_api.sent_texts) == 2
