"""The conversation row as the engine works on it: a plain object, written back once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class ChatIdentity:
    """One channel user's conversation (mirrors the ``conversation`` table)."""

    id: int
    channel: str
    external_id: str
    lang: str = "zh-CN"
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    history: list[Any] = field(default_factory=list)
    last_options: list[list[str]] = field(default_factory=list)  # [option id, folded label]
    staff_id: int | None = None
    area_code: str | None = None
    reachable: bool = True
    unreachable_reason: str | None = None
    last_inbound_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
