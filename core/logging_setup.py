"""Logging that never writes an ID number, a phone number or a secret, at any level.

Libraries log what they send at DEBUG: python-telegram-bot and httpx the bot URL (the token
is part of it), urllib3 the WeChat token request (AppSecret in the query) and every API
call (``access_token=…``). The filter sits on the handlers, so every logger's records pass
it, whoever wrote them: secret-shaped text (``bot<id>:<token>`` paths, credential query
parameters and JSON fields, bearer tokens) and the configured secrets themselves are
replaced before a line is written.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

from core.people.personal import redact

HIDDEN = "<redacted>"
_CREDENTIAL = (
    r"access_token|refresh_token|secret|app_?secret|appsecret|client_secret|token|api_key|"
    r"key|password|passwd|signature|msg_signature|ticket|encoding_?aes_?key|aes_key|echostr"
)
_SECRET_SHAPES = (
    # Telegram's bot URL: https://api.telegram.org/bot<id>:<token>/<method>
    (re.compile(r"bot\d{3,}:[A-Za-z0-9_-]{8,}"), "bot" + HIDDEN),
    # ?secret=…&access_token=… in URLs and form bodies
    (re.compile(rf"(?i)(?<![A-Za-z0-9_])((?:{_CREDENTIAL}))=([^&\s'\"<>,;]+)"), rf"\1={HIDDEN}"),
    # "access_token": "…" in JSON answers
    (re.compile(rf'(?i)("(?:{_CREDENTIAL})"\s*:\s*")[^"]*"'), rf'\1{HIDDEN}"'),
    # Authorization headers
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {HIDDEN}"),
)
_known: set[str] = set()
_known_lock = threading.Lock()


def register_secrets(values: Iterable[str | None]) -> None:
    """Configured secrets (tokens, AppSecret, keys) are hidden wherever they appear."""
    with _known_lock:
        _known.update(v for v in values if v and len(v) >= 6)


def hide_secrets(text: str) -> str:
    """``text`` with every secret-shaped substring and every registered secret hidden."""
    for known in sorted(_known, key=len, reverse=True):
        if known in text:
            text = text.replace(known, HIDDEN)
    for pattern, replacement in _SECRET_SHAPES:
        text = pattern.sub(replacement, text)
    return text


def scrub(text: str) -> str:
    return redact(hide_secrets(text))


class RedactingFilter(logging.Filter):
    """Renders each record's message once, hides personal data and secrets in it, and
    drops the args (they would be rendered again, unfiltered)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Adds the filter to every handler of ``logger`` (root by default), once."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


def configure_logging(level: str = "INFO", secrets: Iterable[str | None] = ()) -> None:
    register_secrets(secrets)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_redaction()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        install_redaction(logging.getLogger(name))
