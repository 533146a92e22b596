"""SQLite's engine lane commits a run of messages as one group, each message a savepoint.

What must hold: a message is still all-or-nothing, nothing is visible (or reported) before
the group's commit, and a failure that takes the whole transaction down fails every
message of the group instead of reporting them as stored."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.dialog.lane import Lane
from core.storage.db import Database


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'group.db'}")
    with database.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE note (n INTEGER PRIMARY KEY)"))
    yield database
    database.dispose()


def _notes(db: Database) -> list[int]:
    """What another connection (another process, the dispatcher) sees."""
    with db.reading() as session:
        return [row[0] for row in session.execute(sa.text("SELECT n FROM note ORDER BY n"))]


def _write(db: Database, n: int) -> None:
    with db.joined() as (conn, _session):
        conn.execute(sa.text("INSERT INTO note (n) VALUES (:n)"), {"n": n})


def test_a_group_is_seen_by_others_only_after_its_commit(sqlite: Database) -> None:
    with sqlite.keeping(group=True) as commit:
        _write(sqlite, 1)
        _write(sqlite, 2)
        seen_before = threading.Thread(target=lambda: seen.extend(_notes(sqlite)))
        seen: list[int] = []
        seen_before.start()
        seen_before.join()
        assert seen == []
        commit()
    assert _notes(sqlite) == [1, 2]


def test_a_failed_message_is_rolled_back_alone(sqlite: Database) -> None:
    with sqlite.keeping(group=True) as commit:
        _write(sqlite, 1)
        with pytest.raises(LookupError), sqlite.joined() as (conn, session):
            conn.execute(sa.text("INSERT INTO note (n) VALUES (2)"))
            session.execute(sa.text("INSERT INTO note (n) VALUES (3)"))
            raise LookupError("the step failed")
        _write(sqlite, 4)
        commit()
    assert _notes(sqlite) == [1, 4]


def test_a_failed_flush_does_not_take_the_group_with_it(sqlite: Database) -> None:
    with sqlite.keeping(group=True) as commit:
        _write(sqlite, 1)
        with pytest.raises(sa.exc.IntegrityError), sqlite.joined() as (_conn, session):
            session.execute(sa.text("INSERT INTO note (n) VALUES (1)"))  # a duplicate key
        commit()
    assert _notes(sqlite) == [1]


def test_other_units_on_the_thread_join_the_group(sqlite: Database) -> None:
    """A separate connection would wait for the lock this thread holds (and see nothing)."""
    with sqlite.keeping(group=True) as commit:
        _write(sqlite, 1)
        with sqlite.transaction() as session:
            session.execute(sa.text("INSERT INTO note (n) VALUES (2)"))
        with sqlite.reading() as session:
            inside = [r[0] for r in session.execute(sa.text("SELECT n FROM note ORDER BY n"))]
        assert inside == [1, 2]
        with pytest.raises(LookupError), sqlite.transaction() as session:
            session.execute(sa.text("INSERT INTO note (n) VALUES (3)"))
            raise LookupError("rolled back alone")
        commit()
    assert _notes(sqlite) == [1, 2]


def test_when_sqlite_ends_the_transaction_the_whole_group_fails(sqlite: Database) -> None:
    with sqlite.keeping(group=True) as commit:
        _write(sqlite, 1)
        with pytest.raises(sa.exc.OperationalError), sqlite.joined() as (conn, _session):
            # What a full disk or an I/O error does: SQLite rolls back everything.
            conn.connection.driver_connection.execute("ROLLBACK")  # type: ignore[union-attr]
            raise sa.exc.OperationalError("INSERT", None, Exception("disk I/O error"))
        with pytest.raises(sa.exc.OperationalError):
            _write(sqlite, 2)  # the group is gone: nothing more is accepted into it
        with pytest.raises(sa.exc.OperationalError):
            commit()  # message 1 must not be reported as stored
        _write(sqlite, 3)  # a new group starts afresh
        commit()
    assert _notes(sqlite) == [3]


def test_leaving_without_a_commit_keeps_nothing(sqlite: Database) -> None:
    with sqlite.keeping(group=True):
        _write(sqlite, 1)
    assert _notes(sqlite) == []


def test_without_a_group_each_message_commits_at_once(sqlite: Database) -> None:
    with sqlite.keeping():
        _write(sqlite, 1)
        assert _notes(sqlite) == [1]


@pytest.mark.anyio
async def test_the_lane_reports_results_only_after_the_commit(sqlite: Database) -> None:
    events: list[str] = []

    @contextmanager
    def around() -> Iterator[object]:
        with sqlite.keeping(group=True) as commit:

            def committing() -> None:
                commit()
                if seen := _notes(sqlite):  # also called when a run had nothing to commit
                    events.append(f"commit {seen}")

            yield committing

    lane = Lane("test", threads=1, around=around)
    gate = threading.Event()
    first = lane.submit(gate.wait, 5)
    writes = [lane.submit(_write, sqlite, n) for n in (1, 2, 3)]
    for write in writes:
        write.add_done_callback(lambda _f: events.append("reported"))
    gate.set()
    await asyncio.gather(first, *writes)
    first_report = events.index("reported")
    assert "commit [1, 2, 3]" in events[:first_report]  # committed before anybody heard
    assert events.count("reported") == 3


@pytest.mark.anyio
async def test_a_failed_commit_fails_every_job_it_covered() -> None:
    @contextmanager
    def around() -> Iterator[object]:
        def commit() -> None:
            raise sa.exc.OperationalError("COMMIT", None, Exception("disk I/O error"))

        yield commit

    lane = Lane("test", threads=1, around=around)
    gate = threading.Event()
    first = lane.submit(gate.wait, 5)
    rest = [lane.submit(lambda n=n: n) for n in range(3)]
    gate.set()
    results = await asyncio.gather(first, *rest, return_exceptions=True)
    assert all(isinstance(r, sa.exc.OperationalError) for r in results)
