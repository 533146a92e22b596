"""Storing checked openings: staged in batches, then switched in with a few set-based
statements, so readers see an import all at once and no transaction holds the write lock
for long. Also the openings' version that tells every process's index to rebuild."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.content.areas import AreaTree
from core.openings.models import Opening, OpeningChange, OpeningImport, OpeningStaged
from core.openings.rows import OpeningInput, RowError
from core.storage.models import SharedValue, UTCDateTime

VERSION_KEY = "openings.version"
MAX_ERRORS_LISTED = 1000  # every invalid row is counted; the first ones are listed
# The columns an import sets; created_at, import_batch and updated_at are the store's.
FIELDS = (
    "ref",
    "title",
    "employer",
    "area_name",
    "area_code",
    "salary_min",
    "salary_max",
    "headcount",
    "description",
    "contact",
    "posted_at",
    "expires_at",
    "tags",
    "fingerprint",
)


@dataclass
class ImportReport:
    batch: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS_LISTED
    invalid: int = 0  # all of them
    applied: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def refuse(self, error: RowError) -> None:
        self.invalid += 1
        if len(self.errors) < MAX_ERRORS_LISTED:
            self.errors.append(error)


def outside(areas: AreaTree, scope: str | None, area_code: str | None) -> bool:
    """Whether an opening in ``area_code`` lies outside an importer confined to ``scope``."""
    if scope is None:
        return False
    return area_code is None or not areas.contains(scope, area_code)


def stage(
    session: Session,
    imp: OpeningImport,
    batch: Sequence[tuple[int, OpeningInput]],
    areas: AreaTree,
    report: ImportReport,
) -> None:
    """Checks one batch against the database (ids repeated in earlier batches, openings of
    another area) and stages the rest; refused rows go to ``report``."""
    assert imp.id is not None
    refs = [item.ref for _, item in batch]
    earlier: dict[str, int] = {
        ref: row
        for ref, row in session.execute(
            sa.select(col(OpeningStaged.ref), col(OpeningStaged.row))
            .where(col(OpeningStaged.import_id) == imp.id)
            .where(col(OpeningStaged.ref).in_(refs))
        )
    }
    owner: dict[str, str | None] = {}
    if imp.scope is not None:
        owner = {
            ref: code
            for ref, code in session.execute(
                sa.select(col(Opening.ref), col(Opening.area_code)).where(
                    col(Opening.ref).in_(refs)
                )
            )
        }
    values = []
    for number, item in batch:
        if item.ref in earlier:
            report.refuse(RowError(number, f"id {item.ref!r} repeats row {earlier[item.ref]}"))
        elif outside(areas, imp.scope, item.area_code):
            report.refuse(RowError(number, f"area {item.area_name!r} is outside your area"))
        elif item.ref in owner and outside(areas, imp.scope, owner[item.ref]):
            report.refuse(
                RowError(number, f"opening {item.ref!r} belongs to an area outside yours")
            )
        else:
            values.append(_staged(imp.id, number, item))
    if values:
        session.execute(sa.insert(OpeningStaged), values)


def _staged(import_id: int, number: int, item: OpeningInput) -> dict[str, object]:
    return {
        "import_id": import_id,
        "row": number,
        "ref": item.ref,
        "title": item.title,
        "employer": item.employer,
        "area_name": item.area_name,
        "area_code": item.area_code,
        "salary_min": item.salary_min,
        "salary_max": item.salary_max,
        "headcount": item.headcount,
        "description": item.description,
        "contact": item.contact,
        "posted_at": item.posted_at,
        "expires_at": item.expires_at,
        "tags": list(item.tags),
        "fingerprint": item.fingerprint(),
    }


def strays(session: Session, imp: OpeningImport, areas: AreaTree) -> list[tuple[int, str]]:
    """Staged rows that would change an opening outside the importer's area: checked again
    at the switch because another import may have moved the opening since staging."""
    if imp.scope is None:
        return []
    staged = OpeningStaged.__table__  # type: ignore[attr-defined]
    opening = Opening.__table__  # type: ignore[attr-defined]
    found = session.execute(
        sa.select(staged.c.row, staged.c.ref, opening.c.area_code)
        .join(opening, opening.c.ref == staged.c.ref)
        .where(staged.c.import_id == imp.id)
        .where(opening.c.fingerprint != staged.c.fingerprint)
    ).all()
    return [(row, ref) for row, ref, code in found if outside(areas, imp.scope, code)]


def switch(session: Session, imp: OpeningImport, now: datetime) -> tuple[int, int]:
    """Applies every staged row of ``imp`` in the caller's (short) transaction: records what
    is added or changed, updates, inserts. Returns (added, changed)."""
    staged = OpeningStaged.__table__  # type: ignore[attr-defined]
    opening = Opening.__table__  # type: ignore[attr-defined]
    change = OpeningChange.__table__  # type: ignore[attr-defined]
    mine = staged.c.import_id == imp.id
    existing = opening.alias("existing")
    session.execute(
        sa.insert(change).from_select(
            ["import_id", "ref", "action"],
            sa.select(
                staged.c.import_id,
                staged.c.ref,
                sa.case((existing.c.id.is_(None), "added"), else_="changed"),
            )
            .select_from(staged.outerjoin(existing, existing.c.ref == staged.c.ref))
            .where(mine)
            .where(sa.or_(existing.c.id.is_(None), existing.c.fingerprint != staged.c.fingerprint)),
        )
    )
    when = sa.bindparam("now", now, type_=UTCDateTime())
    updates = {name: staged.c[name] for name in FIELDS if name != "ref"}
    session.execute(
        sa.update(opening)
        .where(opening.c.ref == staged.c.ref)
        .where(mine)
        .where(opening.c.fingerprint != staged.c.fingerprint)
        .values(**updates, updated_at=when)
    )
    session.execute(
        sa.insert(opening).from_select(
            [*FIELDS, "import_batch", "created_at", "updated_at"],
            sa.select(
                *(staged.c[name] for name in FIELDS),
                sa.literal(imp.batch, sa.String()),
                when,
                when,
            )
            .where(mine)
            .where(~sa.exists().where(opening.c.ref == staged.c.ref))
            .order_by(staged.c.row),
        )
    )
    counts: dict[str, int] = {
        action: n
        for action, n in session.execute(
            sa.select(change.c.action, sa.func.count())
            .where(change.c.import_id == imp.id)
            .group_by(change.c.action)
        )
    }
    added, changed = int(counts.get("added", 0)), int(counts.get("changed", 0))
    if added or changed:
        bump_version(session, now)
    return added, changed


def changes(session: Session, import_id: int, action: str, limit: int) -> list[str]:
    return list(
        session.exec(
            select(OpeningChange.ref)
            .where(OpeningChange.import_id == import_id)
            .where(OpeningChange.action == action)
            .order_by(col(OpeningChange.ref))
            .limit(limit)
        )
    )


def bump_version(session: Session, now: datetime) -> None:
    """Tells every process's search index that the openings changed."""
    marker = session.exec(
        select(SharedValue).where(SharedValue.key == VERSION_KEY).with_for_update()
    ).first()
    if marker is None:
        marker = SharedValue(key=VERSION_KEY, value="", version=0)
    marker.version += 1
    marker.updated_at = now
    session.add(marker)


def current_version(session: Session) -> int:
    marker = session.get(SharedValue, VERSION_KEY)
    return marker.version if marker else 0
