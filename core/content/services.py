"""The service catalogue (职业指导, 职业介绍, 创业服务, 政策咨询 …) from content/services.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.content.yamlfile import load_yaml


@dataclass(frozen=True)
class Service:
    id: str
    name: dict[str, str]
    description: dict[str, str]
    free_for_unemployed: bool


def load_services(path: Path) -> tuple[Service, ...]:
    doc = load_yaml(path)
    items = doc.data.get("services") if isinstance(doc.data, dict) else None
    if not isinstance(items, list) or not items:
        raise doc.error("services", "expected a non-empty list `services`")
    out: list[Service] = []
    for i, raw in enumerate(items):
        key = f"services[{i}]"
        if not isinstance(raw, dict) or not str(raw.get("id") or "").strip():
            raise doc.error(key, "each service needs an id")
        texts = {}
        for field in ("name", "description"):
            value = raw.get(field)
            if not (isinstance(value, dict) and value.get("zh-CN") and value.get("en")):
                raise doc.error(f"{key}.{field}", "needs both zh-CN and en texts")
            texts[field] = {"zh-CN": str(value["zh-CN"]).strip(), "en": str(value["en"]).strip()}
        out.append(
            Service(
                str(raw["id"]),
                texts["name"],
                texts["description"],
                bool(raw.get("free_for_unemployed", False)),
            )
        )
    if len({s.id for s in out}) != len(out):
        raise doc.error("services", "service ids must be unique")
    return tuple(out)
