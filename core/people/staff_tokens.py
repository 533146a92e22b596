"""API tokens for the staff REST API: shown once, stored only as a hash, one per member,
valid until their expiry (or until revoked, or the member is deactivated)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.people import audit
from core.people.staff import StaffView, view
from core.storage.models import Staff
from core.timeutil import utcnow

DEFAULT_DAYS = 90


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session,
    staff: Staff,
    *,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
    actor: str = "cli",
) -> str:
    """A new token for ``staff``, valid ``days``; any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    expires = (now or utcnow()) + timedelta(days=days)
    staff.api_token_hash, staff.api_token_expires_at = _hash(token), expires
    session.add(staff)
    audit.record(
        session,
        actor=actor,
        action="staff.api_token",
        subject=f"staff:{staff.id}",
        detail=f"expires={expires.date().isoformat()}",
    )
    return token


def revoke_token(session: Session, staff: Staff, *, actor: str) -> bool:
    """Ends ``staff``'s token at once; False when there was none."""
    had = staff.api_token_hash is not None
    staff.api_token_hash, staff.api_token_expires_at = None, None
    session.add(staff)
    audit.record(session, actor=actor, action="staff.api_token_revoke", subject=f"staff:{staff.id}")
    return had


def staff_for_token(session: Session, token: str, now: datetime | None = None) -> StaffView | None:
    """The active staff member holding ``token`` while it is valid, or None."""
    if not token or len(token) > 200:
        return None
    staff = session.exec(select(Staff).where(Staff.api_token_hash == _hash(token))).first()
    if staff is None or not staff.active:
        return None
    expires = staff.api_token_expires_at
    if expires is None or expires <= (now or utcnow()):
        return None
    return view(staff)
