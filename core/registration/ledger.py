"""The registration ledger (台账) of an area, as CSV or XLSX; masked unless asked and audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from sqlmodel import col, select

from core.dialog.messages import Text, t
from core.exports import sheets
from core.exports.sheets import Column, Kind, Value
from core.people import audit
from core.registration import routing
from core.registration.answers import Answers, Field
from core.registration.corrections import stored_answers
from core.registration.display import masked, value_text
from core.registration.idcard import Sex
from core.registration.models import Registration, RegistrationEvent
from core.registration.rules import Kind as RegistrationKind
from core.registration.states import Action, Status
from core.registration.workflow import Env
from core.storage.models import Staff
from core.timeutil import local

_ANSWER_COLUMNS = (
    Field.EDUCATION,
    Field.STATUS,
    Field.SKILLS,
    Field.JOBS,
    Field.DESIRED_AREA,
    Field.SALARY,
    Field.TRAINING,
    Field.UNEMPLOYED_SINCE,
    Field.REASON,
    Field.UI_CLAIM,
)
_EMPLOYMENT_COLUMNS = (Field.EMPLOYER, Field.FORM, Field.START_DATE, Field.CONTRACT_END, Field.JOB)
_DATES = frozenset({Field.UNEMPLOYED_SINCE, Field.START_DATE, Field.CONTRACT_END})
_DECISIONS = frozenset({Status.REGISTERED.value, Status.REJECTED.value})
COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("ref", Kind.TEXT),
    ("kind", Kind.TEXT),
    ("state", Kind.TEXT),
    ("name", Kind.TEXT),
    ("id_number", Kind.TEXT),
    ("sex", Kind.TEXT),
    ("birth", Kind.DATE),  # the full date only when unmasked; year and month otherwise
    ("phone", Kind.TEXT),
    ("area_code", Kind.TEXT),
    ("area", Kind.TEXT),
    *((f.value, Kind.DATE if f in _DATES else Kind.TEXT) for f in _ANSWER_COLUMNS),
    ("pledge_signed_at", Kind.DATETIME),
    *((f.value, Kind.DATE if f in _DATES else Kind.TEXT) for f in _EMPLOYMENT_COLUMNS),
    ("submitted_at", Kind.DATETIME),
    ("accepted_at", Kind.DATETIME),
    ("accepted_by", Kind.TEXT),
    ("returned_by", Kind.TEXT),
    ("decided_at", Kind.DATETIME),
    ("decided_by", Kind.TEXT),
    ("note", Kind.TEXT),
)


@dataclass(frozen=True)
class Ledger:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Value, ...], ...]


def build(env: Env, area_code: str, *, unmasked: bool, lang: str, actor: str) -> Ledger:
    """Every registration inside ``area_code``, oldest first; the export is audited."""
    prefix = routing.area_prefix(env.content.areas, area_code)
    regs = env.session.exec(
        select(Registration)
        .where(col(Registration.area_code).startswith(prefix))
        .order_by(col(Registration.id))
    ).all()
    render = lambda item: env.content.catalog.text(item, lang)  # noqa: E731
    handlers = _handlers(env, prefix) if regs else {}
    rows = tuple(_row(env, reg, unmasked, render, handlers.get(reg.id or 0, {})) for reg in regs)
    audit.record(
        env.session,
        actor=actor,
        action="ledger.export_unmasked" if unmasked else "ledger.export",
        subject=f"area:{area_code}",
        detail=f"registrations={len(rows)}",
    )
    columns = tuple(
        Column(render(t(f"registration.ledger.{name}")), kind) for name, kind in COLUMNS
    )
    return Ledger(columns, rows)


def _handlers(env: Env, prefix: str) -> dict[int, dict[str, str]]:
    """Who accepted, last returned and decided each registration of the area (staff
    usernames), from the review history."""
    names = {f"staff:{s.id}": s.username for s in env.session.exec(select(Staff))}
    inside = select(Registration.id).where(col(Registration.area_code).startswith(prefix))
    events = env.session.exec(
        select(RegistrationEvent)
        .where(col(RegistrationEvent.registration_id).in_(inside))
        .order_by(col(RegistrationEvent.id))
    )
    found: dict[int, dict[str, str]] = {}
    for event in events:
        who = names.get(event.actor, event.actor)
        step = found.setdefault(event.registration_id, {})
        if event.action == Action.ACCEPT.value:
            step["accepted_by"] = who
        if event.action == Action.RETURN.value:
            step["returned_by"] = who
        if event.to_status in _DECISIONS:
            step["decided_by"] = who
    return found


def _row(
    env: Env,
    reg: Registration,
    unmasked: bool,
    render: Callable[[Text], str],
    handled: dict[str, str],
) -> tuple[Value, ...]:
    answers = stored_answers(env, reg)
    number = answers.personal.id_number or ""
    if reg.kind == RegistrationKind.UNEMPLOYED and answers.status is None:
        answers = replace(answers, status="unemployed", done=answers.done | {Field.STATUS.value})
    shown = (
        answers if unmasked else replace(answers.masked_text(), personal=masked(answers.personal))
    )
    sex = Sex.MALE if len(number) == 18 and int(number[16]) % 2 else Sex.FEMALE
    area = env.content.areas
    return (
        str(reg.id),
        render(t(f"registration.kind.{reg.kind}")),
        render(t(f"registration.state.{reg.status}")),
        shown.personal.name or "",
        shown.personal.id_number or "",
        render(t(f"registration.ledger.{sex.value}")),
        _birth(number, unmasked),
        shown.personal.phone or "",
        reg.area_code,
        area.full_name(reg.area_code) if area.get(reg.area_code) else reg.area_code,
        *(_answer(env, shown, item, render) for item in _ANSWER_COLUMNS),
        _local(reg.pledge_signed_at),
        *(_answer(env, shown, item, render) for item in _EMPLOYMENT_COLUMNS),
        _local(reg.submitted_at),
        _local(reg.accepted_at),
        handled.get("accepted_by", ""),
        handled.get("returned_by", ""),
        _local(reg.decided_at),
        handled.get("decided_by", ""),
        reg.note,
    )


def _birth(number: str, unmasked: bool) -> Value:
    """The masked ledger needs an age group, not the day someone was born."""
    if len(number) != 18:
        return ""
    if not unmasked:
        return f"{number[6:10]}-{number[10:12]}"
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return number[6:14]


def _answer(env: Env, answers: Answers, item: Field, render: Callable[[Text], str]) -> Value:
    if not answers.has(item):
        return ""
    if item in _DATES:
        day = getattr(answers, item.value)
        if isinstance(day, date):
            return day
    return render(value_text(env.content.areas, answers, item))


def _local(moment: datetime | None) -> datetime | None:
    """As the hall reads it, without a time zone (spreadsheets have none)."""
    return None if moment is None else local(moment).replace(tzinfo=None)


def write(ledger: Ledger, path: Path) -> None:
    """XLSX (typed cells, styled for filing) or CSV (UTF-8 with BOM), by the file's suffix."""
    # 编号 to 姓名 stay in view: whose row it is, however far right one scrolls.
    sheets.write(path, "registrations", ledger.columns, ledger.rows, keep_columns=4)
