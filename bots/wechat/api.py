"""WeChat's server API through wechatpy: every call, token fetch included, at ``api_base``.

All calls here block (wechatpy uses requests); async callers run them in a thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bots.wechat.storage import Clock, SharedValueStorage
from bots.wechat.token import AccessTokens, TokenUnavailable
from core.people.personal import Vault
from core.settings import WeChatSettings
from core.storage.db import Database
from core.timeutil import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

TOKEN_REJECTED = frozenset({40001, 40014, 42001})  # invalid / expired access token
TOKEN_API_HINTS = {
    40164: "this server's IP is not on the official account's IP whitelist (基本配置 > IP白名单)",
    40125: "JOBBOT_WECHAT_APP_SECRET is wrong",
    40013: "JOBBOT_WECHAT_APP_ID is wrong",
}


class JobbotWeChatClient(WeChatClient):  # type: ignore[misc]
    """wechatpy's client with the token kept in the database and a configurable API host."""

    def __init__(
        self, cfg: WeChatSettings, db: Database, *, timeout: float = 5.0, clock: Clock = utcnow
    ) -> None:
        # Sealed with a key from the AppSecret: whoever can read the stored token could
        # fetch one anyway; whoever has only the database cannot.
        storage = SharedValueStorage(db, clock=clock, sealer=Vault(cfg.app_secret.encode()))
        super().__init__(
            cfg.app_id, cfg.app_secret, session=storage, timeout=timeout, auto_retry=False
        )
        self.API_BASE_URL = cfg.api_base.rstrip("/") + "/cgi-bin/"
        self.tokens = AccessTokens(
            storage, self.access_token_key, self.fetch_access_token, clock=clock
        )
        self._used = threading.local()

    @property
    def access_token(self) -> str:
        token = self.tokens.current()
        self._used.token = token
        return token

    def last_token(self) -> str | None:
        return getattr(self._used, "token", None)

    def fetch_access_token(self) -> dict[str, Any]:
        """GET cgi-bin/token at the configured host (wechatpy's own fetch ignores it and has
        no timeout); stores the token with its lifetime; ``TokenUnavailable`` on failure."""
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        try:
            res = self._http.get(self.API_BASE_URL + "token", params=params, timeout=self.timeout)
            res.raise_for_status()
            result = res.json()
        except (requests.RequestException, ValueError) as exc:
            raise TokenUnavailable(f"token API unreachable: {type(exc).__name__}") from None
        if not isinstance(result, dict) or not result.get("access_token"):
            code = result.get("errcode") if isinstance(result, dict) else None
            hint = TOKEN_API_HINTS.get(code, "see WeChat's global return codes") if code else ""
            log.error("WeChat token API refused: errcode %s (%s)", code, hint)
            raise TokenUnavailable(f"token API errcode {code}: {hint}")
        expires_in = int(result.get("expires_in", 7200))
        self.session.set(self.access_token_key, result["access_token"], expires_in)
        return result


class WeChatApi:
    """Runs blocking API calls; a token WeChat rejects is refreshed once and the call retried."""

    def __init__(self, client: JobbotWeChatClient) -> None:
        self.client = client

    def call(self, action: Callable[[JobbotWeChatClient], T]) -> T:
        try:
            return action(self.client)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_REJECTED:
                raise
            log.info("WeChat rejected the access token (%s); refreshing it once", exc.errcode)
            self.client.tokens.refresh(stale=self.client.last_token())
            return action(self.client)


def build_api(
    cfg: WeChatSettings, db: Database, *, timeout: float = 5.0, clock: Clock = utcnow
) -> WeChatApi:
    return WeChatApi(JobbotWeChatClient(cfg, db, timeout=timeout, clock=clock))
