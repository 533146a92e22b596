"""What a resident has answered so far, and how it is stored (personal values apart)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any

from core.people.personal import Vault, open_text, seal_text


class Field(StrEnum):
    """Every question of the three registrations; a flow's steps reuse these names."""

    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    AREA = "area"
    EDUCATION = "education"
    STATUS = "status"
    SKILLS = "skills"
    JOBS = "jobs"
    DESIRED_AREA = "desired_area"
    SALARY = "salary"
    TRAINING = "training"
    UNEMPLOYED_SINCE = "unemployed_since"
    REASON = "reason"
    UI_CLAIM = "ui_claim"
    EMPLOYER = "employer"
    FORM = "form"
    START_DATE = "start_date"
    CONTRACT_END = "contract_end"
    JOB = "job"


PERSONAL = (Field.NAME, Field.ID_NUMBER, Field.PHONE)
# Answers typed freely (not picked, not checked): an ID or phone number may be in them.
FREE_TEXT = ("skills", "employer")


@dataclass(frozen=True)
class Wish:
    """A job as the resident said it, and the occupation (CSCO 2022) they confirmed, if any."""

    said: str
    code: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name}({self.code})" if self.code and self.name else self.said


@dataclass(frozen=True)
class Personal:
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Answers:
    personal: Personal = Personal()
    area: str | None = None
    education: str | None = None
    status: str | None = None
    skills: str = ""
    jobs: tuple[Wish, ...] = ()
    desired_area: str = ""  # "" = anywhere
    salary_low: int | None = None
    salary_high: int | None = None
    training: bool | None = None
    unemployed_since: date | None = None
    reason: str | None = None
    ui_claim: bool | None = None
    employer: str | None = None
    form: str | None = None
    start_date: date | None = None
    contract_end: date | None = None  # None once answered = no fixed end
    job: Wish | None = None
    done: frozenset[str] = field(default_factory=frozenset)

    def answered(self, item: Field, **changes: Any) -> Answers:
        """A copy with ``changes`` applied and ``item`` marked as answered."""
        return replace(self, **changes, done=self.done | {item.value})

    def with_personal(self, item: Field, value: str) -> Answers:
        return self.answered(item, personal=replace(self.personal, **{item.value: value}))

    def has(self, item: Field) -> bool:
        return item.value in self.done

    def details(self, vault: Vault | None = None) -> dict[str, Any]:
        """Everything but the personal values, JSON-safe. Free text holding an ID or phone
        number is sealed with ``vault`` (to be stored), or masked without one (to be shown)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "personal":
                continue
            out[f.name] = _dump(getattr(self, f.name))
        for name in FREE_TEXT:
            if out.get(name):
                out[name] = seal_text(out[name], vault)
        for wish in [*(out.get("jobs") or ()), out.get("job")]:
            if wish and wish.get("said"):
                wish["said"] = seal_text(wish["said"], vault)
        return out

    def masked_text(self) -> Answers:
        """A copy with ID and phone numbers in free answers masked (a staff view)."""
        return Answers.from_details(self.details(), self.personal)

    @classmethod
    def from_details(
        cls, raw: Mapping[str, Any], personal: Personal, vault: Vault | None = None
    ) -> Answers:
        """Stored details back as answers; sealed free text opens only with ``vault``
        (else it reads masked, as does any ID or phone number in older rows)."""
        known = {f.name for f in fields(cls)} - {"personal"}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("unemployed_since", "start_date", "contract_end"):
            if values.get(key):
                values[key] = date.fromisoformat(values[key])
        for name in FREE_TEXT:
            if values.get(name):
                values[name] = open_text(values[name], vault)

        def wish(w: Mapping[str, Any]) -> Wish:
            return Wish(**{**w, "said": open_text(w.get("said"), vault)})

        values["jobs"] = tuple(wish(w) for w in values.get("jobs") or ())
        values["job"] = wish(values["job"]) if values.get("job") else None
        values["done"] = frozenset(values.get("done") or ())
        return cls(personal=personal, **values)


def _dump(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Wish):
        return asdict(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    return value
