"""How `jobbot serve` (and the benchmarks, so their figures mean the same thing) run uvicorn."""

from __future__ import annotations

import importlib.util
from typing import Any

import uvicorn


def http_stack() -> dict[str, str]:
    """uvicorn's fast parts when installed (``uvicorn[standard]`` brings httptools and, where the
    platform has it, uvloop): about twice the requests per core of the pure-Python h11/asyncio
    pair. Named explicitly rather than left to "auto" so the choice can be reported and tested."""
    has = importlib.util.find_spec
    return {
        "http": "httptools" if has("httptools") else "h11",
        "loop": "uvloop" if has("uvloop") else "asyncio",
    }


def server_config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    stack = http_stack()
    return uvicorn.Config(
        app, host=host, port=port, http=stack["http"], loop=stack["loop"], **extra
    )
