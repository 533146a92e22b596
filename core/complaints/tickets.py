"""Filing a ticket: the daily limit, its number, its level and the first-answer clock."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from core.complaints import clocks, notify, routing
from core.complaints.models import ComplaintEvent, ComplaintTicket
from core.complaints.rules import ComplaintRules, rules_for
from core.people import audit
from core.people.personal import Vault
from core.registration.workflow import Env
from core.storage.models import Staff
from core.timeutil import local

COMPLAINT, SUGGESTION = "complaint", "suggestion"
KINDS = (COMPLAINT, SUGGESTION)
CHAT, PHONE, ANONYMOUS = "chat", "phone", "anonymous"


class TextProblem(ValueError):
    """What the resident wrote cannot be filed; ``problem`` names why."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


class LimitReached(Exception):
    """The person filed ``daily_limit`` tickets today already."""


@dataclass(frozen=True)
class Draft:
    kind: str
    category: str
    area_code: str
    text: str
    contact: str
    channel: str
    external_id: str
    lang: str = "zh-CN"
    service: str | None = None
    staff_id: int | None = None
    staff_named: str | None = None
    phone: str | None = None
    photos: tuple[str, ...] = field(default_factory=tuple)


def clean_text(raw: str, rules: ComplaintRules) -> str:
    """Whitespace folded; refused when empty, too long, or with no letter or digit at all
    (only emoji or punctuation)."""
    value = " ".join(unicodedata.normalize("NFC", raw).split())
    if not value:
        raise TextProblem("text_empty")
    if len(value) > rules.max_text:
        raise TextProblem("text_long")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in value):
        raise TextProblem("text_meaningless")
    return value


def filer_hash(vault: Vault, channel: str, external_id: str) -> str:
    return vault.lookup_hash(f"complaint-filer:{channel}:{external_id}")


def _day_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def filed_today(session: Session, who: str, now: datetime) -> int:
    start, end = _day_bounds(now)
    found = session.exec(
        select(func.count())
        .select_from(ComplaintTicket)
        .where(ComplaintTicket.filer_hash == who)
        .where(col(ComplaintTicket.received_at) >= start)
        .where(col(ComplaintTicket.received_at) < end)
    ).one()
    return int(found)


def may_file(env: Env, channel: str, external_id: str) -> bool:
    rules = rules_for(env.content)
    who = filer_hash(env.vault, channel, external_id)
    return filed_today(env.session, who, env.now) < rules.daily_limit


def next_number(session: Session, now: datetime) -> str:
    """TS-<local date>-<sequence of the day>."""
    prefix = f"TS-{local(now):%Y%m%d}-"
    last = session.exec(
        select(sa.func.max(ComplaintTicket.number)).where(
            col(ComplaintTicket.number).startswith(prefix)
        )
    ).one()
    seq = int(str(last).rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def submit(env: Env, draft: Draft) -> ComplaintTicket:
    """Writes the ticket, its event and audit row, and gives it to its handlers."""
    rules = rules_for(env.content)
    who = filer_hash(env.vault, draft.channel, draft.external_id)
    if filed_today(env.session, who, env.now) >= rules.daily_limit:
        raise LimitReached
    concerned = env.session.get(Staff, draft.staff_id) if draft.staff_id else None
    anonymous = draft.contact == ANONYMOUS
    first_due = clocks.first_answer_due(env.content.worktime, rules, env.now)
    ticket = ComplaintTicket(
        number=next_number(env.session, env.now),
        kind=draft.kind,
        category=draft.category,
        status=routing.RECEIVED,
        area_code=draft.area_code,
        level=routing.level_for(env.session, env.content.areas, draft.area_code, concerned),
        service=draft.service,
        staff_id=concerned.id if concerned else None,
        staff_named_enc=env.vault.encrypt(draft.staff_named) if draft.staff_named else None,
        text_enc=env.vault.encrypt(draft.text),
        photos=list(draft.photos),
        contact=draft.contact,
        phone_enc=env.vault.encrypt(draft.phone) if draft.phone else None,
        channel=None if anonymous else draft.channel,
        external_id=None if anonymous else draft.external_id,
        filer_hash=who,
        lang=draft.lang,
        received_at=env.now,
        first_answer_due_at=first_due,
        answer_due_at=first_due,
        updated_at=env.now,
    )
    env.session.add(ticket)
    env.session.flush()
    record(env, ticket, actor="resident", action="submit", channel=draft.channel)
    notify.staff(env, ticket, routing.handlers(env.session, env.content.areas, ticket), "new")
    return ticket


def record(
    env: Env,
    ticket: ComplaintTicket,
    *,
    actor: str,
    action: str,
    note: str | None = None,
    channel: str | None = None,
    **detail: object,
) -> None:
    """The ticket's history row and the audit row of one step."""
    assert ticket.id is not None
    env.session.add(
        ComplaintEvent(
            ticket_id=ticket.id,
            at=env.now,
            actor=actor,
            action=action,
            note_enc=env.vault.encrypt(note) if note else None,
            detail={k: str(v) for k, v in detail.items()},
        )
    )
    audit.record(
        env.session,
        actor=actor,
        action=f"complaint.{action}",
        subject=f"complaint:{ticket.id}",
        detail=f"status={ticket.status} level={ticket.level}",
        channel=channel,
    )


def own_tickets(
    session: Session, channel: str, external_id: str, limit: int = 10
) -> list[ComplaintTicket]:
    return list(
        session.exec(
            select(ComplaintTicket)
            .where(ComplaintTicket.channel == channel)
            .where(ComplaintTicket.external_id == external_id)
            .order_by(col(ComplaintTicket.id).desc())
            .limit(limit)
        ).all()
    )


def find_own(
    session: Session, number: str, channel: str, external_id: str
) -> ComplaintTicket | None:
    """The ticket with ``number`` if this chat identity filed it (else None: someone else's
    ticket and an unknown number get the same answer)."""
    return session.exec(
        select(ComplaintTicket)
        .where(ComplaintTicket.number == number.upper())
        .where(ComplaintTicket.channel == channel)
        .where(ComplaintTicket.external_id == external_id)
    ).first()


def forget_identity(session: Session, channel: str, external_id: str) -> None:
    """A chat identity left: its name on tickets goes (no more notices to it, nothing in a
    later 我的); the tickets, their history and findings stay as records."""
    session.execute(
        sa.update(ComplaintTicket)
        .where(col(ComplaintTicket.channel) == channel)
        .where(col(ComplaintTicket.external_id) == external_id)
        .values(channel=None, external_id=None)
    )
