"""Demo data for the embedded default (`make run`): refused in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from core.content.loader import Content
from core.openings.importing import Importer, import_openings
from core.openings.rows import read_rows
from core.people.personal import Vault
from core.people.staff import Role, add_staff, find_by_username
from core.storage.db import Database
from core.storage.models import SharedValue

DEMO_VERSION = 1


@dataclass(frozen=True)
class DemoStaff:
    username: str
    name: str
    role: Role
    area_code: str


# 历下区 解放路街道 and its 解放桥社区 (codes from content/areas.yaml).
DEMO_STAFF = (
    DemoStaff("demo-community", "演示社区经办", Role.COMMUNITY, "370102001002"),
    DemoStaff("demo-street", "演示街道审核", Role.STREET, "370102001000"),
    DemoStaff("demo-admin", "演示管理员", Role.ADMIN, "370102000000"),
)


def load_demo_openings(db: Database, content: Content, now: datetime) -> str | None:
    """Imports content/demo/openings.csv; a second run changes nothing."""
    path = content.directory / "demo" / "openings.csv"
    if not path.exists():
        return None
    report = import_openings(db, content, read_rows(path), now=now, by=Importer("demo", "cli"))
    if report.created or report.updated:
        return f"{report.created} openings added, {report.updated} updated"
    return None


def load_demo(session: Session, vault: Vault) -> list[str]:
    """Creates what is missing; returns what it created (nothing on a second run)."""
    created = []
    for demo in DEMO_STAFF:
        if find_by_username(session, demo.username) is None:
            add_staff(
                session,
                vault=vault,
                username=demo.username,
                name=demo.name,
                role=demo.role,
                area_code=demo.area_code,
            )
            created.append(f"staff {demo.username}")
    marker = session.get(SharedValue, "demo.version")
    if marker is None:
        session.add(SharedValue(key="demo.version", value=str(DEMO_VERSION), version=DEMO_VERSION))
    return created
