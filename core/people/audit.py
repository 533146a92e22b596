"""The audit trail: who saw or changed what, appended in the same transaction."""

from __future__ import annotations

from sqlmodel import Session

from core.people.personal import redact
from core.storage.models import AuditEntry

MAX_DETAIL = 1000


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: str = "",
    channel: str | None = None,
) -> None:
    """``subject`` is a keyed hash or an internal id, never a raw personal value."""
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            subject=subject,
            detail=redact(detail)[:MAX_DETAIL],
            channel=channel,
        )
    )
