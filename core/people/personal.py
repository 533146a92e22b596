"""Personal data at rest and on screen: encryption, keyed lookup hashes and masking.

AES-GCM (via ``cryptography``) rather than SM4: SM4 needs a native library that a
fresh machine does not have; the ``Vault`` is the one place to swap the cipher.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"v1"


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jobbot", info=purpose).derive(secret)


class Vault:
    """Encrypts personal fields and computes keyed hashes for looking them up."""

    def __init__(self, secret: bytes) -> None:
        self._aead = AESGCM(_derive(secret, b"encrypt"))
        self._hash_key = _derive(secret, b"lookup-hash")

    def encrypt(self, plain: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plain.encode(), _VERSION)
        return (_VERSION + b":" + base64.urlsafe_b64encode(nonce + sealed)).decode()

    def decrypt(self, token: str) -> str:
        version, _, body = token.encode().partition(b":")
        raw = base64.urlsafe_b64decode(body)
        return self._aead.decrypt(raw[:12], raw[12:], version).decode()

    def lookup_hash(self, value: str) -> str:
        """Keyed hash of a normalised value: equal inputs match, nothing is recoverable."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """``370102199001011234`` -> ``3701**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三`` -> ``张*``, ``张小明`` -> ``张*明``."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


# Anything shaped like an ID number (18 chars, last may be X) or a mainland mobile,
# also when written with full-width digits or spaces/dashes inside a phone number.
_ID_SHAPE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE_SHAPE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")


# Full-width digits, letters, plus and hyphen map one-to-one onto ASCII, so match positions
# in the folded text are positions in the original.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def personal_spans(text: str) -> list[tuple[int, int, str]]:
    """Where ``text`` holds ID-number- or phone-shaped substrings: ``(start, end, masked)``
    in ``text``'s own positions, in order. The one detector every other check uses."""
    folded = text.translate(_FULLWIDTH)
    spans: list[tuple[int, int, str]] = []
    for match in _ID_SHAPE.finditer(folded):
        spans.append((match.start(), match.end(), mask_id_number(match.group(0))))
    for match in _PHONE_SHAPE.finditer(folded):
        if not any(a <= match.start() < b for a, b, _ in spans):
            digits = re.sub(r"\D", "", match.group(0))[-11:]
            spans.append((match.start(), match.end(), mask_phone(digits)))
    return sorted(spans)


def has_personal(text: str) -> bool:
    """Whether ``text`` holds an ID number or a phone number."""
    return bool(personal_spans(text))


def redact(text: str) -> str:
    """Masks ID-number- and phone-shaped substrings; used on log lines, error texts and
    free answers shown to staff."""
    out, last = [], 0
    for start, end, masked in personal_spans(text):
        out += [text[last:start], masked]
        last = end
    return "".join([*out, text[last:]])


SealedText = str | dict[str, str]


def seal_text(text: str, vault: Vault | None) -> SealedText:
    """A free answer as stored: unchanged when it holds no personal data; else sealed
    (``{"sealed": …, "masked": …}``) so the clear text is only in the Vault, or with no
    vault at hand only its masked form."""
    if not text or not has_personal(text):
        return text
    if vault is None:
        return redact(text)
    return {"sealed": vault.encrypt(text), "masked": redact(text)}


def open_text(stored: object, vault: Vault | None) -> str:
    """A stored free answer in clear with the Vault, masked without it."""
    if isinstance(stored, dict):
        if vault is not None and "sealed" in stored:
            return vault.decrypt(str(stored["sealed"]))
        return str(stored.get("masked", ""))
    text = "" if stored is None else str(stored)
    return text if vault is not None else redact(text)
