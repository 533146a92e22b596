"""Half-finished registrations, one per chat identity, with personal values encrypted.

Besides the answers, a draft keeps what the open question has on screen (``asking``:
the jobs confirmed so far, the candidates shown, the area level reached), so leaving
the form and coming back, or a restarted chat, loses nothing the resident confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.people.personal import Vault
from core.registration.answers import Answers, Personal
from core.registration.models import RegistrationDraft
from core.registration.rules import Kind

ASKING = "asking"  # key in ``details``, beside the answers (Answers ignores it)


@dataclass(frozen=True)
class Draft:
    id: int
    kind: Kind
    step: str
    answers: Answers
    registration_id: int | None
    privacy_version: str
    privacy_accepted_at: datetime
    asking: Mapping[str, Any] = field(default_factory=dict)  # the open question's sub-state


def find(session: Session, channel: str, external_id: str) -> RegistrationDraft | None:
    return session.exec(
        select(RegistrationDraft)
        .where(RegistrationDraft.channel == channel)
        .where(RegistrationDraft.external_id == external_id)
    ).first()


def _open(vault: Vault, token: str | None) -> str | None:
    return vault.decrypt(token) if token else None


def _seal(vault: Vault, value: str | None) -> str | None:
    return vault.encrypt(value) if value else None


def read(vault: Vault, row: RegistrationDraft) -> Draft:
    assert row.id is not None
    personal = Personal(
        name=_open(vault, row.name_enc),
        id_number=_open(vault, row.id_number_enc),
        phone=_open(vault, row.phone_enc),
    )
    return Draft(
        id=row.id,
        kind=Kind(row.kind),
        step=row.step,
        answers=Answers.from_details(row.details, personal, vault),
        registration_id=row.registration_id,
        privacy_version=row.privacy_version,
        privacy_accepted_at=row.privacy_accepted_at,
        asking=dict((row.details or {}).get(ASKING) or {}),
    )


def load(session: Session, vault: Vault, channel: str, external_id: str) -> Draft | None:
    row = find(session, channel, external_id)
    return None if row is None else read(vault, row)


def create(
    session: Session,
    *,
    channel: str,
    external_id: str,
    kind: Kind,
    step: str,
    privacy_version: str,
    now: datetime,
    answers: Answers | None = None,
    vault: Vault | None = None,
    registration_id: int | None = None,
    privacy_accepted_at: datetime | None = None,
) -> None:
    """Starts a draft, replacing any earlier one of this identity."""
    discard(session, channel, external_id)
    row = RegistrationDraft(
        channel=channel,
        external_id=external_id,
        kind=kind.value,
        step=step,
        registration_id=registration_id,
        privacy_version=privacy_version,
        privacy_accepted_at=privacy_accepted_at or now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    if answers is not None and vault is not None:
        save(session, vault, channel, external_id, answers, step, now)


def save(
    session: Session,
    vault: Vault,
    channel: str,
    external_id: str,
    answers: Answers,
    step: str,
    now: datetime,
) -> None:
    row = find(session, channel, external_id)
    if row is None:
        return
    row.details = answers.details(vault)  # a question answered: its sub-state is over
    row.name_enc = _seal(vault, answers.personal.name)
    row.id_number_enc = _seal(vault, answers.personal.id_number)
    row.phone_enc = _seal(vault, answers.personal.phone)
    row.step, row.updated_at = step, now
    session.add(row)


def keep_asking(
    session: Session,
    channel: str,
    external_id: str,
    step: str,
    asking: Mapping[str, Any],
    now: datetime,
) -> None:
    """The open question's sub-state, saved as the resident moves within the question."""
    row = find(session, channel, external_id)
    if row is None:
        return
    row.details = {**(row.details or {}), ASKING: dict(asking)}
    row.step, row.updated_at = step, now
    session.add(row)


def discard(session: Session, channel: str, external_id: str) -> None:
    session.execute(
        sa.delete(RegistrationDraft)
        .where(col(RegistrationDraft.channel) == channel)
        .where(col(RegistrationDraft.external_id) == external_id)
    )


def purge_older_than(session: Session, now: datetime, days: int) -> int:
    result = session.execute(
        sa.delete(RegistrationDraft).where(
            col(RegistrationDraft.updated_at) < now - timedelta(days=days)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
