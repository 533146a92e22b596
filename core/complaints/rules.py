"""Local parameters of 投诉建议, read from content/complaints.yaml and checked at load."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.content.catalog import Catalog
from core.content.loader import Content
from core.content.yamlfile import YamlDoc, load_yaml

FILE_NAME = "complaints.yaml"
FINDINGS = ("verified", "partly", "unfounded")  # 查实 / 部分查实 / 不属实


@dataclass(frozen=True)
class ComplaintRules:
    categories: tuple[str, ...]
    cutoff: time
    next_day_by: time
    first_remind_minutes: int
    max_handling_days: int
    max_extension_days: int
    remind_before_days: int
    max_text: int
    max_photos: int
    daily_limit: int
    recent_days: int
    unfit_at: int
    counted_findings: frozenset[str]


def rules_for(content: Content) -> ComplaintRules:
    """The rules of a content directory, loaded once and checked against its catalog."""
    return _load(content.directory, content.catalog)


@lru_cache(maxsize=8)
def _load(directory: Path, catalog: Catalog) -> ComplaintRules:
    return load_rules(directory / FILE_NAME, catalog)


def load_rules(path: Path, catalog: Catalog) -> ComplaintRules:
    """Raises ``ContentError`` naming the file, line and key of the first problem."""
    doc = load_yaml(path)
    data = doc.data if isinstance(doc.data, dict) else {}
    categories = _strings(doc, data, "categories")
    for code in categories:
        if len(code) > 24 or not catalog.has(f"complaints.category.{code}"):
            raise doc.error("categories", f"{code!r} needs a label complaints.category.{code}")
    counted = _strings(doc, data, "appraisal.counted_findings")
    if not set(counted) <= set(FINDINGS):
        raise doc.error("appraisal.counted_findings", f"findings are {', '.join(FINDINGS)}")
    return ComplaintRules(
        categories=tuple(categories),
        cutoff=_time(doc, data, "first_answer.cutoff"),
        next_day_by=_time(doc, data, "first_answer.next_day_by"),
        first_remind_minutes=_int(doc, data, "first_answer.remind_before_minutes", 0, 480),
        max_handling_days=_int(doc, data, "max_handling_workdays", 1, 60),
        max_extension_days=_int(doc, data, "max_extension_workdays", 1, 60),
        remind_before_days=_int(doc, data, "remind_before_workdays", 0, 10),
        max_text=_int(doc, data, "max_text_chars", 10, 5000),
        max_photos=_int(doc, data, "max_photos", 0, 20),
        daily_limit=_int(doc, data, "daily_limit", 1, 100),
        recent_days=_int(doc, data, "recent_interaction_days", 1, 3650),
        unfit_at=_int(doc, data, "appraisal.unfit_at", 1, 100),
        counted_findings=frozenset(counted),
    )


def _get(doc: YamlDoc, data: Mapping[str, Any], key: str) -> Any:
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise doc.error(key, "is missing")
        node = node[part]
    return node


def _int(doc: YamlDoc, data: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = _get(doc, data, key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise doc.error(key, f"expected a whole number from {low} to {high}, got {value!r}")
    return value


def _time(doc: YamlDoc, data: Mapping[str, Any], key: str) -> time:
    raw = _get(doc, data, key)
    try:
        return time.fromisoformat(str(raw).strip())
    except ValueError:
        raise doc.error(key, f"expected HH:MM, got {raw!r}") from None


def _strings(doc: YamlDoc, data: Mapping[str, Any], key: str) -> list[str]:
    value = _get(doc, data, key)
    if not isinstance(value, list) or not value:
        raise doc.error(key, "expected a non-empty list")
    items = [str(v).strip() for v in value]
    if len(set(items)) != len(items) or not all(items):
        raise doc.error(key, "entries must be unique and non-empty")
    return items
