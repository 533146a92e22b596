"""API tokens for the staff REST API: shown once, stored only as a hash, one per member."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from core.people import audit
from core.people.staff import StaffView, view
from core.storage.models import Staff


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, staff: Staff) -> str:
    """A new token for ``staff``; any earlier one stops working."""
    token = secrets.token_urlsafe(32)
    staff.api_token_hash = _hash(token)
    session.add(staff)
    audit.record(session, actor="cli", action="staff.api_token", subject=f"staff:{staff.id}")
    return token


def staff_for_token(session: Session, token: str) -> StaffView | None:
    """The active staff member holding ``token``, or None."""
    if not token or len(token) > 200:
        return None
    staff = session.exec(select(Staff).where(Staff.api_token_hash == _hash(token))).first()
    if staff is None or not staff.active:
        return None
    return view(staff)
