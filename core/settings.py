"""Settings from the environment (prefix ``JOBBOT_``) and an optional ``.env`` file."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "dev"}


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
    def _production_needs_real_secrets(self) -> Settings:
        if self.env != "production":
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
            raise ConfigurationError(
                "JOBBOT_SECRET_KEY must be set to a random value of at least 32 characters "
                "when JOBBOT_ENV=production (generate one with `jobbot secret generate`)."
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

    def resolved_secret_key(self) -> bytes:
        """The personal-data key; in development it is generated once into ``var/``."""
        if self.secret_key and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        if self.env == "production":
            raise ConfigurationError("JOBBOT_SECRET_KEY is required when JOBBOT_ENV=production.")
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
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
