"""Finding areas from what a resident types: names in the text, parts of names, near misses."""

from __future__ import annotations

import unicodedata

from rapidfuzz import fuzz, process

from core.content.areas import Area, AreaTree

_CUTOFF = 75
# Words residents add that are not part of area names.
_NOISE = ("我住在", "我在", "住在", "居住在", "我家在", "在")


def _clean(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().rstrip("。.!！")
    for word in _NOISE:
        if folded.startswith(word):
            folded = folded[len(word) :]
    return "".join(folded.split())


def find_areas(areas: AreaTree, text: str, limit: int = 5) -> list[Area]:
    """Best candidates first: named areas (deepest), then name parts, then fuzzy matches."""
    query = _clean(text)
    if len(query) < 2:
        return []
    named = _named(areas, query)
    if named:
        return named[:limit]
    partial = [a for a in areas.areas.values() if query in a.name]
    if partial:
        return sorted(partial, key=_depth, reverse=True)[:limit]
    return _fuzzy(areas, query, limit)


def _depth(area: Area) -> int:
    return ("city", "county", "street", "community").index(area.level)


def _named(areas: AreaTree, query: str) -> list[Area]:
    """Areas whose names appear in the text; an area is dropped when a deeper one inside it
    was named too ("历下区解放桥社区" → the community), and must fit every other name."""
    codes, _ = areas.find_in_text(query)
    found = [areas.areas[c] for c in codes]
    deepest = [
        a for a in found if not any(b is not a and areas.contains(a.code, b.code) for b in found)
    ]
    fitting = [
        a for a in deepest if all(areas.contains(b.code, a.code) or b in deepest for b in found)
    ]
    return sorted(fitting or deepest, key=_depth, reverse=True)


def _fuzzy(areas: AreaTree, query: str, limit: int) -> list[Area]:
    names = areas.names()
    hits = process.extract(query, names, scorer=fuzz.WRatio, score_cutoff=_CUTOFF, limit=limit)
    out: list[Area] = []
    for name, _score, _index in hits:
        for area in areas.by_name(name):
            if area not in out:
                out.append(area)
    return out[:limit]
