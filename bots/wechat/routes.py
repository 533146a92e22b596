"""``GET /wechat`` (URL verification) and ``POST /wechat`` (messages and events).

Order of checks, each refusing before anything changes: the query signature and its
timestamp (403), the body's shape (400), the safe-mode signature and decryption (403),
the message's fields (400). Only then does the message reach the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_plus

from fastapi import Request, Response
from wechatpy.crypto import WeChatCrypto

from bots.web.direct import JobbotApp
from bots.wechat.config import load_wechat_content
from bots.wechat.inbound import needs_parse, parse, plan
from bots.wechat.passive import LeftForRetry, PassiveReplies
from bots.wechat.render import passive_xml
from bots.wechat.schema import check_envelope, check_message
from bots.wechat.signing import Forbidden, Keys, check_request
from bots.wechat.xmlsafe import BadXml, read_fields
from core.runtime import Runtime
from core.settings import WeChatSettings
from core.storage.db import UNAVAILABLE

log = logging.getLogger(__name__)
PATH = "/wechat"


@dataclass(frozen=True)
class Opened:
    fields: dict[str, str]
    xml: str
    crypto: WeChatCrypto | None


class WeChatEndpoint:
    def __init__(self, runtime: Runtime, cfg: WeChatSettings) -> None:
        self.cfg, self.keys = cfg, Keys(cfg)
        self.click_keys = load_wechat_content(runtime.settings.content_dir).click_keys()
        self.replies = PassiveReplies(runtime, cfg.reply_budget_seconds)

    async def verify(self, request: Request) -> Response:
        """WeChat's URL check: echo ``echostr`` when the signature is right."""
        try:
            query = _query(request)
            check_request(
                self.cfg.token, query.get("signature"), query.get("timestamp"), query.get("nonce")
            )
        except Forbidden as exc:
            return _refuse(403, str(exc))
        except BadXml as exc:
            return _refuse(400, str(exc))
        echo = query.get("echostr")
        if not echo:
            return _refuse(400, "missing echostr")
        return Response(echo, media_type="text/plain")

    async def receive(self, request: Request) -> Response:
        try:
            query = _query(request)
            timestamp, nonce = query.get("timestamp"), query.get("nonce")
            check_request(self.cfg.token, query.get("signature"), timestamp, nonce)
            opened = self._open(await request.body(), query)
            check_message(opened.fields)
            message = parse(opened.xml) if needs_parse(opened.fields) else None
        except Forbidden as exc:
            return _refuse(403, str(exc))
        except BadXml as exc:
            return _refuse(400, str(exc))
        todo = plan(message, opened.fields, self.click_keys)
        try:
            text = await self.replies.answer(todo)
        except (*UNAVAILABLE, LeftForRetry) as exc:
            # Nothing was stored; WeChat's retry of the same MsgId is handled afresh.
            log.warning("WeChat message left for a retry: %s", type(exc).__name__)
            return Response(status_code=503)
        if text is None:
            return Response("success", media_type="text/plain")
        xml = passive_xml(account=todo.account, openid=todo.openid, content=text)
        if opened.crypto is not None:
            xml = opened.crypto.encrypt_message(xml, nonce, timestamp)
        return Response(xml, media_type="application/xml")

    def _open(self, body: bytes, query: Mapping[str, str]) -> Opened:
        """The message fields, decrypting a safe- or compatible-mode body."""
        mode = query.get("encrypt_type", "raw")
        if mode == "raw":
            if self.keys.encrypted:
                raise Forbidden("plaintext message but an AES key is configured")
            return Opened(read_fields(body), body.decode("utf-8"), None)
        if mode != "aes":
            raise BadXml(f"unknown encrypt_type {mode!r}")
        if not self.keys.encrypted:
            raise Forbidden("encrypted message but no AES key is configured")
        encrypted = check_envelope(read_fields(body))
        decrypted = self.keys.decrypt(
            encrypted, query.get("msg_signature"), query["timestamp"], query["nonce"]
        )
        return Opened(read_fields(decrypted.xml.encode("utf-8")), decrypted.xml, decrypted.crypto)


def _query(request: Request) -> dict[str, str]:
    """The query's parameters, refusing a repeated one (which of two signatures would count?).

    What Starlette's ``QueryParams`` gives, without its multi-dict: WeChat's parameters are
    plain ASCII, so unquoting is only needed when there is something to unquote."""
    query: dict[str, str] = {}
    for part in request.scope["query_string"].decode("latin-1").split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "%" in part or "+" in part:
            name, value = unquote_plus(name), unquote_plus(value)
        if name in query:
            raise BadXml("a query parameter is repeated")
        query[name] = value
    return query


def _refuse(status: int, reason: str) -> Response:
    log.warning("refused a WeChat request (%s): %s", status, reason)
    return Response(status_code=status)


def install(app: JobbotApp, runtime: Runtime) -> None:
    """Adds the WeChat routes when WeChat is configured (token, app id, secret)."""
    cfg = runtime.settings.wechat
    if cfg is None:
        return
    endpoint = WeChatEndpoint(runtime, cfg)
    app.state.wechat = endpoint
    app.add_api_route(PATH, endpoint.verify, methods=["GET"], include_in_schema=False)
    # The busiest path: answered ahead of FastAPI's middleware stack (see bots.web.direct).
    app.add_direct_route(PATH, "POST", endpoint.receive)
