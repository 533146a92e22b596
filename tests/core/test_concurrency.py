"""Messages of one user run one at a time, whichever thread or process receives them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlmodel import select

from core.dialog.flow import Ctx, Input, State, Transition
from core.dialog.messages import Incoming, Outgoing, t
from core.features import Feature
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Conversation, InboundMessage


class CountingFlow:
    """Counts the messages it receives: a lost update would show as a smaller count."""

    name = "counting"
    steps = frozenset({"count"})

    def start(self, ctx: Ctx, arg: str) -> Transition:
        return Transition(State(self.name, "count", {"n": 0}), (Outgoing(t("menu.title")),))

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        n = int(state.data["n"]) + 1
        return Transition(State(self.name, "count", {"n": n, "last": given.text}), ())

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        return ()


def _counting_runtime(settings: Settings, db: Database) -> Runtime:
    return build_runtime(
        settings, db=db, features=[Feature("counting", flows=lambda deps: [CountingFlow()])]
    )


def _start_counting(rt: Runtime, user: str) -> None:
    with rt.db.transaction() as session:
        session.add(
            Conversation(
                channel="wechat", external_id=user, flow="counting", step="count", data={"n": 0}
            )
        )


def test_concurrent_messages_of_one_user_are_all_applied(settings: Settings, db: Database) -> None:
    rt = _counting_runtime(settings, db)
    _start_counting(rt, "o-1")

    def deliver(i: int) -> None:
        rt.engine.handle(Incoming("wechat", "o-1", text=f"msg {i}", message_id=f"id-{i}"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(deliver, range(40)))
    with rt.db.transaction() as session:
        conv = session.exec(select(Conversation)).one()
        assert conv.data["n"] == 40
        assert len(session.exec(select(InboundMessage)).all()) == 40


def test_concurrent_redeliveries_have_one_effect(settings: Settings, db: Database) -> None:
    rt = _counting_runtime(settings, db)
    _start_counting(rt, "o-2")

    def deliver(_: int) -> bool:
        reply = rt.engine.handle(Incoming("wechat", "o-2", text="same", message_id="dup-1"))
        return reply.duplicate

    with ThreadPoolExecutor(max_workers=8) as pool:
        duplicates = list(pool.map(deliver, range(16)))
    assert duplicates.count(False) == 1
    with rt.db.transaction() as session:
        assert session.exec(select(Conversation)).one().data["n"] == 1


def test_two_engines_on_one_database_share_the_order(settings: Settings, db: Database) -> None:
    """Two runtimes with separate connection pools stand in for two server processes."""
    first = _counting_runtime(settings, db)
    second = _counting_runtime(settings, Database(settings.database_url, schema=db.schema))
    _start_counting(first, "o-3")

    def deliver(i: int) -> None:
        rt = first if i % 2 else second
        rt.engine.handle(Incoming("wechat", "o-3", text=str(i), message_id=f"p-{i}"))

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(deliver, range(30)))
    second.db.dispose()
    with first.db.transaction() as session:
        assert session.exec(select(Conversation)).one().data["n"] == 30
