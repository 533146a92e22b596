"""No slot is ever overbooked: 20 residents confirm the last place of one slot at once.

On PostgreSQL (JOBBOT_TEST_DATABASE_URL) the confirmations run truly in parallel, each in
its own transaction; on SQLite they queue behind one writer. Either way exactly the
capacity succeeds and the others are shown the next free slots."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
import sqlalchemy as sa

from core.booking import services as svc
from core.booking.offices import offices_for
from core.registration.models import PersonIdentity
from core.runtime import Runtime
from tests.booking.conftest import (
    STREET_OFFICE,
    TOMORROW,
    Clock,
    book_guidance,
    bookings,
    register_person,
    slot_taken,
)
from tests.talk import Talk

RESIDENTS = 20


def test_twenty_residents_for_the_last_place_exactly_capacity_succeeds(
    runtime: Runtime, clock: Clock
) -> None:
    book_guidance(Talk(runtime, user="early"), start="10:00")  # 1 of 2 places taken
    talks = [Talk(runtime, user=f"racer-{n}") for n in range(RESIDENTS)]
    for talk in talks:
        book_guidance(talk, start="10:00", confirm=False)  # each sees one place left
    gate = threading.Barrier(RESIDENTS)

    def confirm(talk: Talk) -> list[str]:
        gate.wait()
        talk.send(choice="b:ok")
        return talk.ids()

    with ThreadPoolExecutor(RESIDENTS) as pool:
        answers = list(pool.map(confirm, talks))

    won = [a for a in answers if a[0] == "booking.booked"]
    lost = [a for a in answers if a[:2] == ["booking.just_filled", "booking.ask.slot"]]
    assert (len(won), len(lost)) == (1, RESIDENTS - 1), answers
    assert slot_taken(runtime, STREET_OFFICE, TOMORROW, "10:00") == 2
    held = [b for b in bookings(runtime) if b.start == "10:00" and b.status == "booked"]
    assert len(held) == 2
    assert len({b.queue_no for b in bookings(runtime)}) == len(bookings(runtime))
    loser = next(t for t, a in zip(talks, answers, strict=True) if a[0] != "booking.booked")
    assert "b:t:10:00" not in loser.options() and "b:t:11:00" in loser.options()


@pytest.mark.skipif(not os.environ.get("JOBBOT_TEST_DATABASE_URL"), reason="PostgreSQL only")
def test_a_booking_waits_for_the_slot_lock_and_then_finds_it_full(
    runtime: Runtime, clock: Clock
) -> None:
    """Deterministic interleaving: B reads the slot while A's booking is uncommitted. With
    a plain read B would see one place left and overwrite A's count; the row lock makes B
    wait, then read the committed count and refuse."""
    book_guidance(Talk(runtime, user="early"), start="10:00")
    office = offices_for(runtime.content).get(STREET_OFFICE)
    assert office is not None

    def request(user: str) -> svc.Request:
        return svc.Request(office, "guidance", TOMORROW, time(10), "console", user, "某人")

    outcome: list[str] = []

    def second() -> None:
        try:
            with runtime.db.transaction() as session:
                svc.book(session, runtime.vault, runtime.content, request("b"), clock.now)
                outcome.append("booked")
        except svc.BookingError as exc:
            outcome.append(exc.problem)

    with runtime.db.transaction() as first:
        svc.book(first, runtime.vault, runtime.content, request("a"), clock.now)
        waiter = threading.Thread(target=second)
        waiter.start()
        for _ in range(400):  # until B waits on A's row lock
            with runtime.db.engine.connect() as conn:
                waiting = conn.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                ).scalar()
            if waiting:
                break
            threading.Event().wait(0.025)
        else:
            pytest.fail("the second booking never waited for the slot's lock")
    waiter.join()
    assert outcome == ["full"]
    assert slot_taken(runtime, STREET_OFFICE, TOMORROW, "10:00") == 2


def test_one_person_on_two_channels_at_once_keeps_the_limit(runtime: Runtime, clock: Clock) -> None:
    """The same registered person, one booking already, confirms a second and a third from
    two chat identities at the same moment: only one more is allowed (max_active = 2)."""
    wechat, telegram = Talk(runtime, user="p-wx", channel="wechat"), Talk(runtime, user="p-tg")
    person = register_person(runtime, wechat, "李四", area="370102001003")
    with runtime.db.transaction() as session:
        session.add(
            PersonIdentity(person_id=person, channel=telegram.channel, external_id=telegram.user)
        )
    book_guidance(wechat, start="09:00", name=None)
    book_guidance(wechat, start="13:30", name=None, confirm=False)
    book_guidance(telegram, start="15:30", name=None, confirm=False)
    gate = threading.Barrier(2)

    def confirm(talk: Talk) -> str:
        gate.wait()
        talk.send(choice="b:ok")
        return talk.ids()[0]

    with ThreadPoolExecutor(2) as pool:
        answers = sorted(pool.map(confirm, (wechat, telegram)))
    assert answers == ["booking.booked", "booking.refused.limit"]
    assert sum(b.status == "booked" for b in bookings(runtime)) == 2
