"""Secrets never reach a log line at any level, nor the database in clear."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bots.web.app import create_app
from bots.wechat.api import build_api
from core.logging_setup import RedactingFilter, register_secrets, scrub
from core.runtime import Runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import SharedValue
from tests.bots.telegram.conftest import (  # noqa: F401  (fixtures)
    TOKEN,
    bot_api,
    fake_server,
    post,
    tg_runtime,
    tg_settings,
    update,
)
from tests.bots.telegram.fake_api import FakeBotApi
from tests.bots.wechat.conftest import wechat_settings
from tests.bots.wechat.fake_api import FakeServer, FakeWeChat


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything every logger says at DEBUG, through a root handler as configured in
    production (the filter on the handler, nothing registered: the shapes must do)."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_telegram_bot_token_is_not_logged_at_debug(
    tg_settings: Settings,  # noqa: F811
    tg_runtime: Runtime,  # noqa: F811
    bot_api: FakeBotApi,  # noqa: F811
    debug_log: io.StringIO,
) -> None:
    with TestClient(create_app(tg_settings, runtime=tg_runtime)) as client:
        assert post(client, update("message_text")).status_code == 200
    logged = debug_log.getvalue()
    assert "sendMessage" in logged  # the library did log the request
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged


def test_wechat_app_secret_and_access_token_are_not_logged_nor_stored_in_clear(
    settings: Settings, db: Database, debug_log: io.StringIO
) -> None:
    fake = FakeWeChat()
    with FakeServer(fake) as server:
        cfg = wechat_settings(settings, server.base, wechat_app_secret="AppSecret-0123456789")
        assert cfg.wechat is not None
        client = build_api(cfg.wechat, db).client
        token = client.access_token
        client.menu.get()  # any API call: access_token in the query
    logged = debug_log.getvalue()
    assert "/cgi-bin/token" in logged
    assert "AppSecret-0123456789" not in logged and token not in logged
    with db.transaction() as session:
        stored = [row.value for row in session.exec(select(SharedValue))]
    assert stored and not any(token in value for value in stored)
    assert build_api(cfg.wechat, db).client.access_token == token  # still usable, shared


def test_configured_secrets_are_hidden_wherever_they_appear(settings: Settings) -> None:
    cfg = settings.model_copy(
        update={"wechat_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
    )
    register_secrets(cfg.secret_values())
    line = scrub(f"decrypt failed with {cfg.wechat_aes_key} for 370102199001011234")
    assert "abcdefghijklmnopqrstuvwxyz" not in line and "199001011234" not in line
