"""Loading the staff-editable synonym table and the occupation list from ``content/``.

``synonyms.yaml``::

    version: 1
    synonyms:
      保安: [门卫, 看门, 保安员]

Keys are canonical terms, values non-empty lists of colloquial or alternative names.
``occupations.csv`` has columns ``code,name,aliases`` (aliases ``|``-separated).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.matching.normalize import strip_csco_marker


class VocabularyError(ValueError):
    """A content file is malformed; the message names the file and the offending entry."""


@dataclass(frozen=True)
class SynonymGroup:
    canonical: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Occupation:
    code: str
    name: str
    aliases: tuple[str, ...]


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys instead of silently keeping the last."""


def _construct_unique_mapping(
    loader: _UniqueKeyLoader, node: yaml.MappingNode
) -> dict[object, object]:
    seen: set[object] = set()
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        if key in seen:
            line = key_node.start_mark.line + 1
            raise VocabularyError(f"{loader.name}: duplicate key {key!r} (line {line})")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def load_synonyms(path: Path) -> tuple[SynonymGroup, ...]:
    """Read ``synonyms.yaml``; raises :class:`VocabularyError` naming the file and key."""
    with path.open(encoding="utf-8") as handle:
        loader = _UniqueKeyLoader(handle)
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        except yaml.YAMLError as exc:
            raise VocabularyError(f"{path}: not valid YAML: {exc}") from exc
        finally:
            loader.dispose()  # type: ignore[no-untyped-call]
    if not isinstance(data, dict) or not isinstance(data.get("synonyms"), dict):
        raise VocabularyError(f"{path}: expected a mapping with a 'synonyms' mapping")
    return tuple(_parse_group(path, key, value) for key, value in data["synonyms"].items())


def _parse_group(path: Path, key: object, value: object) -> SynonymGroup:
    if not isinstance(key, str) or not key.strip():
        raise VocabularyError(f"{path}: synonym key {key!r} must be a non-empty string")
    if not isinstance(value, list) or not value:
        raise VocabularyError(f"{path}: synonym key {key!r} needs a non-empty list of aliases")
    aliases: list[str] = []
    for alias in value:
        if not isinstance(alias, str | int) or not str(alias).strip():
            raise VocabularyError(f"{path}: synonym key {key!r} has an empty or non-text alias")
        text = str(alias).strip()
        if text in aliases:
            raise VocabularyError(f"{path}: synonym key {key!r} lists {text!r} twice")
        if text != key.strip():
            aliases.append(text)
    return SynonymGroup(canonical=key.strip(), aliases=tuple(aliases))


def load_occupations(path: Path) -> tuple[Occupation, ...]:
    """Read ``occupations.csv`` (``code,name,aliases``)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name", "aliases"} - set(reader.fieldnames or ())
        if missing:
            raise VocabularyError(f"{path}: missing columns {sorted(missing)}")
        rows = enumerate(reader, start=2)  # row 1 is the header
        return tuple(_parse_occupation(path, number, row) for number, row in rows)


def _parse_occupation(path: Path, number: int, row: dict[str, str]) -> Occupation:
    code = (row.get("code") or "").strip()
    name = strip_csco_marker(row.get("name") or "")
    if not code or not name:
        raise VocabularyError(f"{path}: row {number} needs a code and a name")
    aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
    return Occupation(code=code, name=name, aliases=aliases)
