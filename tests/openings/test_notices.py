"""Subscribers hear of an import from the worker, after it: one notice per subscriber and
import however many openings matched, in bounded slices, never twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import col, func, select

from core.openings.importing import import_openings
from core.openings.models import OpeningNotice
from core.openings.notices import SubscriptionNotices
from core.openings.rows import read_rows
from core.runtime import Runtime
from core.storage.models import OutboxMessage
from tests.openings.conftest import NOW, notify_until_done
from tests.talk import Talk


def _rows(n: int, title: str = "保洁员", area: str = "历下区") -> list[list[str]]:
    return [
        [f"N-{i}", f"{title}{i}号岗", "某物业", area, "", "", "", "", "", "2026-11-20", "", ""]
        for i in range(n)
    ]


def _pushes(runtime: Runtime, recipient: str) -> list[OutboxMessage]:
    with runtime.db.transaction() as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == recipient)
                .order_by(col(OutboxMessage.id))
            )
        )


def _notices(runtime: Runtime) -> int:
    with runtime.db.transaction() as session:
        return session.exec(select(func.count()).select_from(OpeningNotice)).one()


def test_the_import_itself_queues_nothing_the_worker_queues_one_message(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    Talk(runtime, channel="wechat", user="o-sub").send("订阅 保洁 历下")
    import_openings(runtime.db, runtime.content, read_rows(write_csv(_rows(12))), now=NOW)
    assert _pushes(runtime, "o-sub") == []
    assert notify_until_done(runtime) == 1
    [push] = _pushes(runtime, "o-sub")
    params = push.payload["messages"][0]["text"]["params"]
    assert params["count"] == 12 and len(params["lines"]["$lines"]) == 5
    assert params["more"]["$text"]["params"]["n"] == 7


def test_many_subscribers_and_openings_make_one_notice_each_in_slices(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    for i in range(30):
        talk = Talk(runtime, channel="wechat", user=f"o-{i}")
        talk.send("订阅 保洁")
        talk.send("订阅 历下")  # two subscriptions matching the same openings: still one
    import_openings(runtime.db, runtime.content, read_rows(write_csv(_rows(25))), now=NOW)
    job = SubscriptionNotices(slice=4, budget=0.0, queue=7)  # one slice / 7 messages a tick
    assert notify_until_done(runtime, job) == 30
    assert _notices(runtime) == 30
    counts = {p.payload["messages"][0]["text"]["params"]["count"] for p in _pushes_all(runtime)}
    assert counts == {25}
    assert notify_until_done(runtime, job) == 0


def _pushes_all(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.db.transaction() as session:
        return list(
            session.exec(select(OutboxMessage).where(OutboxMessage.kind == "opening_subscription"))
        )


def test_only_openings_the_import_added_are_news_and_never_twice(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    Talk(runtime, channel="wechat", user="o-sub").send("订阅 保洁")
    first = _rows(3)
    import_openings(runtime.db, runtime.content, read_rows(write_csv(first)), now=NOW)
    assert notify_until_done(runtime) == 1
    changed = [list(r) for r in first]
    changed[0][4] = "3000"  # an update is not news
    import_openings(runtime.db, runtime.content, read_rows(write_csv(changed)), now=NOW)
    assert notify_until_done(runtime) == 0
    more = [*changed, ["N-9", "保洁员9号岗", "某物业", "历下区"] + [""] * 8]
    import_openings(runtime.db, runtime.content, read_rows(write_csv(more)), now=NOW)
    assert notify_until_done(runtime) == 1
    latest = _pushes(runtime, "o-sub")[-1].payload["messages"][0]["text"]["params"]
    assert latest["count"] == 1


def test_subscriber_outside_the_area_hears_nothing(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    Talk(runtime, channel="wechat", user="o-qd").send("订阅 保洁 市南")
    import_openings(runtime.db, runtime.content, read_rows(write_csv(_rows(5))), now=NOW)
    assert notify_until_done(runtime) == 0 and _pushes(runtime, "o-qd") == []
