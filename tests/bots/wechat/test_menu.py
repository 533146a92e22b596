"""The custom menu: validated from content/wechat.yaml, shown and pushed by the CLI."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bots.cli import app
from bots.wechat.config import load_wechat_content
from core.content.yamlfile import ContentError
from core.settings import PROJECT_ROOT, get_settings
from core.storage.db import Database
from tests.bots.wechat.conftest import APP_ID, TOKEN
from tests.bots.wechat.fake_api import FakeServer, FakeWeChat

CONTENT = PROJECT_ROOT / "content"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, db: Database) -> Iterator[None]:
    monkeypatch.setenv("JOBBOT_DATABASE_URL", db.url)
    # The test database may live in its own PostgreSQL schema: hand the CLI that one.
    monkeypatch.setattr("core.storage.db.Database", lambda _url: _Borrowed(db))
    monkeypatch.setenv("JOBBOT_ENV", "test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class _Borrowed:
    """The test database, which the CLI must not dispose of."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __getattr__(self, name: str) -> object:
        return getattr(self.db, name)

    def dispose(self) -> None:
        pass


def test_shipped_menu_is_valid_and_within_wechat_limits() -> None:
    menu = load_wechat_content(CONTENT).menu_json()["button"]
    assert 1 <= len(menu) <= 3
    for button in menu:
        assert len(button["name"].encode()) <= 16
        assert len(button.get("sub_button", [])) <= 5


def test_menu_show_prints_what_push_would_send(cli_env: None) -> None:
    result = CliRunner().invoke(app, ["wechat", "menu", "show"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == load_wechat_content(CONTENT).menu_json()


def test_menu_push_sends_the_menu_to_wechat(cli_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeWeChat()
    with FakeServer(fake) as server:
        for name, value in {
            "TOKEN": TOKEN,
            "APP_ID": APP_ID,
            "APP_SECRET": "s3cr3t",
            "API_BASE": server.base,
        }.items():
            monkeypatch.setenv(f"JOBBOT_WECHAT_{name}", value)
        result = CliRunner().invoke(app, ["wechat", "menu", "push"])
    assert result.exit_code == 0, result.output
    assert fake.paths() == ["/cgi-bin/token", "/cgi-bin/menu/create"]
    assert fake.calls[1].body == load_wechat_content(CONTENT).menu_json()


def test_menu_push_without_wechat_settings_says_what_to_set(cli_env: None) -> None:
    result = CliRunner().invoke(app, ["wechat", "menu", "push"])
    assert result.exit_code == 2 and "JOBBOT_WECHAT_TOKEN" in result.output


def _content_with(tmp_path: Path, menu_yaml: str) -> Path:
    shutil.copytree(CONTENT, tmp_path / "content")
    (tmp_path / "content" / "wechat.yaml").write_text(menu_yaml, encoding="utf-8")
    return tmp_path / "content"


@pytest.mark.parametrize(
    ("yaml_text", "problem"),
    [
        ("menu:\n  - name: 找工作\n    key: m:nothing\n", "unknown key"),
        ("menu:\n  - name: 这个名字实在是太长了\n    key: m:jobs\n", "bytes"),
        ("menu:\n" + "  - name: a\n    key: menu\n" * 4, "1 to 3 buttons"),
        ("menu:\n  - name: a\n    key: menu\n    url: https://x.test\n", "exactly one"),
        (
            "menu:\n  - name: a\n    key: menu\ntemplates:\n  notice: {field: thing1}\n",
            "template id",
        ),
    ],
)
def test_invalid_wechat_content_names_file_and_line(
    tmp_path: Path, yaml_text: str, problem: str
) -> None:
    with pytest.raises(ContentError) as caught:
        load_wechat_content(_content_with(tmp_path, yaml_text))
    assert "wechat.yaml" in str(caught.value) and problem in str(caught.value)
