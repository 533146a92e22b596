"""Loads and validates the whole content directory at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.content.areas import AreaTree
from core.content.catalog import Catalog
from core.content.notices import Notice, load_notices
from core.content.services import Service, load_services
from core.content.worktime import WorkTime


@dataclass(frozen=True)
class Content:
    directory: Path
    catalog: Catalog
    areas: AreaTree
    worktime: WorkTime
    notices: tuple[Notice, ...]
    services: tuple[Service, ...]


def load_content(directory: Path) -> Content:
    """Raises ``ContentError`` naming the file, line and key of the first problem.

    Parsed once per directory and file state: every runtime in a process (tests build
    many) shares the result until a file changes."""
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _load(directory, stamp)


@lru_cache(maxsize=8)
def _load(directory: Path, stamp: tuple[tuple[str, int, int], ...]) -> Content:
    return Content(
        directory=directory,
        catalog=Catalog.load(directory / "messages"),
        areas=AreaTree.load(directory / "areas.yaml"),
        worktime=WorkTime.load(directory / "worktime.yaml"),
        notices=load_notices(directory / "notices.yaml"),
        services=load_services(directory / "services.yaml"),
    )
