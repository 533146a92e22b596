"""The unit of work: a lane thread keeps its connection between messages, and only then."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.storage.db import Database


def _checked_out(db: Database) -> int:
    pool = db.engine.pool
    assert isinstance(pool, sa.pool.QueuePool)
    return pool.checkedout()


def test_outside_keeping_each_transaction_gives_its_connection_back(db: Database) -> None:
    with db.joined() as (conn, _session):
        conn.execute(sa.text("SELECT 1"))
        assert _checked_out(db) == 1
    assert _checked_out(db) == 0


def test_keeping_reuses_one_connection_and_lets_go_at_the_end(db: Database) -> None:
    with db.keeping():
        with db.joined() as (first, _session):
            pass
        with db.joined() as (second, _session):
            pass
        assert second is first
        assert _checked_out(db) == 1
    assert _checked_out(db) == 0


def test_a_failed_transaction_is_rolled_back_and_its_connection_not_kept(db: Database) -> None:
    with db.keeping():
        with pytest.raises(LookupError), db.joined() as (first, _session):
            first.execute(sa.text("CREATE TABLE scratch_rolled_back (n INTEGER)"))
            raise LookupError("the step failed")
        assert _checked_out(db) == 0
        with db.joined() as (second, _session):
            assert second is not first
            assert not sa.inspect(second).has_table("scratch_rolled_back")
    assert _checked_out(db) == 0
