"""Shared fixtures: a migrated database (SQLite or PostgreSQL), settings and a runtime.

Set JOBBOT_TEST_DATABASE_URL=postgresql://... to run the whole suite on PostgreSQL; each
run works in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

import core.tables  # noqa: F401
from core.db import Database, normalise_url
from core.migrate import upgrade
from core.runtime import Runtime, build_runtime
from core.settings import Settings

TEST_SECRET = "test-secret-key-" + "x" * 32
_PG_URL = os.environ.get("JOBBOT_TEST_DATABASE_URL")

# A developer's environment or .env must not change test results.
for _name in [n for n in os.environ if n.startswith("JOBBOT_")]:
    if _name != "JOBBOT_TEST_DATABASE_URL":
        del os.environ[_name]


def pytest_report_header() -> str:
    return f"jobbot database: {'PostgreSQL' if _PG_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    if _PG_URL:
        schema = f"jobbot_test_{secrets.token_hex(4)}"
        admin = sa.create_engine(normalise_url(_PG_URL))
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        db = Database(_PG_URL, schema=schema)
        try:
            upgrade(db)
            yield db
        finally:
            db.dispose()
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    path = tmp_path_factory.mktemp("db") / "jobbot.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The session database, emptied before each test."""
    with database.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
    yield database


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        database_url=db.url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        var_dir=tmp_path / "var",
    )


@pytest.fixture
def runtime(settings: Settings, db: Database) -> Runtime:
    return build_runtime(settings, db=db)
