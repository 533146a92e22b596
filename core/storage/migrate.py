"""Schema migrations (Alembic) and the check that the schema is current."""

from __future__ import annotations

from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from core.settings import PROJECT_ROOT
from core.storage.db import Database


class SchemaOutdated(RuntimeError):
    """The database is behind (or ahead of) the code's migrations."""


def alembic_config(db: Database) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["url"] = db.url
    cfg.attributes["schema"] = db.schema
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    with db.engine.begin() as conn:
        cfg = alembic_config(db)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@dataclass(frozen=True)
class SchemaStatus:
    current: tuple[str, ...]
    head: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return set(self.current) == set(self.head)


def schema_status(db: Database) -> SchemaStatus:
    head = ScriptDirectory.from_config(alembic_config(db)).get_heads()
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return SchemaStatus(current=tuple(current), head=tuple(head))


def require_current_schema(db: Database) -> None:
    status = schema_status(db)
    if not status.up_to_date:
        have = ", ".join(status.current) or "no schema"
        raise SchemaOutdated(
            f"The database schema is out of date (database: {have}; code: "
            f"{', '.join(status.head)}). Run `jobbot db upgrade` first."
        )
