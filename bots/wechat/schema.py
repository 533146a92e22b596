"""Which fields each WeChat message type must carry, and of which type."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bots.wechat.xmlsafe import BadXml

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_DIGITS = re.compile(r"[0-9]{1,20}")
_FLOAT = re.compile(r"-?[0-9]{1,3}(\.[0-9]{1,12})?")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")

Check = Callable[[str], bool]


def _identity(value: str) -> bool:
    return bool(_ID.fullmatch(value))


def _name(value: str) -> bool:
    return bool(_NAME.fullmatch(value))


def _integer(value: str) -> bool:
    return bool(_DIGITS.fullmatch(value.strip()))


def _timestamp(value: str) -> bool:
    return _integer(value) and len(value.strip()) <= 10


def _float(value: str) -> bool:
    return bool(_FLOAT.fullmatch(value.strip()))


def _text(value: str) -> bool:
    return True


def _base64(value: str) -> bool:
    return bool(_BASE64.fullmatch(value.strip()))


COMMON: dict[str, Check] = {
    "ToUserName": _identity,
    "FromUserName": _identity,
    "CreateTime": _timestamp,
    "MsgType": _name,
}
REQUIRED: dict[str, dict[str, Check]] = {
    "text": {"Content": _text, "MsgId": _integer},
    "voice": {"MsgId": _integer},
    "location": {"Location_X": _float, "Location_Y": _float, "MsgId": _integer},
    "image": {"MsgId": _integer},
    "video": {"MsgId": _integer},
    "shortvideo": {"MsgId": _integer},
    "link": {"MsgId": _integer},
    "file": {"MsgId": _integer},
    "event": {"Event": _name},
}
# Checked when present, whatever the type.
OPTIONAL: dict[str, Check] = {
    "MsgId": _integer,
    "Recognition": _text,
    "EventKey": _text,
    "Scale": _integer,
    "Latitude": _float,
    "Longitude": _float,
    "Precision": _float,
    "Event": _name,
}


def check_message(fields: Mapping[str, str]) -> None:
    """Raises ``BadXml`` naming the first missing or wrongly typed field."""
    _require(fields, COMMON)
    _require(fields, REQUIRED.get(fields["MsgType"].lower(), {}))
    for name, check in OPTIONAL.items():
        if name in fields and not check(fields[name]):
            raise BadXml(f"field {name} has the wrong type")


def check_envelope(fields: Mapping[str, str]) -> str:
    """The ``Encrypt`` value of a safe-mode body, or ``BadXml``."""
    _require(fields, {"Encrypt": _base64})
    if "ToUserName" in fields and not _identity(fields["ToUserName"]):
        raise BadXml("field ToUserName has the wrong type")
    return fields["Encrypt"].strip()


def _require(fields: Mapping[str, str], wanted: Mapping[str, Check]) -> None:
    for name, check in wanted.items():
        if name not in fields:
            raise BadXml(f"missing field {name}")
        if not check(fields[name]):
            raise BadXml(f"field {name} has the wrong type")
