"""The bookable service windows and the booking rules, from content/booking.yaml.

Checked at start-up against the areas and services (``offices_for`` raises
``ContentError`` naming the key). Slots come from each office's hall hours cut into
``slot_minutes``; a slot is bookable once per place per service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.content.loader import Content
from core.content.worktime import WorkTime, parse_span
from core.content.yamlfile import YamlDoc, load_yaml
from core.timeutil import SHANGHAI

FILE_NAME = "booking.yaml"
_INTS = (
    "slot_minutes",
    "capacity",
    "days_ahead",
    "latest_hours_before",
    "remind_minutes_before",
    "max_active",
    "no_show_limit",
    "no_show_days",
)
_TIMES = ("daily_cutoff", "remind_day_before_at")


@dataclass(frozen=True)
class Rules:
    slot_minutes: int
    capacity: int
    days_ahead: int
    latest_hours_before: int
    daily_cutoff: time
    remind_day_before_at: time
    remind_minutes_before: int
    max_active: int
    no_show_limit: int
    no_show_days: int
    bring: Mapping[str, str]


@dataclass(frozen=True)
class OfficeService:
    id: str
    letter: str
    capacity: int


@dataclass(frozen=True)
class Office:
    code: str  # the area code of the platform that runs the window
    name: Mapping[str, str]
    address: Mapping[str, str]
    phone: str
    windows: int
    hours: tuple[tuple[time, time], ...]
    services: Mapping[str, OfficeService]
    rules: Rules
    slot_starts: tuple[time, ...] = ()

    def slots(self) -> tuple[time, ...]:
        """Start times of the slots of a working day: each span cut into whole slots."""
        return self.slot_starts

    def starts_at(self, day: date, start: time) -> datetime:
        return datetime.combine(day, start, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Offices:
    by_code: Mapping[str, Office]
    rules: Rules

    def get(self, code: str) -> Office | None:
        return self.by_code.get(code)

    def all(self) -> tuple[Office, ...]:
        return tuple(self.by_code.values())


_BY_CONTENT: dict[int, tuple[Content, Offices]] = {}


def offices_for(content: Content) -> Offices:
    """The offices of a content directory, loaded once and checked."""
    known = _BY_CONTENT.get(id(content))
    if known is not None and known[0] is content:
        return known[1]
    services = frozenset(s.id for s in content.services)
    found = _load(content.directory, services, frozenset(content.areas.areas), content.worktime)
    if len(_BY_CONTENT) > 8:
        _BY_CONTENT.clear()
    _BY_CONTENT[id(content)] = (content, found)
    return found


def _cut(hours: tuple[tuple[time, time], ...], minutes: int) -> tuple[time, ...]:
    out: list[time] = []
    step = timedelta(minutes=minutes)
    for start, end in hours:
        moment = datetime.combine(date.min, start)
        while (moment + step).time() <= end and moment.date() == date.min:
            out.append(moment.time())
            moment += step
    return tuple(out)


@lru_cache(maxsize=8)
def _load(
    directory: Path, services: frozenset[str], areas: frozenset[str], worktime: WorkTime
) -> Offices:
    doc = load_yaml(directory / FILE_NAME)
    data = doc.data if isinstance(doc.data, dict) else {}
    defaults = _rules(doc, "defaults", data.get("defaults"), None)
    raw_offices = data.get("offices")
    if not isinstance(raw_offices, list) or not raw_offices:
        raise doc.error("offices", "expected a non-empty list `offices`")
    found: dict[str, Office] = {}
    for i, raw in enumerate(raw_offices):
        office = _office(doc, f"offices[{i}]", raw, defaults, services, areas, worktime)
        if office.code in found:
            raise doc.error(f"offices[{i}].area", f"office {office.code} is listed twice")
        found[office.code] = office
    return Offices(found, defaults)


def _rules(doc: YamlDoc, key: str, raw: Any, base: Rules | None) -> Rules:
    raw = raw if isinstance(raw, dict) else {}
    values: dict[str, Any] = {}
    for name in _INTS:
        value = raw.get(name, getattr(base, name) if base else None)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise doc.error(f"{key}.{name}", f"expected a whole number >= 0, got {value!r}")
        values[name] = value
    if values["slot_minutes"] < 5 or values["capacity"] < 1 or values["days_ahead"] < 1:
        raise doc.error(key, "slot_minutes >= 5, capacity >= 1 and days_ahead >= 1 are needed")
    for name in _TIMES:
        value = raw.get(name, getattr(base, name).isoformat("minutes") if base else None)
        try:
            values[name] = time.fromisoformat(str(value))
        except ValueError:
            raise doc.error(f"{key}.{name}", f"expected HH:MM, got {value!r}") from None
    bring = raw.get("bring", dict(base.bring) if base else None)
    values["bring"] = _texts(doc, f"{key}.bring", bring)
    return Rules(**values)


def _texts(doc: YamlDoc, key: str, raw: Any) -> dict[str, str]:
    if not (isinstance(raw, dict) and raw.get("zh-CN") and raw.get("en")):
        raise doc.error(key, "needs both zh-CN and en texts")
    return {"zh-CN": str(raw["zh-CN"]).strip(), "en": str(raw["en"]).strip()}


def _office(
    doc: YamlDoc,
    key: str,
    raw: Any,
    defaults: Rules,
    services: frozenset[str],
    areas: frozenset[str],
    worktime: WorkTime,
) -> Office:
    if not isinstance(raw, dict):
        raise doc.error(key, "expected a mapping")
    code = str(raw.get("area") or "")
    if code not in areas:
        raise doc.error(f"{key}.area", f"{code!r} is not an area of content/areas.yaml")
    rules = _rules(doc, key, raw, defaults)
    hours = worktime.hours
    if "hours" in raw:
        hours = tuple(parse_span(doc, f"{key}.hours[{j}]", s) for j, s in enumerate(raw["hours"]))
    offered: dict[str, OfficeService] = {}
    raw_services = raw.get("services")
    if not isinstance(raw_services, dict) or not raw_services:
        raise doc.error(f"{key}.services", "name at least one service it offers")
    for sid, spec in raw_services.items():
        where = f"{key}.services.{sid}"
        spec = spec if isinstance(spec, dict) else {}
        letter = str(spec.get("letter") or "")
        if sid not in services:
            raise doc.error(where, "not a service of content/services.yaml")
        if len(letter) != 1 or not letter.isascii() or not letter.isupper():
            raise doc.error(f"{where}.letter", "one capital letter (the queue number's A012)")
        capacity = spec.get("capacity", rules.capacity)
        if not isinstance(capacity, int) or capacity < 1:
            raise doc.error(f"{where}.capacity", "expected a whole number >= 1")
        offered[sid] = OfficeService(sid, letter, capacity)
    if len({s.letter for s in offered.values()}) != len(offered):
        raise doc.error(f"{key}.services", "each service needs its own letter")
    windows = raw.get("windows", 1)
    if not isinstance(windows, int) or windows < 1:
        raise doc.error(f"{key}.windows", "expected a whole number >= 1")
    office = Office(
        code=code,
        name=_texts(doc, f"{key}.name", raw.get("name")),
        address=_texts(doc, f"{key}.address", raw.get("address")),
        phone=str(raw.get("phone") or ""),
        windows=windows,
        hours=hours,
        services=offered,
        rules=rules,
        slot_starts=_cut(hours, rules.slot_minutes),
    )
    if not office.phone:
        raise doc.error(f"{key}.phone", "residents need a phone number")
    if not office.slots():
        raise doc.error(key, "its hours hold no whole slot")
    return office
