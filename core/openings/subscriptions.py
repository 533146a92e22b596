"""订阅: residents ask to hear about new openings for a keyword and/or area.

The worker matches the openings an import added against every subscription after the
import (``core.openings.notices``); each subscriber gets at most one message per import,
and never the same opening twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.content.areas import AreaTree
from core.dialog.messages import Text, t
from core.matching.search import OpeningDoc, SearchIndex
from core.openings.models import OpeningNotice, OpeningSubscription

MAX_PER_IDENTITY = 10
MAX_KEYWORD = 40
LISTED = 5


class Outcome(StrEnum):
    CREATED = "created"
    EXISTS = "exists"
    TOO_MANY = "too_many"
    EMPTY = "empty"


@dataclass(frozen=True)
class Subscribed:
    outcome: Outcome
    label: Text | None = None


def describe(sub: OpeningSubscription, areas: AreaTree) -> Text:
    area = areas.get(sub.area_code) if sub.area_code else None
    if sub.keyword and area:
        return t("subs.label_both", keyword=sub.keyword, area=area.name)
    if area:
        return t("subs.label_area", area=area.name)
    return t("subs.label_keyword", keyword=sub.keyword)


def subscribe(
    session: Session, *, channel: str, external_id: str, text: str, areas: AreaTree
) -> Subscribed:
    codes, rest = areas.find_in_text(" ".join(text.split()))
    keyword = rest[:MAX_KEYWORD]
    area_code = max(codes, key=lambda c: len(list(areas.ancestors(c)))) if codes else ""
    if not keyword and not area_code:
        return Subscribed(Outcome.EMPTY)
    mine = list(
        session.exec(
            select(OpeningSubscription)
            .where(OpeningSubscription.channel == channel)
            .where(OpeningSubscription.external_id == external_id)
        )
    )
    sub = OpeningSubscription(
        channel=channel, external_id=external_id, keyword=keyword, area_code=area_code
    )
    if any(s.keyword == keyword and s.area_code == area_code for s in mine):
        return Subscribed(Outcome.EXISTS, describe(sub, areas))
    if len(mine) >= MAX_PER_IDENTITY:
        return Subscribed(Outcome.TOO_MANY)
    session.add(sub)
    return Subscribed(Outcome.CREATED, describe(sub, areas))


def of_identity(session: Session, channel: str, external_id: str) -> list[OpeningSubscription]:
    return list(
        session.exec(
            select(OpeningSubscription)
            .where(OpeningSubscription.channel == channel)
            .where(OpeningSubscription.external_id == external_id)
            .order_by(col(OpeningSubscription.id))
        )
    )


def matching(
    index: SearchIndex,
    docs: Sequence[OpeningDoc],
    sub: OpeningSubscription,
    areas: AreaTree,
    now: datetime,
) -> list[str]:
    """Refs among ``docs`` (indexed in ``index``) that the subscription asks for."""
    if not sub.keyword:  # an area alone: every new opening inside it
        return [
            d.ref
            for d in docs
            if d.area_code
            and areas.contains(sub.area_code, d.area_code)
            and (d.expires_at is None or d.expires_at > now)
        ]
    found = index.search(
        sub.keyword,
        areas=areas,
        area_codes=(sub.area_code,) if sub.area_code else (),
        limit=len(docs),
        now=now,
    )
    return [h.ref for h in found.hits]


def forget_identity(session: Session, channel: str, external_id: str) -> None:
    """A chat identity left: its subscriptions and what it was told of go with it."""
    for table in (OpeningSubscription, OpeningNotice):
        session.execute(
            sa.delete(table)
            .where(col(table.channel) == channel)
            .where(col(table.external_id) == external_id)
        )
