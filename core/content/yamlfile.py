"""YAML loading that remembers where each key stood, for precise start-up errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class ContentError(ValueError):
    """An invalid content file: names the file, the line, the key and the problem."""

    def __init__(self, path: Path, key: str, problem: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")
        self.path, self.key, self.problem, self.line = path, key, problem, line


@dataclass(frozen=True)
class YamlDoc:
    path: Path
    data: Any
    lines: dict[str, int]

    def error(self, key: str, problem: str) -> ContentError:
        return ContentError(self.path, key, problem, self.lines.get(key))


def _walk(node: yaml.Node, prefix: str, lines: dict[str, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            path = f"{prefix}.{key}" if prefix else key
            if key in out:
                raise _Duplicate(path, key_node.start_mark.line + 1)
            lines[path] = key_node.start_mark.line + 1
            out[key] = _walk(value_node, path, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            path = f"{prefix}[{i}]"
            lines[path] = item.start_mark.line + 1
            items.append(_walk(item, path, lines))
        return items
    return yaml.SafeLoader(yaml.serialize(node)).get_single_data() if node.tag else node.value


class _Duplicate(Exception):
    def __init__(self, path: str, line: int) -> None:
        super().__init__(path)
        self.path, self.line = path, line


def load_yaml(path: Path) -> YamlDoc:
    """Parses ``path``; syntax errors and duplicate keys become ``ContentError``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentError(path, "", "file is missing") from exc
    except UnicodeDecodeError as exc:
        raise ContentError(path, "", "file is not valid UTF-8") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ContentError(path, "", f"not valid YAML ({exc})", line) from None
    lines: dict[str, int] = {}
    if node is None:
        return YamlDoc(path, None, lines)
    try:
        data = _walk(node, "", lines)
    except _Duplicate as dup:
        raise ContentError(path, dup.path, "duplicate key", dup.line) from None
    return YamlDoc(path, data, lines)
