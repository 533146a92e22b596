"""Fault rigs: a SQLite file held by another writer, a database that is not there."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from core.storage.db import Database
from tests.bots.telegram.conftest import bot_api, fake_server  # noqa: F401  (fixtures)


@contextmanager
def write_lock_held(db: Database) -> Iterator[None]:
    """Another process's writer: a second connection holding SQLite's write lock."""
    path = db.engine.url.database
    assert path, "a file database"
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def busy(db: Database, seconds: float = 0.3) -> Database:
    """A second pool on the same file that gives up on the lock after ``seconds``."""
    return Database(db.url, schema=db.schema, busy_seconds=seconds)


def rows(db: Database) -> dict[str, int]:
    """Rows in every table: a request left for a retry must leave all of them as they were."""
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def sqlite_only(db: Database) -> Database:
    if not db.is_sqlite:
        pytest.skip("SQLite's file lock")
    return db
