"""我的匹配: openings that fit a registered resident's desired jobs and desired area."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from core.content.areas import AreaTree
from core.matching.search import SearchIndex
from core.people.personal import open_text
from core.registration.models import Registration
from core.registration.people import linked_person_id

# Registrations that say what work someone wants (就业登记 records a job they have).
WANTING_KINDS = ("job_seeker", "unemployed")


@dataclass(frozen=True)
class Profile:
    wishes: tuple[str, ...]  # occupation names confirmed, or the words the resident used
    area_code: str  # "" = anywhere


def profile_of(session: Session, channel: str, external_id: str) -> Profile | None:
    """From the latest registration of the person linked to this identity (or, before review
    links them, of this identity), whatever its review state: wishes are not personal data."""
    person = linked_person_id(session, channel, external_id)
    mine = (Registration.channel == channel) & (Registration.external_id == external_id)
    whose = or_(mine, Registration.person_id == person) if person is not None else mine
    latest = session.exec(
        select(Registration)
        .where(whose)
        .where(col(Registration.kind).in_(WANTING_KINDS))
        .order_by(col(Registration.submitted_at).desc())
    ).first()
    if latest is None:
        return None
    wishes = tuple(
        w.get("name") or open_text(w.get("said"), None) for w in latest.details.get("jobs", [])
    )
    area = str(latest.details.get("desired_area") or "")
    return Profile(tuple(w for w in wishes if w), area)


def matching_refs(
    index: SearchIndex, profile: Profile, areas: AreaTree, now: datetime, limit: int = 50
) -> list[str]:
    """Best first: each opening scored by the best of the resident's wishes."""
    codes = (profile.area_code,) if profile.area_code else ()
    best: dict[str, float] = {}
    for wish in profile.wishes:
        result = index.search(wish, areas=areas, area_codes=codes, limit=limit, now=now)
        for hit in result.hits:
            best[hit.ref] = max(best.get(hit.ref, 0.0), hit.score)
    return sorted(best, key=lambda ref: -best[ref])[:limit]
