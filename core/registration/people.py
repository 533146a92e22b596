"""One person, one record: found by the keyed hash of the ID number, linked to chat identities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.people.personal import Vault
from core.registration.answers import Personal
from core.registration.drafts import discard
from core.registration.models import Person, PersonIdentity, PersonRevision, Registration


@dataclass(frozen=True)
class Claim:
    """Whose ID number a submission names, and whether this identity may write to that person."""

    person: Person | None
    conflict: bool


def find_person(session: Session, id_hash: str) -> Person | None:
    return session.exec(select(Person).where(Person.id_hash == id_hash).with_for_update()).first()


def linked_person_id(session: Session, channel: str, external_id: str) -> int | None:
    link = session.exec(
        select(PersonIdentity)
        .where(PersonIdentity.channel == channel)
        .where(PersonIdentity.external_id == external_id)
    ).first()
    return None if link is None else link.person_id


def claim(session: Session, id_hash: str, channel: str, external_id: str) -> Claim:
    """A conflict when the ID is linked to other identities only, or this identity to another
    person: the record is never overwritten then, staff resolve it."""
    person = find_person(session, id_hash)
    mine = linked_person_id(session, channel, external_id)
    if mine is not None and (person is None or person.id != mine):
        return Claim(person, conflict=True)
    if person is None or mine == person.id:
        return Claim(person, conflict=False)
    others = session.exec(
        select(PersonIdentity.id).where(PersonIdentity.person_id == person.id)
    ).first()
    return Claim(person, conflict=others is not None)


def link(session: Session, person_id: int, channel: str, external_id: str, now: datetime) -> None:
    if linked_person_id(session, channel, external_id) is None:
        session.add(
            PersonIdentity(
                person_id=person_id, channel=channel, external_id=external_id, created_at=now
            )
        )


def write_person(
    session: Session,
    vault: Vault,
    *,
    id_hash: str,
    personal: Personal,
    area_code: str,
    registration: Registration,
    now: datetime,
) -> Person:
    """Creates the person or updates them, keeping the earlier values in a revision."""
    person = find_person(session, id_hash)
    if person is None:
        person = Person(
            id_hash=id_hash,
            id_number_enc=vault.encrypt(personal.id_number or ""),
            name_enc=vault.encrypt(personal.name or ""),
            phone_enc=vault.encrypt(personal.phone or ""),
            area_code=area_code,
            created_at=now,
            updated_at=now,
        )
        session.add(person)
        session.flush()
        return person
    _update(session, vault, person, personal, area_code, registration, now)
    return person


def _update(
    session: Session,
    vault: Vault,
    person: Person,
    personal: Personal,
    area_code: str,
    registration: Registration,
    now: datetime,
) -> None:
    previous: dict[str, str] = {}
    if vault.decrypt(person.name_enc) != personal.name:
        previous["name_enc"], person.name_enc = person.name_enc, vault.encrypt(personal.name or "")
    if vault.decrypt(person.phone_enc) != personal.phone:
        previous["phone_enc"] = person.phone_enc
        person.phone_enc = vault.encrypt(personal.phone or "")
    if person.area_code != area_code:
        previous["area_code"], person.area_code = person.area_code, area_code
    if not previous:
        return
    assert person.id is not None
    person.updated_at = now
    session.add(person)
    session.add(
        PersonRevision(
            person_id=person.id,
            registration_id=registration.id,
            changed=sorted(previous),
            previous=previous,
            at=now,
        )
    )


def forget_identity(session: Session, channel: str, external_id: str) -> None:
    """A chat identity left: its links, drafts and its name on registrations go; the
    government records (people, registrations, their history) stay."""
    session.execute(
        sa.delete(PersonIdentity)
        .where(col(PersonIdentity.channel) == channel)
        .where(col(PersonIdentity.external_id) == external_id)
    )
    discard(session, channel, external_id)
    session.execute(
        sa.update(Registration)
        .where(col(Registration.channel) == channel)
        .where(col(Registration.external_id) == external_id)
        .values(channel=None, external_id=None)
    )
