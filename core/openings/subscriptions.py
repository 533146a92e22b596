"""订阅: residents ask to hear about new openings for a keyword and/or area.

New openings are matched against every subscription when they are imported; each
subscriber gets at most one message per import, and never the same opening twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.content.areas import AreaTree
from core.delivery.outbox import enqueue
from core.dialog.messages import Outgoing, Text, t
from core.matching.search import OpeningDoc, SearchIndex
from core.matching.vocabulary import Vocabulary
from core.openings.models import Opening, OpeningNotified, OpeningSubscription
from core.openings.present import line
from core.storage.models import Conversation

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


def notify_new(
    session: Session,
    *,
    openings: Sequence[Opening],
    vocabulary: Vocabulary,
    areas: AreaTree,
    batch: str,
    now: datetime,
) -> int:
    """Writes one outbox message per subscriber that has new matches; returns how many."""
    docs = [
        OpeningDoc(
            o.ref,
            o.title,
            o.employer,
            o.area_code,
            o.area_name,
            o.posted_at,
            o.expires_at,
            tuple(o.tags),
        )
        for o in openings
    ]
    if not docs:
        return 0
    index = SearchIndex.build(docs, vocabulary)
    by_ref = {o.ref: o for o in openings}
    matches: dict[tuple[str, str], list[str]] = {}
    for sub in session.exec(select(OpeningSubscription)):
        found = index.search(
            sub.keyword,
            areas=areas,
            area_codes=(sub.area_code,) if sub.area_code else (),
            limit=len(docs),
            now=now,
        )
        refs = matches.setdefault((sub.channel, sub.external_id), [])
        refs.extend(h.ref for h in found.hits if h.ref not in refs)
    sent = 0
    for (channel, external_id), refs in matches.items():
        fresh = _not_yet_told(session, channel, external_id, refs)
        if fresh and _push(session, channel, external_id, [by_ref[r] for r in fresh], batch):
            sent += 1
    return sent


def _matching(
    index: SearchIndex,
    docs: Sequence[OpeningDoc],
    sub: OpeningSubscription,
    areas: AreaTree,
    now: datetime,
) -> list[str]:
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


def _not_yet_told(session: Session, channel: str, external_id: str, refs: list[str]) -> list[str]:
    table = OpeningNotified.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    fresh = []
    for ref in refs:
        stmt = (
            insert(table)
            .values(channel=channel, external_id=external_id, opening_ref=ref)
            .on_conflict_do_nothing()
            .returning(table.c.id)
        )
        if session.execute(stmt).first() is not None:
            fresh.append(ref)
    return fresh


def _push(
    session: Session, channel: str, external_id: str, openings: list[Opening], batch: str
) -> bool:
    conv = session.exec(
        select(Conversation)
        .where(Conversation.channel == channel)
        .where(Conversation.external_id == external_id)
    ).first()
    if conv is None or not conv.reachable:
        return False
    lines = tuple(line(o) for o in openings[:LISTED])
    more = len(openings) - LISTED
    text = t(
        "subs.new_openings",
        count=len(openings),
        lines=lines,
        more=t("subs.and_more", n=more) if more > 0 else "",
    )
    return enqueue(
        session,
        key=f"opening-subs:{batch}:{channel}:{external_id}",
        channel=channel,
        recipient=external_id,
        kind="opening_subscription",
        messages=[Outgoing(text)],
        lang=conv.lang,
    )


def forget_identity(session: Session, channel: str, external_id: str) -> None:
    """A chat identity left: its subscriptions and what it was told of go with it."""
    for table in (OpeningSubscription, OpeningNotified):
        session.execute(
            sa.delete(table)
            .where(col(table.channel) == channel)
            .where(col(table.external_id) == external_id)
        )
