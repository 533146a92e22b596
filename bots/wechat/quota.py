"""WeChat's customer-service quota: who may get a pushed message now.

A resident's message opens 48 hours in which the account may send them 5 messages; a
menu click, a follow or a QR scan opens 1 minute for 3. A new action renews its grant
(the counts do not add up). The grants are read from the inbound records the engine
keeps for re-deliveries (message ids are WeChat's MsgId; events are ``ev:…``), and the
messages spent from each grant are counted in a ``SharedValue`` row, under its lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bots.wechat.storage import locked
from core.storage.models import InboundMessage

CHANNEL = "wechat"
ACTION_EVENTS = ("subscribe", "scan", "click")
SAFETY = timedelta(minutes=10)  # our record is a little later than WeChat's clock


@dataclass(frozen=True)
class Grant:
    name: str  # "message" or "action"
    opened_by: str  # the inbound message id that opened it
    limit: int


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    lasts: timedelta


MESSAGE = Rule("message", 5, timedelta(hours=48) - SAFETY)
ACTION = Rule("action", 3, timedelta(seconds=50))


def event_id(openid: str, create_time: str, event: str) -> str:
    """The re-delivery key WeChat recommends for events: FromUserName + CreateTime + Event."""
    return f"ev:{openid}:{create_time}:{event.lower()}"


def _is_action(message_id: str) -> bool:
    return message_id.startswith("ev:") and message_id.rsplit(":", 1)[-1] in ACTION_EVENTS


def open_grants(session: Session, openid: str, now: datetime) -> list[Grant]:
    """The grants still open for ``openid``, message grant first."""
    rows = session.exec(
        select(InboundMessage.message_id, InboundMessage.received_at)
        .where(InboundMessage.channel == CHANNEL)
        .where(InboundMessage.external_id == openid)
        .order_by(col(InboundMessage.id).desc())
        .limit(50)
    ).all()
    latest_message = next((r for r in rows if not r[0].startswith("ev:")), None)
    latest_action = next((r for r in rows if _is_action(r[0])), None)
    grants = []
    for rule, row in ((MESSAGE, latest_message), (ACTION, latest_action)):
        if row is not None and now - row[1] < rule.lasts:
            grants.append(Grant(rule.name, row[0], rule.limit))
    return grants


def reserve(session: Session, openid: str, now: datetime) -> Grant | None:
    """Spends one message of an open grant (in the caller's transaction), or None."""
    for grant in open_grants(session, openid, now):
        row = locked(session, counter_key(grant.name, openid), now)
        spent = row.version if row.value == grant.opened_by else 0
        if spent < grant.limit:
            row.value, row.version, row.updated_at = grant.opened_by, spent + 1, now
            session.add(row)
            return grant
    return None


def give_back(session: Session, openid: str, grant: Grant, now: datetime) -> None:
    """Returns a message WeChat certainly did not deliver (it answered with an error)."""
    row = locked(session, counter_key(grant.name, openid), now)
    if row.value == grant.opened_by and row.version > 0:
        row.version, row.updated_at = row.version - 1, now
        session.add(row)


def counter_key(grant: str, openid: str) -> str:
    return f"wechat:cs:{grant}:{openid}"


def keys_of(openid: str) -> list[str]:
    return [counter_key(MESSAGE.name, openid), counter_key(ACTION.name, openid)]
