"""The registration ledger (台账) of an area, as CSV or XLSX; masked unless asked and audited."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import col, select

from core.dialog.messages import Text, t
from core.files import open_private
from core.people import audit
from core.registration import routing
from core.registration.answers import Answers, Field
from core.registration.corrections import stored_answers
from core.registration.display import masked, value_text
from core.registration.idcard import Sex
from core.registration.models import Registration
from core.registration.notify import when
from core.registration.rules import Kind
from core.registration.workflow import Env

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
COLUMNS = (
    "ref",
    "kind",
    "state",
    "name",
    "id_number",
    "sex",
    "birth",
    "phone",
    "area_code",
    "area",
    *(f.value for f in _ANSWER_COLUMNS),
    "pledge_signed_at",
    *(f.value for f in _EMPLOYMENT_COLUMNS),
    "submitted_at",
    "accepted_at",
    "decided_at",
    "note",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Ledger:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def build(env: Env, area_code: str, *, unmasked: bool, lang: str, actor: str) -> Ledger:
    """Every registration inside ``area_code``, oldest first; the export is audited."""
    prefix = routing.area_prefix(env.content.areas, area_code)
    regs = env.session.exec(
        select(Registration)
        .where(col(Registration.area_code).startswith(prefix))
        .order_by(col(Registration.id))
    ).all()
    render = lambda item: env.content.catalog.text(item, lang)  # noqa: E731
    rows = tuple(_row(env, reg, unmasked, render) for reg in regs)
    audit.record(
        env.session,
        actor=actor,
        action="ledger.export_unmasked" if unmasked else "ledger.export",
        subject=f"area:{area_code}",
        detail=f"registrations={len(rows)}",
    )
    headers = tuple(render(t(f"registration.ledger.{name}")) for name in COLUMNS)
    return Ledger(headers, rows)


def _row(
    env: Env, reg: Registration, unmasked: bool, render: Callable[[Text], str]
) -> tuple[str, ...]:
    answers = stored_answers(env, reg)
    number = answers.personal.id_number or ""
    if reg.kind == Kind.UNEMPLOYED and answers.status is None:
        answers = replace(answers, status="unemployed", done=answers.done | {Field.STATUS.value})
    shown = (
        answers if unmasked else replace(answers.masked_text(), personal=masked(answers.personal))
    )
    sex = Sex.MALE if len(number) == 18 and int(number[16]) % 2 else Sex.FEMALE
    area = env.content.areas
    cells = [
        str(reg.id),
        render(t(f"registration.kind.{reg.kind}")),
        render(t(f"registration.state.{reg.status}")),
        shown.personal.name or "",
        shown.personal.id_number or "",
        render(t(f"registration.ledger.{sex.value}")),
        f"{number[6:10]}-{number[10:12]}" if len(number) == 18 else "",
        shown.personal.phone or "",
        reg.area_code,
        area.full_name(reg.area_code) if area.get(reg.area_code) else reg.area_code,
        *(_answer(env, shown, item, render) for item in _ANSWER_COLUMNS),
        _time(reg.pledge_signed_at),
        *(_answer(env, shown, item, render) for item in _EMPLOYMENT_COLUMNS),
        _time(reg.submitted_at),
        _time(reg.accepted_at),
        _time(reg.decided_at),
        reg.note,
    ]
    return tuple(_safe(c) for c in cells)


def _answer(env: Env, answers: Answers, item: Field, render: Callable[[Text], str]) -> str:
    return render(value_text(env.content.areas, answers, item)) if answers.has(item) else ""


def _time(moment: datetime | None) -> str:
    return "" if moment is None else when(moment)


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write(ledger: Ledger, path: Path) -> None:
    """CSV (UTF-8 with BOM, opens in Excel) or XLSX, by the file's suffix; readable by its
    owner only, from the start (names and, unmasked, ID numbers are in it)."""
    if path.suffix.lower() == ".csv":
        _csv(ledger.headers, ledger.rows, path)
    elif path.suffix.lower() == ".xlsx":
        _xlsx(ledger.headers, ledger.rows, path)
    else:
        raise ValueError(f"unsupported ledger format {path.suffix!r}: use .xlsx or .csv")


def _csv(headers: Sequence[str], rows: Sequence[Sequence[str]], path: Path) -> None:
    with open_private(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)


def _xlsx(headers: Sequence[str], rows: Sequence[Sequence[str]], path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("registrations")
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    with open_private(path, "wb") as handle:
        book.save(handle)
