"""Staff accounts, their roles and areas, and one-time codes that link a chat identity."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, select

from core.dialog.identity import ChatIdentity
from core.people import audit
from core.people.personal import Vault
from core.storage.models import Staff, StaffLinkCode

# No 0/O, 1/I/L: a code read aloud or typed on a phone keyboard survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class Role(StrEnum):
    COMMUNITY = "community"
    STREET = "street"
    ADMIN = "admin"


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    role: Role
    area_code: str


def view(staff: Staff) -> StaffView:
    assert staff.id is not None
    return StaffView(staff.id, staff.username, Role(staff.role), staff.area_code)


class StaffError(ValueError):
    """A staff operation that cannot be done; the message says why."""


def add_staff(
    session: Session, *, vault: Vault, username: str, name: str, role: Role, area_code: str
) -> Staff:
    if session.exec(select(Staff).where(Staff.username == username)).first():
        raise StaffError(f"username {username!r} is taken")
    staff = Staff(
        username=username, name_enc=vault.encrypt(name), role=role.value, area_code=area_code
    )
    session.add(staff)
    session.flush()
    audit.record(
        session,
        actor="cli",
        action="staff.add",
        subject=f"staff:{staff.id}",
        detail=f"role={role.value} area={area_code}",
    )
    return staff


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def issue_link_code(session: Session, *, staff: Staff, now: datetime, minutes: int) -> str:
    """A fresh single-use code; only its hash is stored."""
    assert staff.id is not None
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        StaffLinkCode(
            staff_id=staff.id,
            code_hash=_code_hash(code),
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    audit.record(session, actor="cli", action="staff.link_code", subject=f"staff:{staff.id}")
    return code


def redeem_link_code(
    session: Session, *, code: str, conversation: ChatIdentity, now: datetime
) -> Staff | None:
    """Links the conversation to the staff member if the code is valid, unused and unexpired."""
    row = session.exec(
        select(StaffLinkCode).where(StaffLinkCode.code_hash == _code_hash(code)).with_for_update()
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    row.used_at = now
    conversation.staff_id = staff.id
    session.add(row)
    audit.record(
        session,
        actor=f"staff:{staff.id}",
        action="staff.link",
        subject=f"staff:{staff.id}",
        channel=conversation.channel,
    )
    return staff


def find_by_username(session: Session, username: str) -> Staff | None:
    return session.exec(select(Staff).where(Staff.username == username)).first()
