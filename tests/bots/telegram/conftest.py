"""Telegram test rig: a fake Bot API over loopback HTTP, and the app posting recorded updates."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from bots.web.app import create_app
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from tests.bots.telegram.fake_api import FakeBotApi, FakeServer

TOKEN = "123456:TEST-token_for-the-fake-api"
SECRET = "s3cret-Webhook_token"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram"


def update(name: str, **changes: Any) -> dict[str, Any]:
    """A recorded update; ``changes`` set ``update_id`` or fields of its message/query."""
    data: dict[str, Any] = copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text()))
    body = next(v for k, v in data.items() if k != "update_id")
    for key, value in changes.items():
        (data if key == "update_id" else body)[key] = value
    return data


@pytest.fixture(scope="session")
def fake_server() -> Iterator[tuple[FakeBotApi, str]]:
    api = FakeBotApi()
    server = FakeServer(api)
    base = server.start()
    yield api, base
    server.stop()


@pytest.fixture
def bot_api(fake_server: tuple[FakeBotApi, str]) -> FakeBotApi:
    api, _ = fake_server
    api.reset()
    return api


@pytest.fixture
def tg_settings(settings: Settings, fake_server: tuple[FakeBotApi, str]) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_webhook_secret": SECRET,
            "telegram_api_base": fake_server[1],
        }
    )


@pytest.fixture
def tg_runtime(tg_settings: Settings, db: Database) -> Runtime:
    return build_runtime(tg_settings, db=db)


@pytest.fixture
def client(tg_settings: Settings, tg_runtime: Runtime, bot_api: FakeBotApi) -> Iterator[TestClient]:
    with TestClient(create_app(tg_settings, runtime=tg_runtime)) as test_client:
        bot_api.calls.clear()  # start-up's getMe is not what the tests look at
        yield test_client


def post(
    client: TestClient, body: Any, *, secret: str | None = SECRET, raw: bytes | None = None
) -> Response:
    """Delivers ``body`` the way Telegram does (JSON, secret header)."""
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    content = raw if raw is not None else json.dumps(body).encode()
    response: Response = client.post("/telegram/webhook", content=content, headers=headers)
    return response


def stored(db: Database) -> dict[str, int]:
    """How many conversations, re-delivery records and outbox rows exist."""
    from sqlmodel import func, select

    from core.storage.models import Conversation, InboundMessage, OutboxMessage

    with db.transaction() as session:
        return {
            table.__name__: session.exec(select(func.count()).select_from(table)).one()
            for table in (Conversation, InboundMessage, OutboxMessage)
        }
