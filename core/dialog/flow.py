"""What a flow is: a small state machine whose steps return the next state and replies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from core.content.loader import Content
from core.dialog.messages import Outgoing, Text
from core.people.personal import Vault
from core.people.staff import StaffView


@dataclass(frozen=True)
class State:
    """Where a conversation stands; ``flow is None`` means at the main menu."""

    flow: str | None = None
    step: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


IDLE = State()


@dataclass(frozen=True)
class Input:
    """One user action after the engine has mapped numbers to options."""

    text: str = ""
    choice: str | None = None


@dataclass(frozen=True)
class Transition:
    """The next state and what to say; ``remember=False`` keeps the step off the back-stack."""

    state: State
    replies: tuple[Outgoing, ...] = ()
    remember: bool = True


@dataclass
class Ctx:
    """What a step may read and the edge through which it may act (one transaction)."""

    session: Session
    content: Content
    vault: Vault
    now: datetime
    channel: str
    user_id: str
    lang: str
    staff: StaffView | None
    conversation_id: int
    settings: Mapping[str, Any] = field(default_factory=dict)

    def text(self, item: Text) -> str:
        return self.content.catalog.text(item, self.lang)


class Flow(Protocol):
    name: str

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Begins the flow; ``arg`` is any text typed with the command (e.g. 找工作 保安)."""
        ...

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Takes the user's answer to the current step."""
        ...

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        """Asks the current step's question again (after help, back or a stale button)."""
        ...
