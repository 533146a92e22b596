"""How each answer reads in a summary, a staff case or a ledger (personal values masked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from core.content.areas import AreaTree
from core.dialog.messages import Text, t
from core.people.personal import mask_id_number, mask_name, mask_phone
from core.registration.answers import Answers, Field, Personal
from core.registration.notify import joined

SHORT = 40


def plain(value: str) -> Text:
    return t("registration.plain", text=value if len(value) <= SHORT else value[: SHORT - 1] + "…")


def _day(value: date | None) -> Text:
    return plain(value.isoformat()) if value else t("registration.none")


def _yes_no(value: bool | None) -> Text:
    if value is None:
        return t("registration.none")
    return t("registration.yes") if value else t("registration.no")


def _label(prefix: str, code: str | None) -> Text:
    return t(f"{prefix}.{code}") if code else t("registration.none")


def masked(personal: Personal) -> Personal:
    return Personal(
        name=mask_name(personal.name) if personal.name else None,
        id_number=mask_id_number(personal.id_number) if personal.id_number else None,
        phone=mask_phone(personal.phone) if personal.phone else None,
    )


def _salary(a: Answers) -> Text:
    if a.salary_low is None:
        return t("registration.salary_any")
    if a.salary_low == a.salary_high:
        return t("registration.salary_one", amount=a.salary_low)
    return t("registration.salary_range", low=a.salary_low, high=a.salary_high)


def _area(areas: AreaTree, code: str | None, *, empty: str) -> Text:
    if not code:
        return t(empty)
    return plain(areas.full_name(code)) if areas.get(code) else plain(code)


def _personal(value: str | None) -> Text:
    return plain(value) if value else t("registration.none")


_VALUES: dict[Field, Callable[[AreaTree, Answers], Text]] = {
    Field.NAME: lambda _, a: _personal(a.personal.name),
    Field.ID_NUMBER: lambda _, a: _personal(a.personal.id_number),
    Field.PHONE: lambda _, a: _personal(a.personal.phone),
    Field.AREA: lambda areas, a: _area(areas, a.area, empty="registration.none"),
    Field.EDUCATION: lambda _, a: _label("registration.education", a.education),
    Field.STATUS: lambda _, a: _label("registration.status", a.status),
    Field.SKILLS: lambda _, a: plain(a.skills) if a.skills else t("registration.none"),
    Field.JOBS: lambda _, a: joined([plain(w.label) for w in a.jobs]),
    Field.DESIRED_AREA: lambda areas, a: _area(
        areas, a.desired_area, empty="registration.anywhere"
    ),
    Field.SALARY: lambda _, a: _salary(a),
    Field.TRAINING: lambda _, a: _yes_no(a.training),
    Field.UNEMPLOYED_SINCE: lambda _, a: _day(a.unemployed_since),
    Field.REASON: lambda _, a: _label("registration.reason", a.reason),
    Field.UI_CLAIM: lambda _, a: _yes_no(a.ui_claim),
    Field.EMPLOYER: lambda _, a: plain(a.employer) if a.employer else t("registration.none"),
    Field.FORM: lambda _, a: _label("registration.form", a.form),
    Field.START_DATE: lambda _, a: _day(a.start_date),
    Field.CONTRACT_END: lambda _, a: (
        _day(a.contract_end) if a.contract_end else t("registration.no_end")
    ),
    Field.JOB: lambda _, a: plain(a.job.label) if a.job else t("registration.none"),
}


def value_text(areas: AreaTree, answers: Answers, item: Field) -> Text:
    """The answer as shown; pass answers through ``masked`` first for anything but the
    audited unmasked view."""
    return _VALUES[item](areas, answers)
