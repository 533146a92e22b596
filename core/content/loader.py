"""Loads and validates the whole content directory at start-up."""

from __future__ import annotations

from dataclasses import dataclass
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
    """Raises ``ContentError`` naming the file, line and key of the first problem."""
    return Content(
        directory=directory,
        catalog=Catalog.load(directory / "messages"),
        areas=AreaTree.load(directory / "areas.yaml"),
        worktime=WorkTime.load(directory / "worktime.yaml"),
        notices=load_notices(directory / "notices.yaml"),
        services=load_services(directory / "services.yaml"),
    )
