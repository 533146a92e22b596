"""`jobbot telegram set-webhook / delete-webhook / set-commands / webhook-info`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from bots.cli import app
from bots.telegram.admin import COMMANDS, check_secret
from core.settings import get_settings
from tests.bots.telegram.conftest import SECRET, TOKEN
from tests.bots.telegram.fake_api import FakeBotApi

URL = "https://jobs.example.gov.cn/telegram/webhook"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, fake_server: tuple[FakeBotApi, str]) -> Iterator[None]:
    for name, value in {
        "ENV": "test",
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE": fake_server[1],
    }.items():
        monkeypatch.setenv(f"JOBBOT_{name}", value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def jobbot(*args: str) -> Result:
    return CliRunner().invoke(app, ["telegram", *args])


def test_set_webhook_sets_url_secret_and_update_kinds_and_the_command_menu(
    env: None, bot_api: FakeBotApi
) -> None:
    result = jobbot("set-webhook", URL)
    assert result.exit_code == 0, result.output
    (hook,) = bot_api.of("setWebhook")
    assert hook.params["url"] == URL and hook.params["secret_token"] == SECRET
    assert hook.json("allowed_updates") == ["message", "callback_query", "my_chat_member"]
    menus = {c.params.get("language_code"): c.json("commands") for c in bot_api.of("setMyCommands")}
    assert set(menus) == {None, "zh", "en"}
    for commands in menus.values():
        assert [c["command"] for c in commands] == list(COMMANDS)
    assert menus[None] == menus["zh"] and menus["zh"] != menus["en"]
    assert "Main menu" in [c["description"] for c in menus["en"]]


def test_set_webhook_refuses_without_a_usable_secret(
    env: None, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    for secret in ("", "has spaces in it"):
        monkeypatch.setenv("JOBBOT_TELEGRAM_WEBHOOK_SECRET", secret)
        get_settings.cache_clear()
        result = jobbot("set-webhook", URL)
        assert result.exit_code == 2 and "WEBHOOK_SECRET" in result.output
    assert bot_api.calls == []


def test_rejected_token_is_reported_without_printing_it(env: None, bot_api: FakeBotApi) -> None:
    bot_api.fail("getMe", 401, "Unauthorized")
    result = jobbot("set-webhook", URL)
    assert result.exit_code == 2 and "rejected" in result.output
    assert TOKEN not in result.output and not bot_api.of("setWebhook")


def test_telegrams_refusal_is_shown(env: None, bot_api: FakeBotApi) -> None:
    bot_api.fail("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided")
    result = jobbot("set-webhook", "http://insecure.example/telegram/webhook")
    assert result.exit_code == 1 and "https url must be provided" in result.output.lower()


def test_delete_webhook(env: None, bot_api: FakeBotApi) -> None:
    result = jobbot("delete-webhook", "--drop-pending-updates")
    assert result.exit_code == 0
    (call,) = bot_api.of("deleteWebhook")
    assert call.params["drop_pending_updates"] == "true"


def test_set_commands_alone(env: None, bot_api: FakeBotApi) -> None:
    assert jobbot("set-commands").exit_code == 0
    assert len(bot_api.of("setMyCommands")) == 3 and not bot_api.of("setWebhook")


def test_webhook_info_shows_the_delivery_state(env: None, bot_api: FakeBotApi) -> None:
    result = jobbot("webhook-info")
    assert result.exit_code == 0 and "pending updates: 0" in result.output


def test_commands_need_telegram_configured(
    env: None, bot_api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JOBBOT_TELEGRAM_TOKEN")
    get_settings.cache_clear()
    result = jobbot("delete-webhook")
    assert result.exit_code == 2 and "JOBBOT_TELEGRAM_TOKEN" in result.output
    assert bot_api.calls == []


@pytest.mark.parametrize("secret", ["a", "A-z_09" * 40, "x" * 256])
def test_secrets_telegram_accepts(secret: str) -> None:
    assert check_secret(secret) == secret


@pytest.mark.parametrize("secret", [None, "", "x" * 257, "semi;colon", "中文"])
def test_secrets_telegram_refuses(secret: str | None) -> None:
    with pytest.raises(ValueError):
        check_secret(secret)
