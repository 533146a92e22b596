"""Telling subscribers about the openings an import added: a scheduler job, after the import.

The import itself only records itself (``opening_import``); this job walks the openings it
added in slices (bounded work per tick, so the tick's transaction stays short whatever the
size of the import), matches each slice against every subscription and keeps ONE
``opening_notice`` per subscriber and import. When every slice is matched it queues one
message per notice under a key naming the import and the subscriber, so a repeated tick or a
second worker sends nothing twice. Openings are added by exactly one import, so nobody hears
of the same opening twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.delivery.scheduler import Due, TickCtx
from core.dialog.messages import Outgoing, t
from core.matching.search import SearchIndex
from core.openings.catalogue import doc, vocabulary_for
from core.openings.models import (
    Opening,
    OpeningImport,
    OpeningNotice,
    OpeningStaged,
    OpeningSubscription,
)
from core.openings.present import line
from core.openings.subscriptions import LISTED, matching
from core.storage.models import Conversation


@dataclass(frozen=True)
class SubscriptionNotices:
    name: str = "opening_subscriptions"
    slice: int = 2000  # openings matched at a time
    budget: float = 0.5  # seconds of matching per tick (outside the write transaction)
    queue: int = 500  # messages queued per tick
    sweep: float = 0.1  # seconds of deleting spent staged rows per tick
    stale: timedelta = timedelta(hours=6)  # an import still staging after this has died

    def due(self, ctx: TickCtx) -> Iterable[Due]:
        # Matching is CPU work (an index over the slice, a search per subscription): it
        # runs on a read-only snapshot, so the tick's transaction (which on SQLite holds the
        # write lock from its first statement) only writes the outcome.
        plan = self._plan(ctx)
        _clear_staging(ctx, self.stale, self.sweep)
        if plan is None:
            return ()
        imp_id, old_cursor, new_cursor, found = plan
        if new_cursor != old_cursor:
            moved = ctx.session.execute(
                sa.update(OpeningImport)
                .where(col(OpeningImport.id) == imp_id)
                .where(col(OpeningImport.notify_cursor) == old_cursor)
                .values(notify_cursor=new_cursor)
            )
            if getattr(moved, "rowcount", 0) != 1:
                return ()  # another worker matched this slice meanwhile
            _record(ctx.session, imp_id, found)
            return ()
        imp = ctx.session.get(OpeningImport, imp_id)
        if imp is None or imp.notified_at is not None or imp.notify_cursor != old_cursor:
            return ()
        return self._queue(ctx, imp)

    def _plan(self, ctx: TickCtx) -> tuple[int, int, int, dict[Key, list[str]]] | None:
        """The oldest import not yet told, and the matches of its next slices (as many as
        the budget allows): (import id, cursor before, cursor after, refs per subscriber)."""
        engine = ctx.session.get_bind()
        with Session(engine.execution_options(jobbot_read_only=True)) as session:
            imp = session.exec(
                select(OpeningImport)
                .where(OpeningImport.status == "applied")
                .where(col(OpeningImport.notified_at).is_(None))
                .order_by(col(OpeningImport.id))
            ).first()
            if imp is None or imp.id is None:
                return None
            subs = list(session.exec(select(OpeningSubscription)))
            found: dict[Key, list[str]] = {}
            cursor = imp.notify_cursor
            started = time.monotonic()
            while openings := _next_slice(session, imp.batch, cursor, self.slice):
                _match(ctx, openings, subs, found)
                cursor = openings[-1].id or cursor
                if time.monotonic() - started > self.budget:
                    break
            return imp.id, imp.notify_cursor, cursor, found

    def _queue(self, ctx: TickCtx, imp: OpeningImport) -> list[Due]:
        notices = list(
            ctx.session.exec(
                select(OpeningNotice)
                .where(OpeningNotice.import_id == imp.id)
                .where(OpeningNotice.queued == False)  # noqa: E712
                .order_by(col(OpeningNotice.id))
                .limit(self.queue)
            )
        )
        dues = [d for n in notices if (d := _due(ctx.session, imp, n)) is not None]
        for notice in notices:
            notice.queued = True
            ctx.session.add(notice)
        if len(notices) < self.queue:
            imp.notified_at = ctx.now
            ctx.session.add(imp)
        return dues


Key = tuple[str, str]  # (channel, external_id) of a subscriber


def _next_slice(session: Session, batch: str, after: int, size: int) -> list[Opening]:
    return list(
        session.exec(
            select(Opening)
            .where(Opening.import_batch == batch)
            .where(col(Opening.id) > after)
            .order_by(col(Opening.id))
            .limit(size)
        )
    )


def _match(
    ctx: TickCtx,
    openings: Sequence[Opening],
    subs: Sequence[OpeningSubscription],
    found: dict[Key, list[str]],
) -> None:
    docs = [doc(o) for o in openings]
    index = SearchIndex.build(docs, vocabulary_for(ctx.content.directory))
    for sub in subs:
        refs = matching(index, docs, sub, ctx.content.areas, ctx.now)
        if refs:
            mine = found.setdefault((sub.channel, sub.external_id), [])
            mine.extend(r for r in refs if r not in mine)


def _record(session: Session, imp_id: int, found: dict[Key, list[str]]) -> None:
    """Adds one slice's matches to each subscriber's notice of this import."""
    if not found:
        return
    notices = {
        (n.channel, n.external_id): n
        for n in session.exec(select(OpeningNotice).where(OpeningNotice.import_id == imp_id))
    }
    for (channel, external_id), refs in found.items():
        notice = notices.get((channel, external_id)) or OpeningNotice(
            import_id=imp_id, channel=channel, external_id=external_id
        )
        notice.count += len(refs)
        notice.refs = [*notice.refs, *refs][:LISTED]  # a new list: JSON columns track assignment
        session.add(notice)


def _due(session: Session, imp: OpeningImport, notice: OpeningNotice) -> Due | None:
    conv = session.exec(
        select(Conversation)
        .where(Conversation.channel == notice.channel)
        .where(Conversation.external_id == notice.external_id)
    ).first()
    if conv is None or not conv.reachable:
        return None
    by_ref = {
        o.ref: o for o in session.exec(select(Opening).where(col(Opening.ref).in_(notice.refs)))
    }
    shown = [by_ref[r] for r in notice.refs if r in by_ref]
    more = notice.count - len(shown)
    text = t(
        "subs.new_openings",
        count=notice.count,
        lines=tuple(line(o) for o in shown),
        more=t("subs.and_more", n=more) if more > 0 else "",
    )
    return Due(
        key=f"opening-subs:{imp.batch}:{notice.channel}:{notice.external_id}",
        channel=notice.channel,
        recipient=notice.external_id,
        kind="opening_subscription",
        messages=(Outgoing(text),),
        lang=conv.lang,
    )


def _clear_staging(ctx: TickCtx, stale: timedelta, budget: float) -> None:
    """Deletes staged rows of finished imports (and of imports that died while staging),
    a thousand at a time for at most ``budget`` seconds: staged rows are invisible, so
    there is no hurry, and one big delete would hold the write lock."""
    ctx.session.execute(
        sa.update(OpeningImport)
        .where(col(OpeningImport.status) == "staging")
        .where(col(OpeningImport.started_at) < ctx.now - stale)
        .values(status="failed")
    )
    finished = select(OpeningImport.id).where(col(OpeningImport.status) != "staging")
    started = time.monotonic()
    while True:
        doomed = (
            select(OpeningStaged.id)
            .where(col(OpeningStaged.import_id).in_(finished))
            .limit(1000)
            .scalar_subquery()
        )
        result = ctx.session.execute(
            sa.delete(OpeningStaged).where(col(OpeningStaged.id).in_(doomed))
        )
        if not getattr(result, "rowcount", 0) or time.monotonic() - started > budget:
            return
