"""Pushes from the outbox to WeChat, within WeChat's rules.

1. A notice kind with a template (content/wechat.yaml) goes out as a template message,
   unless the resident refused template messages (``refusals``).
2. Otherwise a customer-service message, only while the resident's grant is open
   (5 messages in 48 h after their message, 3 in a minute after a click or follow).
3. Otherwise the notice waits (``HoldForReply``) and rides along with the next reply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import anyio
import requests
from wechatpy.exceptions import WeChatClientException

from bots.wechat import continuation, quota, refusals
from bots.wechat.api import WeChatApi, build_api
from bots.wechat.config import Template, WeChatContent, load_wechat_content
from bots.wechat.inbound import CHANNEL
from bots.wechat.render import reply_text, split_parts
from bots.wechat.storage import Clock
from bots.wechat.token import TokenUnavailable
from core.content.catalog import Catalog
from core.delivery.sending import HoldForReply, PermanentError, TransientError
from core.dialog.messages import Reply
from core.runtime import Runtime
from core.settings import ConfigurationError
from core.storage.db import Database
from core.timeutil import utcnow

log = logging.getLogger(__name__)

WINDOW_CLOSED = frozenset({45015, 45047})  # out of the 48 h window / over the 5 messages
UNREACHABLE = frozenset({40003, 43004, 43019, 43101})  # bad openid, unfollowed, blocked us
RATE_LIMITED = {45009: 3600.0, 45011: 60.0, -1: 5.0}  # daily quota, per-minute, busy
TEMPLATE_REFUSED = frozenset({40037, 47003})  # template id or data wrong: fall back


@dataclass
class WeChatSender:
    db: Database
    api: WeChatApi
    catalog: Catalog
    content: WeChatContent
    clock: Clock = utcnow
    channel: str = CHANNEL
    global_rate: float = 50.0
    recipient_rate: float = 1.0

    async def send(self, recipient: str, reply: Reply, kind: str) -> None:
        await anyio.to_thread.run_sync(self.deliver, recipient, reply, kind)

    def deliver(self, recipient: str, reply: Reply, kind: str) -> None:
        """Blocking: raises ``HoldForReply``, ``TransientError`` or ``PermanentError``."""
        template = self.content.templates.get(kind)
        usable = template is not None and not self._refused(recipient)
        if usable and template is not None and self._template(recipient, reply, template):
            return
        self._customer_service(recipient, reply)

    def _refused(self, recipient: str) -> bool:
        with self.db.reading() as session:
            return refusals.refused(session, recipient)

    def _template(self, recipient: str, reply: Reply, template: Template) -> bool:
        """Sends the template message; False when WeChat refused the template itself."""
        summary = _first_line(reply_text(self.catalog, reply), template.max_chars)
        data = {template.field: {"value": summary}}
        try:
            self.api.call(lambda c: c.message.send_template(recipient, template.id, data))
        except WeChatClientException as exc:
            if exc.errcode in TEMPLATE_REFUSED:
                log.error(
                    "WeChat refused template %s (errcode %s); check content/wechat.yaml",
                    template.id,
                    exc.errcode,
                )
                return False
            raise failure(exc) from None
        except (requests.RequestException, TokenUnavailable) as exc:
            raise failure(exc) from None
        return True

    def _customer_service(self, recipient: str, reply: Reply) -> None:
        parts = split_parts(self.catalog, reply_text(self.catalog, reply), reply.lang)
        now = self.clock()
        with self.db.transaction() as session:
            grant = quota.reserve(session, recipient, now)
        if grant is None:
            raise HoldForReply
        try:
            self.api.call(lambda c: c.message.send_text(recipient, parts[0]))
        except WeChatClientException as exc:
            with self.db.transaction() as session:
                quota.give_back(session, recipient, grant, self.clock())
            raise failure(exc) from None
        except (requests.RequestException, TokenUnavailable) as exc:
            raise failure(exc) from None  # a timeout may have delivered: the slot stays spent
        if len(parts) > 1:
            with self.db.transaction() as session:
                continuation.keep(session, recipient, parts[1:], self.clock())


def build_sender(runtime: Runtime) -> WeChatSender:
    """The WeChat sender of this process (call only when ``runtime.settings.wechat`` is set)."""
    cfg = runtime.settings.wechat
    if cfg is None:
        raise ConfigurationError("WeChat needs JOBBOT_WECHAT_TOKEN, _APP_ID and _APP_SECRET")
    return WeChatSender(
        runtime.db,
        build_api(cfg, runtime.db),
        runtime.content.catalog,
        load_wechat_content(runtime.settings.content_dir),
    )


def failure(exc: Exception) -> Exception:
    """What the dispatcher should make of a failed API call."""
    if isinstance(exc, TokenUnavailable):
        return TransientError(f"access token: {exc}", retry_after=60.0)
    if isinstance(exc, requests.RequestException):
        return TransientError(f"network: {type(exc).__name__}")
    if not isinstance(exc, WeChatClientException):
        return TransientError(type(exc).__name__)
    code = exc.errcode
    if code is None:
        status = getattr(exc.response, "status_code", "?")
        return TransientError(f"HTTP {status}")
    if code in WINDOW_CLOSED:
        return HoldForReply()
    if code in UNREACHABLE:
        return PermanentError(f"wechat errcode {code}", unreachable=True)
    if code in RATE_LIMITED:
        return TransientError(f"wechat errcode {code}", retry_after=RATE_LIMITED[code])
    return PermanentError(f"wechat errcode {code}: {str(exc.errmsg)[:200]}")


def _first_line(text: str, limit: int) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
