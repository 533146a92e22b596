"""Builds the pieces every entry point needs (web, worker, chat, CLI) from the settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from core.content.catalog import LANGS
from core.content.loader import Content, load_content
from core.content.yamlfile import ContentError
from core.delivery.scheduler import Job
from core.dialog.engine import Engine, EngineConfig
from core.dialog.lane import Lane
from core.features import Assembly, Deps, Feature, assemble
from core.installed import installed
from core.openings.catalogue import Catalogue
from core.people.personal import Vault
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
    # The openings search index: a cache every feature and the openings API read.
    catalogue: Catalogue
    # Where channel adapters run the engine; shared, so SQLite sees one writer per process.
    lane: Lane
    features: Assembly

    @property
    def jobs(self) -> list[Job]:
        """The scheduler jobs of every enabled feature (and housekeeping)."""
        return self.features.jobs()

    def close(self) -> None:
        self.db.dispose()


def build_runtime(
    settings: Settings,
    *,
    db: Database | None = None,
    features: Sequence[Feature] | None = None,
    check_schema: bool = True,
) -> Runtime:
    """Loads content (fails loudly on a bad file) and refuses an outdated schema.

    ``features`` replaces the enabled list (``core.installed``), e.g. in tests."""
    content = load_content(settings.content_dir)
    assembly = assemble(features) if features is not None else installed()
    assembly.check(content)  # features' parameters are content too: fail now, not mid-chat
    _require_texts(content, assembly)
    database = db or Database(settings.database_url, busy_seconds=settings.sqlite_busy_seconds)
    if check_schema:
        require_current_schema(database)
    vault = Vault(settings.resolved_secret_key())
    config = EngineConfig(idle_timeout=timedelta(minutes=settings.idle_timeout_minutes))
    catalogue = Catalogue(database, settings.content_dir)
    parts = assembly.parts(Deps(database, content, catalogue))
    engine = Engine(database, content, vault, parts, config, erasers=assembly.erasers())
    if database.is_sqlite:  # one writer: a run of messages is committed as one group
        lane = Lane("engine", 1, around=partial(database.keeping, group=True))
    else:  # row locks: each message commits alone, so others' messages never wait on it
        lane = Lane("engine", ENGINE_THREADS, around=database.keeping)
    return Runtime(settings, database, content, vault, engine, catalogue, lane, assembly)


def _require_texts(content: Content, assembly: Assembly) -> None:
    """A feature's text files must be there in every language (the catalog checks the ids)."""
    messages = content.directory / "messages"
    for name in assembly.text_files():
        for lang in LANGS:
            path = messages / f"{lang}.{name}.yaml"
            if not path.is_file():
                raise ContentError(path, "", "missing: an enabled feature's texts")
