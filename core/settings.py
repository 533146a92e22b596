"""Settings from the environment (prefix ``JOBBOT_``) and an optional ``.env`` file."""

from __future__ import annotations

import math
import os
import secrets
import warnings
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from core.people.files import open_private, private_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}
KEY_COMMAND = "jobbot secret"
MIN_KEY_BITS = 96  # estimated from the key's own characters (32 random hex digits: ~118)


def weak_key(key: str) -> str | None:
    """Why ``key`` is no key for personal data, or None. Catches what people type in place
    of a random value: too short, a placeholder, one piece repeated ("aaaa…",
    "changemechangeme…"), or too few distinct characters to hold 128 bits."""
    if key.strip().lower() in PLACEHOLDER_SECRETS:
        return "it is a placeholder"
    if len(key) < 32:
        return "it is shorter than 32 characters"
    for size in range(1, len(key) // 2 + 1):
        if len(key) % size == 0 and key[:size] * (len(key) // size) == key:
            return "it is one piece repeated"
    pieces = Counter(key[i : i + 4] for i in range(len(key) - 3))
    if pieces and max(pieces.values()) >= 3:
        return "it repeats itself (a word or pattern several times)"
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    if per_char * len(key) < MIN_KEY_BITS or len(counts) < 10:
        return "it has too few distinct characters to be random"
    return None


class ConfigurationError(RuntimeError):
    """The settings cannot work together; the message says what to change."""


@dataclass(frozen=True)
class WeChatSettings:
    token: str
    app_id: str
    app_secret: str
    aes_key: str | None
    previous_aes_key: str | None
    api_base: str
    reply_budget_seconds: float


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    webhook_secret: str | None
    api_base: str
    global_rate: float
    chat_rate: float


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOBBOT_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/jobbot.db"
    sqlite_busy_seconds: float = 3.0  # a writer waits this long for SQLite's lock, then 503
    content_dir: Path = PROJECT_ROOT / "content"
    var_dir: Path = Path("var")
    secret_key: SecretStr | None = None
    log_level: str = "INFO"
    host: str = "127.0.0.1"
    port: int = 8000
    idle_timeout_minutes: int = 30
    max_body_bytes: int = 64 * 1024
    max_import_bytes: int = 10 * 1024 * 1024  # staff uploads of openings files
    dispatcher_interval_seconds: float = 1.0
    scheduler_interval_seconds: float = 60.0
    outbox_max_attempts: int = 8
    staff_link_code_minutes: int = 30
    staff_token_days: int = 90  # a staff API token's lifetime

    wechat_token: str | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: str | None = None
    wechat_aes_key: str | None = None
    wechat_previous_aes_key: str | None = None
    wechat_api_base: str = "https://api.weixin.qq.com/"
    wechat_reply_budget_seconds: float = 3.5

    telegram_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base: str = "https://api.telegram.org/bot"
    telegram_global_rate: float = 30.0
    telegram_chat_rate: float = 1.0

    @model_validator(mode="after")
    def _relative_paths_from_the_project(self) -> Settings:
        """Relative paths (``var``, ``sqlite:///var/jobbot.db``) mean the checkout's, not
        the current directory's: a command run from elsewhere must find the same key and
        database, not make a second key that cannot read the first one's data."""
        if not self.var_dir.is_absolute():
            self.var_dir = PROJECT_ROOT / self.var_dir
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            path = Path(url.database)  # type: ignore[arg-type]
            if not path.is_absolute():
                absolute = url.set(database=str(PROJECT_ROOT / path))
                self.database_url = absolute.render_as_string(hide_password=False)
        return self

    @model_validator(mode="after")
    def _production_needs_real_secrets(self) -> Settings:
        if self.env != "production":
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        problem = weak_key(key) if key else "it is not set"
        if problem is not None:
            raise ConfigurationError(
                f"JOBBOT_SECRET_KEY is refused: {problem}. With JOBBOT_ENV=production it must "
                f"be a random value of at least 32 characters: generate one with "
                f"`{KEY_COMMAND}`."
            )
        if self.telegram_token and not self.telegram_webhook_secret:
            raise ConfigurationError(
                "JOBBOT_TELEGRAM_WEBHOOK_SECRET is required in production when Telegram is on."
            )
        return self

    @property
    def wechat(self) -> WeChatSettings | None:
        """WeChat is on only when token, app id and secret are all set."""
        if not (self.wechat_token and self.wechat_app_id and self.wechat_app_secret):
            return None
        return WeChatSettings(
            token=self.wechat_token,
            app_id=self.wechat_app_id,
            app_secret=self.wechat_app_secret,
            aes_key=self.wechat_aes_key or None,
            previous_aes_key=self.wechat_previous_aes_key or None,
            api_base=self.wechat_api_base,
            reply_budget_seconds=self.wechat_reply_budget_seconds,
        )

    @property
    def telegram(self) -> TelegramSettings | None:
        if not self.telegram_token:
            return None
        return TelegramSettings(
            token=self.telegram_token,
            webhook_secret=self.telegram_webhook_secret or None,
            api_base=self.telegram_api_base,
            global_rate=self.telegram_global_rate,
            chat_rate=self.telegram_chat_rate,
        )

    def secret_values(self) -> list[str]:
        """Every configured secret, for the log filter to hide wherever it appears."""
        key = self.secret_key.get_secret_value() if self.secret_key else None
        values = (
            key,
            self.wechat_token,
            self.wechat_app_secret,
            self.wechat_aes_key,
            self.wechat_previous_aes_key,
            self.telegram_token,
            self.telegram_webhook_secret,
        )
        return [v for v in values if v]

    def resolved_secret_key(self) -> bytes:
        """The personal-data key; in development it is generated once into ``var/``."""
        if self.secret_key and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        if self.env == "production":
            raise ConfigurationError(
                "JOBBOT_SECRET_KEY is required when JOBBOT_ENV=production "
                f"(generate one with `{KEY_COMMAND}`)."
            )
        path = private_dir(self.var_dir) / "secret.key"
        if not path.exists():
            # Written owner-only under a temporary name, then linked into place: nobody
            # else can read it even for a moment, and a process starting at the same time
            # sees either no key or the whole key (the first link wins, the other uses it).
            draft = path.with_name(f".secret.key.{secrets.token_hex(4)}")
            with open_private(draft, exclusive=True) as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)
            except FileExistsError:
                return path.read_text().strip().encode()
            finally:
                draft.unlink()
            warnings.warn(
                f"JOBBOT_SECRET_KEY is not set; generated a development key in {path}. "
                "Set JOBBOT_SECRET_KEY before keeping real personal data.",
                UserWarning,
                stacklevel=2,
            )
        return path.read_text().strip().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
