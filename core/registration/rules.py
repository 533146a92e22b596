"""Local parameters of registration, read from content/registration.yaml and checked at load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.content.catalog import Catalog
from core.content.loader import Content
from core.content.yamlfile import YamlDoc, load_yaml

FILE_NAME = "registration.yaml"


class Kind(StrEnum):
    JOB_SEEKER = "job_seeker"
    UNEMPLOYED = "unemployed"
    EMPLOYED = "employed"


@dataclass(frozen=True)
class KindRules:
    review_levels: int
    accept_days: int
    review_days: int
    decide_days: int


@dataclass(frozen=True)
class PensionTrack:
    base_years: int
    first_birth: date  # first month of birth affected by the gradual raise
    step_months: int
    max_extra_months: int


@dataclass(frozen=True)
class RegistrationRules:
    privacy_version: str
    privacy_text: str
    pledge_version: str
    pledge_text: str
    kinds: Mapping[Kind, KindRules]
    remind_before_days: int
    draft_retention_days: int
    max_jobs: int
    max_salary: int
    unmasked_roles: frozenset[str]
    minimum_age: int
    pension: Mapping[str, PensionTrack]
    education: tuple[str, ...]
    employment_statuses: tuple[str, ...]
    unemployment_reasons: tuple[str, ...]
    employment_forms: tuple[str, ...]

    def kind(self, kind: Kind | str) -> KindRules:
        return self.kinds[Kind(kind)]


# Option lists and the catalog prefix of their labels.
_LISTS = {
    "education": "registration.education",
    "employment_statuses": "registration.status",
    "unemployment_reasons": "registration.reason",
    "employment_forms": "registration.form",
}


def rules_for(content: Content) -> RegistrationRules:
    """The rules of a content directory, loaded once and checked against its catalog."""
    return _load(content.directory, content.catalog)


@lru_cache(maxsize=8)
def _load(directory: Path, catalog: Catalog) -> RegistrationRules:
    return load_rules(directory / FILE_NAME, catalog)


def load_rules(path: Path, catalog: Catalog) -> RegistrationRules:
    """Raises ``ContentError`` naming the file, line and key of the first problem."""
    doc = load_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    lists = {key: _codes(doc, data, key, prefix, catalog) for key, prefix in _LISTS.items()}
    return RegistrationRules(
        privacy_version=_text(doc, data, "privacy_notice.version"),
        privacy_text=_text_id(doc, data, "privacy_notice.text", catalog),
        pledge_version=_text(doc, data, "pledge.version"),
        pledge_text=_text_id(doc, data, "pledge.text", catalog),
        kinds={kind: _kind(doc, data, kind) for kind in Kind},
        remind_before_days=_int(doc, data, "remind_before_workdays", 0, 30),
        draft_retention_days=_int(doc, data, "draft_retention_days", 1, 365),
        max_jobs=_int(doc, data, "max_desired_jobs", 1, 10),
        max_salary=_int(doc, data, "max_salary", 1000, 10_000_000),
        unmasked_roles=frozenset(_strings(doc, data, "unmasked_view_roles")),
        minimum_age=_int(doc, data, "minimum_age", 14, 18),
        pension={sex: _pension(doc, data, sex) for sex in ("male", "female")},
        education=lists["education"],
        employment_statuses=lists["employment_statuses"],
        unemployment_reasons=lists["unemployment_reasons"],
        employment_forms=lists["employment_forms"],
    )


def _get(doc: YamlDoc, data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise doc.error(key, "is missing")
        node = node[part]
    return node


def _text(doc: YamlDoc, data: Mapping[str, Any], key: str) -> str:
    value = _get(doc, data, key)
    if not isinstance(value, str | int | float) or not str(value).strip():
        raise doc.error(key, "expected a non-empty value")
    return str(value).strip()


def _text_id(doc: YamlDoc, data: Mapping[str, Any], key: str, catalog: Catalog) -> str:
    text_id = _text(doc, data, key)
    if not catalog.has(text_id):
        raise doc.error(key, f"text id {text_id!r} is not in the message catalog")
    return text_id


def _int(doc: YamlDoc, data: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = _get(doc, data, key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise doc.error(key, f"expected a whole number from {low} to {high}, got {value!r}")
    return value


def _strings(doc: YamlDoc, data: Mapping[str, Any], key: str) -> list[str]:
    value = _get(doc, data, key)
    if not isinstance(value, list) or not value:
        raise doc.error(key, "expected a non-empty list")
    items = [str(v).strip() for v in value]
    if len(set(items)) != len(items) or not all(items):
        raise doc.error(key, "entries must be unique and non-empty")
    return items


def _codes(
    doc: YamlDoc, data: Mapping[str, Any], key: str, prefix: str, catalog: Catalog
) -> tuple[str, ...]:
    codes = _strings(doc, data, key)
    for code in codes:
        if len(code) > 24 or not catalog.has(f"{prefix}.{code}"):
            raise doc.error(key, f"{code!r} needs a label {prefix}.{code} (and ≤ 24 characters)")
    return tuple(codes)


def _kind(doc: YamlDoc, data: Mapping[str, Any], kind: Kind) -> KindRules:
    base = f"kinds.{kind.value}"
    levels = _int(doc, data, f"{base}.review_levels", 1, 2)
    limits = f"{base}.time_limits"
    return KindRules(
        review_levels=levels,
        accept_days=_int(doc, data, f"{limits}.accept", 1, 60),
        review_days=_int(doc, data, f"{limits}.review", 1, 60),
        decide_days=_int(doc, data, f"{limits}.decide", 1, 60),
    )


def _pension(doc: YamlDoc, data: Mapping[str, Any], sex: str) -> PensionTrack:
    base = f"pension_age.{sex}"
    raw = _text(doc, data, f"{base}.first_birth")
    try:
        first = date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise doc.error(f"{base}.first_birth", f"expected YYYY-MM, got {raw!r}") from None
    return PensionTrack(
        base_years=_int(doc, data, f"{base}.base_years", 40, 70),
        first_birth=first,
        step_months=_int(doc, data, f"{base}.step_months", 1, 24),
        max_extra_months=_int(doc, data, f"{base}.max_extra_months", 0, 120),
    )
