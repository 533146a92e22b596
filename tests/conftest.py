"""Shared fixtures: a migrated database (SQLite or PostgreSQL), settings and a runtime.

Set JOBBOT_TEST_DATABASE_URL=postgresql://... to run the whole suite on PostgreSQL; each
run works in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import core.installed  # noqa: F401  (every enabled feature's tables)
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database, scratch_schema
from core.storage.migrate import upgrade

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
        with scratch_schema(_PG_URL, "jobbot_test") as schema:
            db = Database(_PG_URL, schema=schema)
            upgrade(db)
            yield db
            db.dispose()
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


@pytest.fixture
def cli_env(db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings for `jobbot` commands: a SQLite file of their own under ``tmp_path``."""
    from core.settings import get_settings

    monkeypatch.setenv("JOBBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("JOBBOT_SECRET_KEY", "cli-test-secret-" + "y" * 32)
    monkeypatch.setenv("JOBBOT_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()
