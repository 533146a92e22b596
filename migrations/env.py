"""Alembic environment: the URL comes from the caller (jobbot db upgrade) or the settings."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import core.installed  # noqa: F401  (every enabled feature's tables join the metadata)
from core.settings import get_settings
from core.storage.db import create_db_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    url = config.attributes.get("url") or get_settings().database_url
    schema = config.attributes.get("schema")
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(url, schema=schema)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `jobbot db upgrade`")
run_migrations_online()
