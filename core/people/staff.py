"""Staff accounts, their roles and areas, and one-time codes that link a chat identity."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from core.delivery import ratelimit
from core.dialog.identity import ChatIdentity
from core.people import audit
from core.people.personal import Vault
from core.storage.models import Conversation, Staff, StaffLinkCode

# No 0/O, 1/I/L: a code read aloud or typed on a phone keyboard survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# Wrong 绑定 codes one chat identity may send per hour before it has to wait.
LINK_TRIES = 5
LINK_WINDOW_SECONDS = 3600.0


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


@dataclass(frozen=True)
class LinkRefused:
    """A 绑定 that did not link: ``wait_minutes`` > 0 when the identity guessed too often."""

    wait_minutes: int = 0


def try_link(
    session: Session, *, code: str, conversation: ChatIdentity, now: datetime
) -> Staff | LinkRefused:
    """``redeem_link_code`` behind a limit on wrong codes per chat identity
    (``LINK_TRIES`` an hour): past it the code is not even looked at until the identity
    has waited. Every wrong code and every refused try is audited (never the code)."""
    key = f"staff.link:{conversation.channel}:{conversation.external_id}"
    rate, clock = LINK_TRIES / LINK_WINDOW_SECONDS, lambda: now.timestamp()
    subject = f"conversation:{conversation.id}"
    wait = ratelimit.waiting(session, key, rate=rate, burst=LINK_TRIES, now=clock)
    if wait > 0:
        audit.record(
            session,
            actor=subject,
            action="staff.link_blocked",
            subject=subject,
            channel=conversation.channel,
        )
        return LinkRefused(wait_minutes=max(1, math.ceil(wait / 60)))
    linked = redeem_link_code(session, code=code, conversation=conversation, now=now)
    if linked is not None:
        return linked
    ratelimit.take(session, key, rate=rate, burst=LINK_TRIES, now=clock)
    audit.record(
        session,
        actor=subject,
        action="staff.link_failed",
        subject=subject,
        channel=conversation.channel,
    )
    return LinkRefused()


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


def unlink(
    session: Session,
    staff: Staff,
    *,
    actor: str,
    channel: str | None = None,
    external_id: str | None = None,
) -> int:
    """Unlinks ``staff``'s chat identities (all, or the one given): from their next message
    on they are residents again. Returns how many were unlinked."""
    stmt = sa.update(Conversation).where(col(Conversation.staff_id) == staff.id)
    if channel is not None:
        stmt = stmt.where(col(Conversation.channel) == channel)
    if external_id is not None:
        stmt = stmt.where(col(Conversation.external_id) == external_id)
    result: sa.CursorResult[Any] = session.execute(stmt.values(staff_id=None))  # type: ignore[assignment]
    count = int(result.rowcount or 0)
    audit.record(
        session,
        actor=actor,
        action="staff.unlink",
        subject=f"staff:{staff.id}",
        detail=f"identities={count}" + (f" channel={channel}" if channel else ""),
        channel=channel,
    )
    return count


def deactivate(session: Session, staff: Staff, *, actor: str, now: datetime) -> None:
    """Ends an account at once: no API token, no linked chat, no pending link code. The
    row stays (the audit trail and review history name it)."""
    staff.active = False
    staff.api_token_hash, staff.api_token_expires_at = None, None
    session.add(staff)
    session.execute(
        sa.update(StaffLinkCode)
        .where(col(StaffLinkCode.staff_id) == staff.id)
        .where(col(StaffLinkCode.used_at).is_(None))
        .values(expires_at=now)
    )
    unlink(session, staff, actor=actor)
    audit.record(session, actor=actor, action="staff.deactivate", subject=f"staff:{staff.id}")
