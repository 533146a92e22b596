"""The area tree (市 → 区县 → 街道 → 社区) with official codes, from content/areas.yaml."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.content.yamlfile import YamlDoc, load_yaml

LEVELS = ("city", "county", "street", "community")
_PREFIX = {"city": 4, "county": 6, "street": 9, "community": 12}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    short: str
    level: str
    parent: str | None
    children: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None


@dataclass
class AreaTree:
    areas: dict[str, Area]
    roots: tuple[str, ...]
    _by_name: dict[str, list[str]] = field(default_factory=dict)
    _longest_first: list[str] = field(default_factory=list)  # names of 2+ characters
    _by_first: dict[str, list[str]] = field(default_factory=dict)  # first character → names
    _rank: dict[str, int] = field(default_factory=dict)  # place in _longest_first

    @classmethod
    def load(cls, path: Path) -> AreaTree:
        doc = load_yaml(path)
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get("areas"), list):
            raise doc.error("areas", "expected a top-level list `areas`")
        areas: dict[str, Area] = {}
        roots = tuple(
            _read(doc, item, f"areas[{i}]", None, 0, areas)
            for i, item in enumerate(doc.data["areas"])
        )
        tree = cls(areas, roots)
        for area in areas.values():
            for name in {area.name, area.short}:
                tree._by_name.setdefault(name, []).append(area.code)
        # Sorted once, and filed by first character: every search looks for area names
        # in what the resident typed, and most names cannot be there.
        tree._longest_first = sorted(
            (n for n in tree._by_name if len(n) >= 2), key=len, reverse=True
        )
        for rank, name in enumerate(tree._longest_first):
            tree._by_first.setdefault(name[0], []).append(name)
            tree._rank[name] = rank
        return tree

    def get(self, code: str) -> Area | None:
        return self.areas.get(code)

    def children(self, code: str | None) -> list[Area]:
        codes = self.roots if code is None else self.areas[code].children
        return [self.areas[c] for c in codes]

    def ancestors(self, code: str) -> Iterator[Area]:
        """The area itself, then its parent, up to the city."""
        current: str | None = code
        while current is not None:
            area = self.areas[current]
            yield area
            current = area.parent

    def contains(self, ancestor_code: str, code: str) -> bool:
        return code in self.areas and any(a.code == ancestor_code for a in self.ancestors(code))

    def full_name(self, code: str) -> str:
        return "".join(a.name for a in reversed(list(self.ancestors(code))))

    def by_name(self, name: str) -> list[Area]:
        return [self.areas[c] for c in self._by_name.get(name, [])]

    def lookup(self, text: str, level: str | None = None) -> list[Area]:
        """Areas ``text`` names, as staff would type them: a 12-digit code, a name as the bot
        shows it (历山路社区 or 解放桥社区居民委员会), possibly after where it lies (历下区
        解放路街道历山路社区). Several when the name is in several places (市中区)."""
        wanted = "".join(text.split())
        if not wanted:
            return []
        fits = [a for a in self.areas.values() if level is None or a.level == level]
        if wanted in self.areas:
            return [a for a in fits if a.code == wanted]
        return [a for a in fits if self._names(a, wanted)]

    def similar(self, text: str, level: str | None = None) -> list[Area]:
        """Areas whose name contains ``text``: what to offer when it names none."""
        wanted = "".join(text.split())
        return [
            a
            for a in self.areas.values()
            if wanted
            and (level is None or a.level == level)
            and (wanted in a.name or wanted in a.short)
        ]

    def _names(self, area: Area, text: str) -> bool:
        """``text`` is the area's name or short name, after any of its ancestors' names in
        order (each by name or short name, each optional)."""
        above = list(self.ancestors(area.code))[:0:-1]  # city first, the area itself left out
        for own in {area.name, area.short}:
            if not text.endswith(own):
                continue
            rest = text[: len(text) - len(own)]
            for ancestor in above:
                for name in (ancestor.name, ancestor.short):
                    if rest.startswith(name):
                        rest = rest[len(name) :]
                        break
            if not rest:
                return True
        return False

    def names(self) -> list[str]:
        return list(self._by_name)

    def find_in_text(self, text: str) -> tuple[list[str], str]:
        """Area codes named in ``text`` (longest names first) and the text without them."""
        found: list[str] = []
        rest = text
        possible = {n for ch in set(text) for n in self._by_first.get(ch, ())}
        for name in sorted(possible, key=self._rank.__getitem__):
            if name in rest:
                codes = self._by_name[name]
                found.extend(c for c in codes if c not in found)
                rest = rest.replace(name, " ")
        return found, " ".join(rest.split())

    def from_address(self, address: str) -> Area | None:
        """The deepest area an address names, walking down from the city: "山东省济南市历下区
        解放路街道…" gives 解放路街道. Only full names count ("解放路街道", not the road
        "解放路", which may cross several streets); a county named without its city counts
        only when no other county has that name (市中区 is in 济南 and 枣庄)."""
        text = "".join(address.split())
        found: Area | None = None
        candidates = [self.areas[c] for c in self.roots]
        while candidates:
            named = [a for a in candidates if _named_in(a, text)]
            if len(named) != 1:
                break
            found = named[0]
            candidates = [self.areas[c] for c in found.children]
        if found is None:
            counties = [a for a in self.areas.values() if a.level == "county" and a.name in text]
            if len(counties) == 1:
                found = counties[0]
                more = [self.areas[c] for c in found.children if _named_in(self.areas[c], text)]
                if len(more) == 1:
                    found = more[0]
        return found

    def nearest(self, lat: float, lon: float, level: str = "street") -> Area | None:
        """The closest area of ``level`` that has coordinates (great-circle distance)."""
        placed = [a for a in self.areas.values() if a.level == level and a.lat is not None]
        if not placed:
            return None
        return min(placed, key=lambda a: _distance_km(lat, lon, a.lat or 0.0, a.lon or 0.0))


def _named_in(area: Area, text: str) -> bool:
    if area.name in text:
        return True
    # Addresses say "解放桥社区" for the 解放桥社区居民委员会's area.
    return area.level == "community" and area.short.endswith(("社区", "村")) and area.short in text


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _read(
    doc: YamlDoc, raw: Any, key: str, parent: Area | None, depth: int, areas: dict[str, Area]
) -> str:
    if not isinstance(raw, dict):
        raise doc.error(key, "each area must be a mapping")
    code, name, level = (str(raw.get(k, "")).strip() for k in ("code", "name", "level"))
    short = str(raw.get("short") or name).strip()
    if depth >= len(LEVELS) or level != LEVELS[depth]:
        raise doc.error(f"{key}.level", f"expected level {LEVELS[min(depth, 3)]!r}, got {level!r}")
    if not (code.isdigit() and len(code) == 12):
        raise doc.error(f"{key}.code", f"code must be 12 digits, got {code!r}")
    if parent and code[: _PREFIX[parent.level]] != parent.code[: _PREFIX[parent.level]]:
        raise doc.error(f"{key}.code", f"{code} is not inside its parent {parent.code}")
    if code in areas:
        raise doc.error(f"{key}.code", f"code {code} appears twice")
    if not name:
        raise doc.error(f"{key}.name", "name is empty")
    lat, lon = _coordinates(doc, raw, key)
    area = Area(code, name, short, level, parent.code if parent else None, (), lat, lon)
    areas[code] = area
    kids = raw.get("children") or []
    if not isinstance(kids, list):
        raise doc.error(f"{key}.children", "children must be a list")
    child_codes = tuple(
        _read(doc, kid, f"{key}.children[{i}]", area, depth + 1, areas)
        for i, kid in enumerate(kids)
    )
    areas[code] = Area(code, name, short, level, area.parent, child_codes, lat, lon)
    return code


def _coordinates(doc: YamlDoc, raw: dict[str, Any], key: str) -> tuple[float | None, float | None]:
    lat, lon = raw.get("lat"), raw.get("lon")
    if lat is None and lon is None:
        return None, None
    if not (isinstance(lat, int | float) and isinstance(lon, int | float)):
        raise doc.error(f"{key}.lat", "lat and lon must both be numbers")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise doc.error(f"{key}.lat", "coordinates out of range")
    return float(lat), float(lon)
