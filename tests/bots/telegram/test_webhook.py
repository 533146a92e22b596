"""POST /telegram/webhook refuses what is not Telegram's and ignores what the bot does not use.

Every refusal shows that nothing was sent to the Bot API and nothing was stored.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bots.web.app import create_app
from core.delivery.outbox import enqueue
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Conversation, OutboxMessage
from tests.bots.telegram.conftest import SECRET, post, stored, update
from tests.bots.telegram.fake_api import FakeBotApi

NOTHING = {"Conversation": 0, "InboundMessage": 0, "OutboxMessage": 0}


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
def test_update_without_the_right_secret_is_refused_and_nothing_happens(
    client: TestClient, bot_api: FakeBotApi, db: Database, secret: str | None
) -> None:
    response = post(client, update("message_text"), secret=secret)
    assert response.status_code == 403
    assert bot_api.calls == [] and stored(db) == NOTHING


def test_webhook_without_a_configured_secret_refuses_everything(
    settings: Settings, db: Database, bot_api: FakeBotApi, tg_settings: Settings
) -> None:
    open_settings = tg_settings.model_copy(update={"telegram_webhook_secret": None})
    app = create_app(open_settings, runtime=build_runtime(open_settings, db=db))
    with TestClient(app) as client:
        bot_api.calls.clear()
        for secret in (None, "", "anything"):
            assert post(client, update("message_text"), secret=secret).status_code == 403
    assert bot_api.calls == [] and stored(db) == NOTHING


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'"text"',
        b"42",
        b"null",
        b"[" * 20000 + b"]" * 20000,
    ],
)
def test_malformed_body_is_refused_with_400(
    client: TestClient, bot_api: FakeBotApi, db: Database, raw: bytes
) -> None:
    assert post(client, None, raw=raw).status_code == 400
    assert bot_api.calls == [] and stored(db) == NOTHING


@pytest.mark.parametrize(
    "body",
    [
        {"message": update("message_text")["message"]},
        {"update_id": "815000001", "message": update("message_text")["message"]},
        {"update_id": True, "message": update("message_text")["message"]},
        {"update_id": -5, "message": update("message_text")["message"]},
        {"update_id": 1.5},
        {"update_id": 7, "message": "hello"},
        {"update_id": 7, "message": {"text": "no chat, no date"}},
        {"update_id": 7, "callback_query": ["not", "an", "object"]},
    ],
)
def test_update_missing_or_misshapen_fields_is_refused_with_400(
    client: TestClient, bot_api: FakeBotApi, db: Database, body: dict[str, object]
) -> None:
    assert post(client, body).status_code == 400
    assert bot_api.calls == [] and stored(db) == NOTHING


def test_oversized_update_is_refused_with_413(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    body = update("message_text", text="长" * 40_000)
    assert post(client, body).status_code == 413
    assert bot_api.calls == [] and stored(db) == NOTHING


@pytest.mark.parametrize(
    "name",
    [
        "edited_message",
        "group_message",
        "pinned_service_message",
    ],
)
def test_update_kinds_the_bot_does_not_use_get_200_and_are_ignored(
    client: TestClient, bot_api: FakeBotApi, db: Database, name: str
) -> None:
    assert post(client, update(name)).status_code == 200
    assert bot_api.calls == [] and stored(db) == NOTHING


def test_blocking_the_bot_stops_pushes_until_the_person_writes_again(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    assert post(client, update("message_text")).status_code == 200
    with db.transaction() as session:
        enqueue(
            session,
            key="notice:1",
            channel="telegram",
            recipient="777001",
            kind="notice",
            messages=[Outgoing(t("menu.title"))],
            lang="zh-CN",
        )
    bot_api.calls.clear()
    assert post(client, update("my_chat_member")).status_code == 200
    assert bot_api.calls == []  # nothing is said to someone who just blocked us
    with db.transaction() as session:
        conv = session.exec(select(Conversation)).one()
        assert not conv.reachable and conv.unreachable_reason == "blocked the bot"
        notice = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "notice")).one()
        assert notice.status == "cancelled"
    assert post(client, update("message_text", message_id=12)).status_code == 200
    with db.transaction() as session:
        assert session.exec(select(Conversation)).one().reachable


def test_blocking_in_a_group_is_ignored(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    body = update("my_chat_member")
    body["my_chat_member"]["chat"] = {"id": -100123, "title": "招聘群", "type": "supergroup"}
    assert post(client, body).status_code == 200
    assert bot_api.calls == [] and stored(db) == NOTHING


def test_unknown_update_kind_from_a_newer_bot_api_is_ignored(
    client: TestClient, bot_api: FakeBotApi, db: Database
) -> None:
    body = {"update_id": 9, "guest_message_from_the_future": {"id": 1, "text": "hi"}}
    assert post(client, body).status_code == 200
    assert bot_api.calls == [] and stored(db) == NOTHING


def test_webhook_only_accepts_post(client: TestClient) -> None:
    assert client.get("/telegram/webhook").status_code == 405


def test_webhook_is_absent_when_telegram_is_off(settings: Settings, db: Database) -> None:
    with TestClient(create_app(settings, runtime=build_runtime(settings, db=db))) as client:
        response = client.post("/telegram/webhook", content=json.dumps(update("start")))
    assert response.status_code == 404 and stored(db) == NOTHING


def test_engine_runs_off_the_event_loop(
    tg_settings: Settings,
    tg_runtime: Runtime,
    bot_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While one update waits in the engine, the app still answers other requests."""
    released = threading.Event()
    real = tg_runtime.engine.handle

    def waiting(incoming: Incoming, **hooks: Any) -> Reply:
        released.wait(timeout=10)  # blocks its thread until /healthz has been served
        return real(incoming, **hooks)

    monkeypatch.setattr(tg_runtime.engine, "handle", waiting)
    app = create_app(tg_settings, runtime=tg_runtime)
    finished: list[str] = []

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://jobbot") as http,
        ):

            async def webhook() -> None:
                await http.post(
                    "/telegram/webhook",
                    json=update("message_text"),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                finished.append("webhook")

            async def health() -> None:
                assert (await http.get("/healthz")).status_code == 200
                finished.append("health")
                released.set()

            await asyncio.gather(webhook(), health())

    asyncio.run(main())
    assert finished == ["health", "webhook"] and bot_api.of("sendMessage")
