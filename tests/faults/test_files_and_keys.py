"""Keys and exports on disk: owner-only from the start, found from any directory, and no
production key a person could guess."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT, ConfigurationError, Settings


def _settings(**kw: object) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg, arg-type]


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask: whatever is private must be so by its own mode."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_development_key_and_its_directory_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    var = tmp_path / "var"
    with pytest.warns(UserWarning):
        key = _settings(var_dir=var).resolved_secret_key()
    assert (var / "secret.key").stat().st_mode & 0o777 == 0o600
    assert var.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in var.iterdir()] == ["secret.key"]  # no draft left behind
    assert _settings(var_dir=var).resolved_secret_key() == key


def test_a_var_directory_open_to_others_is_closed(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    with pytest.warns(UserWarning):
        _settings(var_dir=var).resolved_secret_key()
    assert var.stat().st_mode & 0o777 == 0o700


def test_relative_paths_mean_the_checkout_whatever_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = _settings()
    assert settings.var_dir == PROJECT_ROOT / "var"
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'jobbot.db'}"
    assert _settings(var_dir=tmp_path).var_dir == tmp_path  # absolute paths stay


@pytest.mark.parametrize(
    "key",
    [
        "a" * 32,
        "a" * 64,
        "changeme" * 4,
        "passwordpasswordpassword12345678",
        "jobbot-jobbot-jobbot-jobbot-jobbot",
        "abababababababababababababababab1",
        "0123456789" * 4,
        "short-but-random-Xy7",
    ],
)
def test_weak_production_keys_are_refused_naming_the_command(key: str) -> None:
    with pytest.raises(ConfigurationError, match="`jobbot secret`"):
        _settings(env="production", secret_key=key)


def test_generated_keys_are_accepted_in_production() -> None:
    for key in (secrets.token_urlsafe(48), secrets.token_urlsafe(32), secrets.token_hex(32)):
        assert _settings(env="production", secret_key=key).env == "production"
