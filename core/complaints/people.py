"""Whom a resident's ticket may concern: their area, staff who handled their matters, names.

Staff names are stored encrypted, so a typed name is compared with the decrypted names of
the (few) active staff serving the area; a resident sees only masked names.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.content.areas import AreaTree
from core.people.personal import Vault, mask_name
from core.registration.models import Person, Registration, RegistrationEvent
from core.registration.people import linked_person_id
from core.registration.routing import inside
from core.storage.models import Conversation, Staff


@dataclass(frozen=True)
class KnownStaff:
    id: int
    masked: str
    role: str
    area_code: str
    kind: str  # what they handled for the resident: a registration kind


def home_area(session: Session, channel: str, external_id: str) -> str | None:
    """The resident's area: from their registration record, else from a community QR code."""
    person_id = linked_person_id(session, channel, external_id)
    person = session.get(Person, person_id) if person_id else None
    if person is not None:
        return person.area_code
    conv = session.exec(
        select(Conversation)
        .where(Conversation.channel == channel)
        .where(Conversation.external_id == external_id)
    ).first()
    return conv.area_code if conv is not None else None


def recent_staff(
    session: Session, vault: Vault, channel: str, external_id: str, since: datetime, limit: int = 3
) -> list[KnownStaff]:
    """Staff who reviewed this resident's registrations lately, the latest first (one query)."""
    person_id = linked_person_id(session, channel, external_id)
    mine = sa.and_(
        col(Registration.channel) == channel, col(Registration.external_id) == external_id
    )
    who = sa.or_(mine, col(Registration.person_id) == person_id) if person_id else mine
    rows = session.exec(
        select(RegistrationEvent.actor, Registration.kind, Staff)
        .join(Registration, col(Registration.id) == RegistrationEvent.registration_id)
        .join(Staff, sa.literal("staff:") + sa.cast(Staff.id, sa.String) == RegistrationEvent.actor)
        .where(who)
        .where(col(RegistrationEvent.at) >= since)
        .where(col(Staff.active).is_(True))
        .order_by(col(RegistrationEvent.at).desc())
    ).all()
    found: dict[int, KnownStaff] = {}
    for _actor, kind, member in rows:
        if member.id is not None and member.id not in found and len(found) < limit:
            found[member.id] = _known(vault, member, kind)
    return list(found.values())


def _known(vault: Vault, member: Staff, kind: str) -> KnownStaff:
    assert member.id is not None
    name = mask_name(vault.decrypt(member.name_enc))
    return KnownStaff(member.id, name, member.role, member.area_code, kind)


def _folded(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


def staff_named(
    session: Session, vault: Vault, areas: AreaTree, area_code: str, typed: str
) -> list[KnownStaff]:
    """Active staff serving ``area_code`` (its street and communities, or above it) whose
    name is the one typed."""
    street = next((a.code for a in areas.ancestors(area_code) if a.level == "street"), area_code)
    wanted = _folded(typed)
    members = session.exec(select(Staff).where(col(Staff.active).is_(True))).all()
    return [
        _known(vault, m, "")
        for m in members
        if (inside(areas, street, m.area_code) or inside(areas, m.area_code, area_code))
        and _folded(vault.decrypt(m.name_enc)) == wanted
    ]


def recent_since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
