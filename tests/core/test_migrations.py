"""The schema comes from Alembic; the app refuses to run on an outdated one."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from core.runtime import build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.migrate import SchemaOutdated, require_current_schema, schema_status, upgrade


def test_migrated_database_is_current(db: Database) -> None:
    assert schema_status(db).up_to_date
    require_current_schema(db)


def test_empty_database_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    empty = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(SchemaOutdated, match="jobbot db upgrade"):
        build_runtime(
            Settings(_env_file=None, secret_key="k" * 40),  # type: ignore[call-arg, arg-type]
            db=empty,
        )
    empty.dispose()


def test_upgrade_creates_then_is_a_no_op(tmp_path: Path) -> None:
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    upgrade(fresh)
    assert schema_status(fresh).up_to_date
    with fresh.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    fresh.dispose()
