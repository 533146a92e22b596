"""Policy and service notices (政策资讯) published from content/notices.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.content.yamlfile import load_yaml


@dataclass(frozen=True)
class Notice:
    id: str
    published: date
    title: dict[str, str]
    body: dict[str, str]
    source: str | None


def _localised(value: object) -> dict[str, str] | None:
    if isinstance(value, dict) and isinstance(value.get("zh-CN"), str) and value.get("en"):
        return {"zh-CN": value["zh-CN"].strip(), "en": str(value["en"]).strip()}
    return None


def load_notices(path: Path) -> tuple[Notice, ...]:
    doc = load_yaml(path)
    items = doc.data.get("notices") if isinstance(doc.data, dict) else None
    if not isinstance(items, list):
        raise doc.error("notices", "expected a list `notices`")
    out: list[Notice] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        key = f"notices[{i}]"
        if not isinstance(raw, dict):
            raise doc.error(key, "each notice must be a mapping")
        nid = str(raw.get("id") or "").strip()
        if not nid or nid in seen or len(nid) > 24:
            raise doc.error(f"{key}.id", "id must be unique, non-empty and at most 24 characters")
        seen.add(nid)
        title, body = _localised(raw.get("title")), _localised(raw.get("body"))
        if title is None or body is None:
            raise doc.error(key, "title and body need both zh-CN and en texts")
        published = raw.get("published")
        if not isinstance(published, date):
            raise doc.error(f"{key}.published", "published must be a date (YYYY-MM-DD)")
        out.append(Notice(nid, published, title, body, raw.get("source")))
    return tuple(sorted(out, key=lambda n: n.published, reverse=True))
