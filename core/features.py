"""What a feature is: one declaration of everything it adds to jobbot.

A feature package (``core/registration``, ``core/openings`` …) holds its models, its
services and its chat flows, and declares in its ``feature.py`` one ``Feature``: the flows
and menu items, scheduler jobs, sections of 我的, sources of staff 待办, what it erases
when a resident leaves, its tables and its text files. ``core/installed.py`` lists the
enabled features; ``assemble`` turns that list into what the engine, the scheduler and
the storage need. Nothing here is a mutable registry: an assembly is built per runtime.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING

from core.content.loader import Content
from core.delivery.scheduler import Housekeeping, Job
from core.dialog.flow import Ctx, Eraser, Flow, MenuItem, MineSection, Parts, TaskSource
from core.dialog.menu import assemble as assemble_menu
from core.dialog.tasks import TasksFlow
from core.storage.db import Database

if TYPE_CHECKING:
    from core.openings.catalogue import Catalogue


@dataclass(frozen=True)
class Deps:
    """What a feature's flows may be built with."""

    db: Database
    content: Content
    catalogue: Catalogue


@dataclass(frozen=True)
class Feature:
    name: str
    flows: Callable[[Deps], Sequence[Flow]] = lambda deps: ()
    menu: tuple[MenuItem, ...] = ()
    jobs: tuple[Job, ...] = ()
    mine: tuple[MineSection, ...] = ()
    tasks: tuple[TaskSource, ...] = ()
    erase: tuple[Eraser, ...] = ()
    # Modules whose tables belong to the feature (imported, so the metadata knows them).
    tables: tuple[ModuleType, ...] = ()
    # Its text files: content/messages/<lang>.<name>.yaml (checked at start-up).
    texts: tuple[str, ...] = ()
    # Checks the feature's content (its YAML files) at start-up; raises ContentError.
    content: tuple[Callable[[Content], object], ...] = ()
    # Whether typed text names a job (only the openings feature says so).
    job_word: Callable[[Ctx, str], bool] | None = None


@dataclass(frozen=True)
class Assembly:
    """The enabled features, put together once per runtime."""

    features: tuple[Feature, ...] = field(default_factory=tuple)

    def parts(self, deps: Deps) -> Parts:
        flows: dict[str, Flow] = {}
        for flow in (TasksFlow(), *(f for feature in self.features for f in feature.flows(deps))):
            if flow.name in flows:
                raise ValueError(f"flow {flow.name!r} is declared twice")
            flows[flow.name] = flow
        job_words = [f.job_word for f in self.features if f.job_word is not None]
        return Parts(
            flows=flows,
            menu=assemble_menu(item for feature in self.features for item in feature.menu),
            mine=tuple(section for feature in self.features for section in feature.mine),
            tasks=tuple(source for feature in self.features for source in feature.tasks),
            **({"job_word": job_words[0]} if job_words else {}),
        )

    def check(self, content: Content) -> None:
        """Every feature's content is valid (raises ``ContentError`` naming the file)."""
        for feature in self.features:
            for check in feature.content:
                check(content)

    def jobs(self) -> list[Job]:
        return [Housekeeping(), *(job for feature in self.features for job in feature.jobs)]

    def erasers(self) -> tuple[Eraser, ...]:
        return tuple(eraser for feature in self.features for eraser in feature.erase)

    def text_files(self) -> Iterable[str]:
        return (name for feature in self.features for name in feature.texts)


def assemble(features: Iterable[Feature]) -> Assembly:
    chosen = tuple(features)
    names = [feature.name for feature in chosen]
    if len(set(names)) != len(names):
        raise ValueError(f"a feature is enabled twice: {names}")
    return Assembly(chosen)
