"""Settings: JOBBOT_* names, channels off without their settings, real secrets in production."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, ConfigurationError, Settings


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg, arg-type]


def test_defaults_are_the_embedded_setup() -> None:
    settings = _settings()
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'jobbot.db'}"
    assert settings.wechat is None and settings.telegram is None
    assert settings.max_body_bytes == 64 * 1024


def test_channel_is_on_only_with_its_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOBBOT_WECHAT_TOKEN", "tok")
    assert _settings().wechat is None  # app id and secret still missing
    monkeypatch.setenv("JOBBOT_WECHAT_APP_ID", "wx1")
    monkeypatch.setenv("JOBBOT_WECHAT_APP_SECRET", "sec")
    monkeypatch.setenv("JOBBOT_TELEGRAM_TOKEN", "123:abc")
    settings = _settings()
    assert settings.wechat is not None and settings.wechat.app_id == "wx1"
    assert settings.telegram is not None and settings.telegram.token == "123:abc"


def test_production_refuses_missing_or_placeholder_secret() -> None:
    with pytest.raises(ConfigurationError, match="JOBBOT_SECRET_KEY"):
        _settings(env="production")
    with pytest.raises(ConfigurationError, match="JOBBOT_SECRET_KEY"):
        _settings(env="production", secret_key="changeme")
    with pytest.raises(ConfigurationError, match="jobbot secret"):
        _settings(env="production", secret_key="s" * 40)
    assert _settings(env="production", secret_key=secrets.token_urlsafe(48)).env == "production"


def test_development_generates_a_key_once_with_a_warning(tmp_path: Path) -> None:
    settings = _settings(var_dir=tmp_path)
    with pytest.warns(UserWarning, match="JOBBOT_SECRET_KEY is not set"):
        first = settings.resolved_secret_key()
    assert settings.resolved_secret_key() == first
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("JOBBOT_IDLE_TIMEOUT_MINUTES=5\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert Settings().idle_timeout_minutes == 5


def test_readme_documents_every_setting() -> None:
    from core.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [
        f"JOBBOT_{n.upper()}" for n in Settings.model_fields if f"JOBBOT_{n.upper()}" not in readme
    ]
    assert missing == []
