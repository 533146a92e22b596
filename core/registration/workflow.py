"""Submitting a registration: one person, one record; conflicts go to staff, never overwrite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from core.content.loader import Content
from core.dialog.messages import Outgoing, t
from core.people import audit
from core.people.personal import Vault
from core.registration import notify, people, routing
from core.registration.answers import Answers
from core.registration.models import Registration, RegistrationEvent
from core.registration.rules import Kind, RegistrationRules, rules_for
from core.registration.states import WAITING_FOR_STAFF, Action, Status


@dataclass(frozen=True)
class Env:
    """What a workflow step needs: the one transaction, content, the vault and the time."""

    session: Session
    content: Content
    vault: Vault
    now: datetime

    @property
    def rules(self) -> RegistrationRules:
        return rules_for(self.content)


@dataclass(frozen=True)
class Submission:
    kind: Kind
    answers: Answers
    channel: str
    external_id: str
    privacy_version: str
    privacy_accepted_at: datetime
    pledge_version: str | None = None
    registration_id: int | None = None  # a returned registration being resubmitted


class AlreadyOpen(Exception):
    """The person has a registration of this kind under review already."""


def open_of_kind(session: Session, id_hash: str, kind: Kind) -> Registration | None:
    return session.exec(
        select(Registration)
        .where(Registration.id_hash == id_hash)
        .where(Registration.kind == kind.value)
        .where(Registration.status.in_(WAITING_FOR_STAFF))  # type: ignore[attr-defined]
    ).first()


def submit(env: Env, sub: Submission) -> Registration:
    """Writes the registration, the person (unless in conflict), the event, audit and pushes."""
    personal = sub.answers.personal
    assert personal.id_number and personal.name and personal.phone and sub.answers.area
    id_hash = env.vault.lookup_hash(personal.id_number)
    claim = people.claim(env.session, id_hash, sub.channel, sub.external_id)
    if not claim.conflict and open_of_kind(env.session, id_hash, sub.kind) is not None:
        raise AlreadyOpen
    reg = _target(env, sub, id_hash, conflict=claim.conflict)
    env.session.add(reg)
    env.session.flush()
    if claim.conflict:
        reg.person_id = claim.person.id if claim.person else None
    else:
        attach_person(env, reg, sub.answers)
    action = Action.RESUBMIT if sub.registration_id else Action.SUBMIT
    record(env, reg, actor="resident", action=action, before=None, channel=sub.channel)
    # The resident reads the outcome in the reply; only staff get a push.
    enter_step(env, reg, key=f"{action.value}:{env.now.timestamp():.0f}", tell_resident=False)
    return reg


def _target(env: Env, sub: Submission, id_hash: str, *, conflict: bool) -> Registration:
    """The returned registration being resubmitted, or a new one; filled from ``sub``."""
    values = _values(env, sub, id_hash, conflict=conflict)
    if sub.registration_id is not None:
        found = env.session.get(Registration, sub.registration_id, with_for_update=True)
        if found is not None and found.status == Status.RETURNED:
            for name, value in values.items():
                setattr(found, name, value)
            return found
    return Registration(**values)


def _values(env: Env, sub: Submission, id_hash: str, *, conflict: bool) -> dict[str, Any]:
    personal, vault = sub.answers.personal, env.vault
    return {
        "kind": sub.kind.value,
        "status": Status.SUBMITTED.value,
        "conflict": conflict,
        "review_levels": env.rules.kind(sub.kind).review_levels,
        "channel": sub.channel,
        "external_id": sub.external_id,
        "area_code": sub.answers.area or "",
        "id_hash": id_hash,
        "id_number_enc": vault.encrypt(personal.id_number or ""),
        "name_enc": vault.encrypt(personal.name or ""),
        "phone_enc": vault.encrypt(personal.phone or ""),
        "details": sub.answers.details(vault),
        "privacy_version": sub.privacy_version,
        "privacy_accepted_at": sub.privacy_accepted_at,
        "pledge_version": sub.pledge_version,
        "pledge_signed_at": env.now if sub.pledge_version else None,
        "returned_items": [],
        "note": "",
        "submitted_at": env.now,
        "updated_at": env.now,
    }


def attach_person(env: Env, reg: Registration, answers: Answers) -> None:
    """Creates or updates the person (history kept) and links the submitting identity."""
    person = people.write_person(
        env.session,
        env.vault,
        id_hash=reg.id_hash,
        personal=answers.personal,
        area_code=reg.area_code,
        registration=reg,
        now=env.now,
    )
    assert person.id is not None
    reg.person_id = person.id
    if reg.channel and reg.external_id:
        people.link(env.session, person.id, reg.channel, reg.external_id, env.now)


def record(
    env: Env,
    reg: Registration,
    *,
    actor: str,
    action: Action,
    before: Status | None,
    note: str = "",
    items: list[str] | None = None,
    channel: str | None = None,
) -> None:
    """The review history row and the audit row of one state change."""
    assert reg.id is not None
    env.session.add(
        RegistrationEvent(
            registration_id=reg.id,
            at=env.now,
            actor=actor,
            action=action.value,
            from_status=before.value if before else None,
            to_status=reg.status,
            note=note[:500],
            items=items or [],
        )
    )
    audit.record(
        env.session,
        actor=actor,
        action=f"registration.{action.value}",
        subject=f"registration:{reg.id}",
        detail=f"{before.value if before else '-'}->{reg.status} conflict={reg.conflict}",
        channel=channel,
    )


def enter_step(env: Env, reg: Registration, *, key: str, tell_resident: bool = True) -> None:
    """Sets the step's deadlines, tells the resident and gives the task to its holders."""
    areas = env.content.areas
    reg.step_started_at, reg.updated_at = env.now, env.now
    if reg.status in WAITING_FOR_STAFF:
        limits = routing.deadlines(env.content.worktime, env.rules, reg, env.now)
        reg.remind_at, reg.due_at = limits.remind_at, limits.due_at
    else:
        reg.remind_at = reg.due_at = None
    env.session.add(reg)
    if tell_resident:
        notify.resident(env.session, reg, key, resident_notice(env, reg))
    if reg.status in WAITING_FOR_STAFF:
        holders = routing.responsible(env.session, areas, reg)
        text_id = "staff_tasks.push.conflict" if reg.conflict else "staff_tasks.push.new"
        notify.staff_task(
            env.session,
            env.vault,
            areas,
            env.content.worktime,
            reg,
            holders,
            key=key,
            text_id=text_id,
        )


def resident_notice(env: Env, reg: Registration) -> Outgoing:
    status = Status(reg.status)
    if status == Status.SUBMITTED and reg.conflict:
        return Outgoing(t("registration.notice.conflict", ref=reg.id, kind=notify.kind_text(reg)))
    note = notify.note_text(reg.note)
    text_id = f"registration.notice.{status.value}"
    if status == Status.RETURNED and not note:
        text_id = "registration.notice.returned_bare"  # staff added no explanation
    return Outgoing(
        t(
            text_id,
            ref=reg.id,
            kind=notify.kind_text(reg),
            due=notify.due_text(env.content.worktime, reg.due_at),
            items=notify.joined(notify.item_texts(reg.returned_items)),
            note=note or "-",
        )
    )
