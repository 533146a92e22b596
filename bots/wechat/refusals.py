"""Residents who refused the account's template messages (拒收模板消息).

WeChat reports it only after the fact: a ``TEMPLATESENDJOBFINISH`` event with status
``failed:user block``. From then on their notices go as customer-service messages inside
their window, or wait for their next reply, like notices of kinds without a template.
The mark is kept in a ``SharedValue`` row and deleted when they unfollow.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bots.wechat.storage import locked
from core.storage.models import SharedValue

REFUSED = "user block"


def key_of(openid: str) -> str:
    return f"wechat:template-refused:{openid}"


def remember(session: Session, openid: str, now: datetime) -> None:
    row = locked(session, key_of(openid), now)
    row.value, row.version, row.updated_at = REFUSED, row.version + 1, now
    session.add(row)


def refused(session: Session, openid: str) -> bool:
    row = session.get(SharedValue, key_of(openid))
    return row is not None and row.value == REFUSED


def is_refusal(status: str) -> bool:
    """``Status`` of a TEMPLATESENDJOBFINISH event ("failed:user block")."""
    return REFUSED in status.lower()
