"""core/ knows nothing about channels or HTTP: adapters depend on it, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"
FORBIDDEN = ("bots", "telegram", "wechatpy", "fastapi", "starlette", "uvicorn")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_never_imports_channels_or_web_frameworks() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(_imports(path) & set(FORBIDDEN))
        for path in CORE.rglob("*.py")
        if _imports(path) & set(FORBIDDEN)
    }
    assert offenders == {}


def test_the_check_sees_core_modules() -> None:
    assert len(list(CORE.rglob("*.py"))) > 10
    assert "sqlmodel" in _imports(CORE / "storage" / "models.py")
