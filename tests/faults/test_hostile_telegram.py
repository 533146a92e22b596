"""Webhook bodies no Telegram server sends, with the right secret: 400, nothing changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.storage.db import Database
from tests.bots.telegram.conftest import (  # noqa: F401  (fixtures)
    bot_api,
    client,
    fake_server,
    post,
    stored,
    tg_runtime,
    tg_settings,
    update,
)
from tests.bots.telegram.fake_api import FakeBotApi

NOTHING = {"Conversation": 0, "InboundMessage": 0, "OutboxMessage": 0}
HUGE = int("9" * 4001)


def _changed(name: str, path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body = copy.deepcopy(update(name))
    node = body
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(
    "body",
    [
        _changed("message_text", ("message", "text"), {}),
        _changed("message_text", ("message", "text"), ["菜单"]),
        _changed("message_text", ("message", "text"), 5),
        _changed("message_text", ("message", "chat", "id"), HUGE),
        _changed("message_text", ("message", "chat", "id"), -HUGE),
        _changed("message_text", ("message", "chat", "id"), "777001"),
        _changed("message_text", ("message", "chat", "id"), 2**53),
        _changed("message_text", ("message", "message_id"), "11"),
        _changed("message_text", ("message", "from", "id"), HUGE),
        _changed("location", ("message", "location", "latitude"), "36.6"),
        _changed("callback_query", ("callback_query", "data"), {"m": 1}),
        _changed("callback_query", ("callback_query", "id"), 12345),
        _changed("callback_query", ("callback_query", "message", "chat", "id"), HUGE),
    ],
)
def test_update_with_fields_of_the_wrong_type_is_refused_with_400(
    client: TestClient,  # noqa: F811
    bot_api: FakeBotApi,  # noqa: F811
    db: Database,
    body: dict[str, Any],
) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert bot_api.calls == [] and stored(db) == NOTHING
