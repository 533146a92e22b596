"""Request signatures (constant-time) and safe-mode AES through wechatpy's ``WeChatCrypto``."""

from __future__ import annotations

import binascii
import hmac
import time
from dataclasses import dataclass

from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from core.settings import ConfigurationError, WeChatSettings

MAX_CLOCK_SKEW_SECONDS = 300  # WeChat retries within seconds; older timestamps are replays


class Forbidden(Exception):
    """Signature, timestamp or decryption failed: answer 403, change nothing."""


def signature(*parts: str) -> str:
    """WeChat's SHA-1 over the sorted parts (token, timestamp, nonce[, encrypted body])."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return str(signer.signature)


def same(expected: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def check_request(
    token: str, sig: str | None, timestamp: str | None, nonce: str | None, now: float | None = None
) -> None:
    """The query signature WeChat puts on every request (GET and POST), and a fresh timestamp."""
    if not sig or not timestamp or not nonce or not timestamp.isdigit():
        raise Forbidden("missing signature, timestamp or nonce")
    if not same(signature(token, timestamp, nonce), sig):
        raise Forbidden("bad signature")
    if abs((now or time.time()) - int(timestamp)) > MAX_CLOCK_SKEW_SECONDS:
        raise Forbidden("stale timestamp")


@dataclass(frozen=True)
class Decrypted:
    xml: str
    crypto: WeChatCrypto  # the key that worked: the reply is encrypted with it


class Keys:
    """The current EncodingAESKey and, during a rotation, the previous one."""

    def __init__(self, cfg: WeChatSettings) -> None:
        self.token = cfg.token
        raw = [k for k in (cfg.aes_key, cfg.previous_aes_key) if k]
        self.cryptos = [_crypto(cfg, key) for key in raw]

    @property
    def encrypted(self) -> bool:
        return bool(self.cryptos)

    def decrypt(self, encrypted: str, msg_sig: str | None, timestamp: str, nonce: str) -> Decrypted:
        if not same(signature(self.token, timestamp, nonce, encrypted), msg_sig):
            raise Forbidden("bad msg_signature")
        for crypto in self.cryptos:
            try:
                xml = crypto.decrypt_message({"Encrypt": encrypted}, msg_sig, timestamp, nonce)
            except Exception:  # any failure of any key: not decryptable
                continue
            return Decrypted(str(xml), crypto)
        raise Forbidden("cannot decrypt")


def _crypto(cfg: WeChatSettings, key: str) -> WeChatCrypto:
    try:
        return WeChatCrypto(cfg.token, key, cfg.app_id)
    except (AssertionError, ValueError, binascii.Error):
        raise ConfigurationError(
            "JOBBOT_WECHAT_AES_KEY / JOBBOT_WECHAT_PREVIOUS_AES_KEY must be the 43-character "
            "EncodingAESKey shown in the official account's 基本配置 page."
        ) from None
