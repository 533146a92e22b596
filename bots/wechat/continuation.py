"""The rest of a long message, kept until the resident replies "更多" (or says anything else).

Stored per identity in a ``SharedValue`` row; it is stale once the resident has sent
the engine anything newer. A re-delivered "更多" gets the part it got the first time.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, select

from bots.wechat.storage import locked
from core.storage.db import Database
from core.storage.models import Conversation, SharedValue
from core.timeutil import utcnow

CHANNEL = "wechat"


def key_of(openid: str) -> str:
    return f"wechat:more:{openid}"


def keep(session: Session, openid: str, parts: list[str], now: datetime) -> None:
    """Remembers ``parts`` (what follows the part just sent), replacing older ones."""
    row = locked(session, key_of(openid), now)
    row.value = json.dumps({"parts": parts, "served": None}, ensure_ascii=False)
    row.version, row.updated_at = row.version + 1, now
    session.add(row)


def next_part(db: Database, openid: str, message_id: str) -> str | None:
    """The next kept part for this "更多", or None when nothing is kept (the engine answers)."""
    now = utcnow()
    with db.transaction() as session:
        current = session.get(SharedValue, key_of(openid))
        if current is None or not current.value or _stale(session, openid, current):
            return None
        row = locked(session, key_of(openid), now)
        kept = json.loads(row.value)
        served = kept.get("served")
        if served and served["id"] == message_id:
            return str(served["text"])
        if not kept["parts"]:
            return None
        text, rest = kept["parts"][0], kept["parts"][1:]
        row.value = json.dumps(
            {"parts": rest, "served": {"id": message_id, "text": text}}, ensure_ascii=False
        )
        row.updated_at = now
        session.add(row)
        return str(text)


def _stale(session: Session, openid: str, row: SharedValue) -> bool:
    last = session.exec(
        select(Conversation.last_inbound_at)
        .where(Conversation.channel == CHANNEL)
        .where(Conversation.external_id == openid)
    ).first()
    return last is None or last > row.updated_at
