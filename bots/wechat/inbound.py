"""What a WeChat message or event means for the bot: a channel-neutral ``Incoming`` or less."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from wechatpy import parse_message
from wechatpy.messages import BaseMessage

from bots.wechat import refusals
from bots.wechat.quota import event_id
from bots.wechat.xmlsafe import BadXml
from core.dialog.messages import PHOTO, Incoming

CHANNEL = "wechat"
POLITE_TYPES = frozenset({"image", "video", "shortvideo", "link", "file", "miniprogrampage"})
_AREA_CODE = re.compile(r"[0-9]{12}")


class Action(StrEnum):
    ENGINE = "engine"  # hand ``incoming`` to the dialog engine
    FORGET = "forget"  # the resident unfollowed: delete chat-side data, stop pushes
    UNHEARD = "unheard"  # a voice message WeChat could not turn into text
    TEMPLATES_REFUSED = "templates_refused"  # they refused template messages: stop using them
    IGNORE = "ignore"  # answer "success" and do nothing


@dataclass(frozen=True)
class Plan:
    action: Action
    openid: str
    account: str
    incoming: Incoming | None = None

    @property
    def text(self) -> str | None:
        return self.incoming.text if self.incoming is not None else None


def parse(xml: str) -> BaseMessage:
    """wechatpy's parser on a body ``xmlsafe`` already vetted; any failure is a 400.

    Only events need it (the QR scene of a follow); messages are read from the fields."""
    try:
        return parse_message(xml)
    except Exception as exc:  # wechatpy raises whatever xmltodict raises
        raise BadXml(f"wechatpy could not parse the message ({type(exc).__name__})") from None


def needs_parse(fields: Mapping[str, str]) -> bool:
    """Whether ``plan`` needs wechatpy's reading of the message (events only)."""
    return fields["MsgType"].lower() == "event"


def plan(
    message: BaseMessage | None, fields: Mapping[str, str], click_keys: Collection[str]
) -> Plan:
    """Decides what to do with one vetted message (``message``: ``parse`` of it, needed
    when ``needs_parse``)."""
    msg_type = fields["MsgType"].lower()
    openid, account = fields["FromUserName"], fields["ToUserName"]
    if msg_type == "event":
        assert message is not None
        return _event(message, fields, click_keys)
    msg_id = fields["MsgId"].strip() if "MsgId" in fields else None

    def engine(**kw: object) -> Plan:
        incoming = Incoming(channel=CHANNEL, user_id=openid, message_id=msg_id, **kw)  # type: ignore[arg-type]
        return Plan(Action.ENGINE, openid, account, incoming)

    if msg_type == "text":
        # What wechatpy's ``message.content or ""`` gives: the text without surrounding
        # whitespace (xmltodict strips it).
        return engine(text=fields["Content"].strip())
    if msg_type == "voice":
        heard = (fields.get("Recognition") or "").strip()
        return engine(text=heard) if heard else Plan(Action.UNHEARD, openid, account)
    if msg_type == "location":
        return engine(
            event="location",
            extra={
                "lat": fields["Location_X"].strip(),
                "lon": fields["Location_Y"].strip(),
                "label": (fields.get("Label") or "").strip()[:200],
            },
        )
    if msg_type == "image" and (fields.get("MediaId") or "").strip():
        # Kept as a reference: a flow that takes photos (投诉建议) stores the media id.
        return engine(event=PHOTO, extra={"ref": f"wechat:media:{fields['MediaId'].strip()[:200]}"})
    if msg_type in POLITE_TYPES:
        return engine(event=msg_type)
    return Plan(Action.IGNORE, openid, account)


def _event(message: BaseMessage, fields: Mapping[str, str], click_keys: Collection[str]) -> Plan:
    openid, account = fields["FromUserName"], fields["ToUserName"]
    event = fields["Event"].lower()
    msg_id = event_id(openid, fields["CreateTime"].strip(), event)

    def engine(**kw: object) -> Plan:
        incoming = Incoming(channel=CHANNEL, user_id=openid, message_id=msg_id, **kw)  # type: ignore[arg-type]
        return Plan(Action.ENGINE, openid, account, incoming)

    if event == "unsubscribe":
        return Plan(Action.FORGET, openid, account)
    if event in ("subscribe", "scan"):
        scene = _scene(message)
        return engine(event="subscribe", extra={"scene": scene} if scene else {})
    if event == "templatesendjobfinish":
        refused = refusals.is_refusal(fields.get("Status") or "")
        return Plan(Action.TEMPLATES_REFUSED if refused else Action.IGNORE, openid, account)
    if event == "click":
        key = (fields.get("EventKey") or "").strip()
        return engine(command=key if key in click_keys else "menu")
    return Plan(Action.IGNORE, openid, account)  # VIEW, LOCATION reports, job reports …


def _scene(message: BaseMessage) -> str | None:
    """The area code of a community QR code (``qrscene_370102001002`` on a follow; wechatpy
    strips the prefix, and a SCAN by a follower carries the bare scene)."""
    scene = str(getattr(message, "scene_id", None) or "").strip()
    return scene if _AREA_CODE.fullmatch(scene) else None
