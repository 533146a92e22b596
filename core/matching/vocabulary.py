"""The job vocabulary: occupations (《职业分类大典》2022) plus the staff synonym table.

Every name, alias and synonym becomes a normalised *surface*. Surfaces are linked:

* surfaces of one synonym group mean the same job (weight ``GROUP``);
* an occupation alias points to the occupation's name (``ALIAS_TO_NAME``) and the name to
  its aliases (``NAME_TO_ALIAS``); aliases of one occupation are not linked to each other,
  because the published aliases are broad (中式烹调师 lists both 厨师 and 熟食加工).
* a synonym group reaches the occupations any of its surfaces names (``GROUP_TO_NAME``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.matching.normalize import compact, normalize_text
from core.matching.query import query_tokens
from core.matching.synonyms import (
    Occupation,
    SynonymGroup,
    load_occupations,
    load_synonyms,
)
from core.matching.terms import TermMatch, TermTable

GROUP = 0.93
ALIAS_TO_NAME = 0.88
NAME_TO_ALIAS = 0.85
GROUP_TO_NAME = 0.86

SYNONYMS_FILE = "synonyms.yaml"
OCCUPATIONS_FILE = "occupations.csv"


@dataclass(frozen=True)
class OccupationMatch:
    code: str
    name: str
    score: float


@dataclass(frozen=True)
class Link:
    surface: int
    weight: float


def surface_form(text: str) -> str:
    """Normalised, space-free form used for every surface."""
    return compact(normalize_text(text))


def _split_alias(alias: str) -> list[str]:
    """Published aliases such as ``家政服务/保姆`` name two jobs."""
    return [part for part in alias.split("/") if part.strip()]


class Vocabulary:
    """Occupations and synonyms with the tables needed to match free text against them."""

    def __init__(self, occupations: Sequence[Occupation], groups: Sequence[SynonymGroup]) -> None:
        self.occupations: tuple[Occupation, ...] = tuple(occupations)
        self.groups: tuple[SynonymGroup, ...] = tuple(groups)
        builder = _LinkBuilder()
        for index, occupation in enumerate(self.occupations):
            builder.add_occupation(index, occupation)
        for group in self.groups:
            builder.add_group(group)
        self.terms = TermTable(builder.surfaces)
        self._links = builder.links()
        self._occupation_links = builder.occupation_links()
        self._display = builder.display
        # ties (initials bj: 保洁 or 编辑) go to curated synonyms, then to occupation names
        self._curated = [
            2 if s in self._display else int(bool(links))
            for s, links in enumerate(self._occupation_links)
        ]

    @property
    def surfaces(self) -> tuple[str, ...]:
        return self.terms.surfaces

    def expansions(self, surface: int) -> tuple[Link, ...]:
        """Surfaces meaning the same job as ``surface`` (itself first, weight 1)."""
        return self._links[surface]

    def display_term(self, surface: int) -> str:
        """Human-facing keyword for a surface (the canonical term of its group when it has one)."""
        return self._display.get(surface, self.terms.surfaces[surface])

    def keyword_for(self, surface: int) -> str | None:
        """The keyword to suggest for a surface: its group's canonical term, or the occupation
        name it is; ``None`` for bare aliases (too odd to suggest on their own)."""
        if surface in self._display:
            return self._display[surface]
        if self._occupation_links[surface] and any(
            weight == 1.0 for _occ, weight in self._occupation_links[surface]
        ):
            return self.terms.surfaces[surface]
        return None

    def occupation_links(self, surface: int) -> tuple[tuple[int, float], ...]:
        """(occupation index, weight) the surface names: 1.0 its name, less for an alias."""
        return self._occupation_links[surface]

    def match_terms(self, token: str, prior: Sequence[int] | None = None) -> list[TermMatch]:
        return self.terms.match(token, prior)

    def match_occupations(self, text: str, limit: int = 5) -> list[OccupationMatch]:
        """Occupations a desired-job text (``月嫂``, ``开叉车``, ``baoan``) most likely means."""
        best: dict[int, float] = {}
        for token in query_tokens(text, self.terms.ids):
            for match in self.match_terms(token, self._curated):
                for occupation, weight in self._occupation_links[match.surface]:
                    score = match.score * weight
                    best[occupation] = max(best.get(occupation, 0.0), score)
        ranked = sorted(best.items(), key=lambda item: (-item[1], self.occupations[item[0]].code))
        return [
            OccupationMatch(self.occupations[i].code, self.occupations[i].name, round(score, 1))
            for i, score in ranked[:limit]
        ]


class _LinkBuilder:
    """Collects surfaces and their links while occupations and groups are added."""

    def __init__(self) -> None:
        self.surfaces: list[str] = []
        self._ids: dict[str, int] = {}
        self._edges: dict[int, dict[int, float]] = {}
        self._occupations: dict[int, dict[int, float]] = {}
        self._names: dict[int, int] = {}  # surface -> occupation whose name it is
        self.display: dict[int, str] = {}

    def surface(self, text: str) -> int | None:
        form = surface_form(text)
        if len(form) < 2:
            return None
        if form not in self._ids:
            self._ids[form] = len(self.surfaces)
            self.surfaces.append(form)
        return self._ids[form]

    def _edge(self, source: int, target: int, weight: float) -> None:
        edges = self._edges.setdefault(source, {})
        edges[target] = max(edges.get(target, 0.0), weight)

    def _occupation(self, surface: int, occupation: int, weight: float) -> None:
        links = self._occupations.setdefault(surface, {})
        links[occupation] = max(links.get(occupation, 0.0), weight)

    def add_occupation(self, index: int, occupation: Occupation) -> None:
        name = self.surface(occupation.name)
        if name is None:
            return
        self._names[name] = index
        self._occupation(name, index, 1.0)
        for alias in (a for raw in occupation.aliases for a in _split_alias(raw)):
            surface = self.surface(alias)
            if surface is None or surface == name:
                continue
            self._edge(surface, name, ALIAS_TO_NAME)
            self._edge(name, surface, NAME_TO_ALIAS)
            self._occupation(surface, index, 0.95)

    def add_group(self, group: SynonymGroup) -> None:
        members = [self.surface(t) for t in (group.canonical, *group.aliases)]
        surfaces = list(dict.fromkeys(m for m in members if m is not None))
        if not surfaces:
            return
        named = set(self._occupations.get(surfaces[0], {}))  # what the canonical term names
        reached = self._group_occupations(surfaces)
        for member in surfaces:
            self.display.setdefault(member, group.canonical)
            for other in surfaces:
                if other != member:
                    self._edge(member, other, GROUP)
            for occupation, name in reached:
                direct = occupation in named
                self._occupation(member, occupation, 0.9 if direct else 0.85)
                if direct and name != member:
                    self._edge(member, name, GROUP_TO_NAME)

    def _group_occupations(self, surfaces: Iterable[int]) -> list[tuple[int, int]]:
        """(occupation, its name surface) for occupations any group member names exactly."""
        found: dict[int, int] = {}
        for member in surfaces:
            for occupation in self._occupations.get(member, {}):
                found.setdefault(occupation, -1)
        name_of = {occ: surface for surface, occ in self._names.items()}
        return [(occ, name_of[occ]) for occ in found if occ in name_of]

    def links(self) -> list[tuple[Link, ...]]:
        out: list[tuple[Link, ...]] = []
        for surface in range(len(self.surfaces)):
            edges = sorted(self._edges.get(surface, {}).items(), key=lambda e: -e[1])
            out.append((Link(surface, 1.0), *(Link(t, w) for t, w in edges)))
        return out

    def occupation_links(self) -> list[tuple[tuple[int, float], ...]]:
        return [
            tuple(self._occupations.get(surface, {}).items())
            for surface in range(len(self.surfaces))
        ]


def load_vocabulary(content_dir: Path) -> Vocabulary:
    """Load ``occupations.csv`` and ``synonyms.yaml`` from ``content_dir``."""
    occupations = load_occupations(content_dir / OCCUPATIONS_FILE)
    groups = load_synonyms(content_dir / SYNONYMS_FILE)
    return Vocabulary(occupations, groups)
