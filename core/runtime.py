"""Builds the pieces every entry point needs (web, worker, chat, CLI) from the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from core.content.loader import Content, load_content
from core.dialog.engine import Engine, EngineConfig
from core.dialog.flow import Flow
from core.dialog.lane import Lane
from core.flows import default_flows
from core.openings.catalogue import Catalogue
from core.people.personal import Vault
from core.registration.rules import rules_for
from core.settings import Settings
from core.storage.db import Database
from core.storage.migrate import require_current_schema

ENGINE_THREADS = 8  # PostgreSQL: conversations of different residents run side by side


@dataclass
class Runtime:
    settings: Settings
    db: Database
    content: Content
    vault: Vault
    engine: Engine
    catalogue: Catalogue
    # Where channel adapters run the engine; shared, so SQLite sees one writer per process.
    lane: Lane

    def close(self) -> None:
        self.db.dispose()


def build_runtime(
    settings: Settings,
    *,
    db: Database | None = None,
    flows: Mapping[str, Flow] | None = None,
    check_schema: bool = True,
) -> Runtime:
    """Loads content (fails loudly on a bad file) and refuses an outdated schema."""
    content = load_content(settings.content_dir)
    rules_for(content)  # registration parameters are content too: fail at start-up, not mid-chat
    database = db or Database(settings.database_url, busy_seconds=settings.sqlite_busy_seconds)
    if check_schema:
        require_current_schema(database)
    vault = Vault(settings.resolved_secret_key())
    config = EngineConfig(idle_timeout=timedelta(minutes=settings.idle_timeout_minutes))
    catalogue = Catalogue(database, settings.content_dir)
    engine = Engine(database, content, vault, flows or default_flows(catalogue), config)
    lane = Lane("engine", 1 if database.is_sqlite else ENGINE_THREADS)
    return Runtime(settings, database, content, vault, engine, catalogue, lane)
