"""What a flow is: a small state machine whose steps return the next state and replies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
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


@dataclass(frozen=True)
class MenuItem:
    """One entry of the main menu; ``order`` places it, ``flow`` serves it (a flow absent
    from the assembled set means the feature is not built yet, and the bot says so)."""

    id: str
    flow: str
    order: int
    staff_only: bool = False
    keep_words: bool = False  # the flow gets the whole typed text ("失业登记" names the kind)
    hidden: bool = False  # reached by its words only, not listed in the menu
    start_arg: str = ""  # what the flow starts with when picked by its words


@dataclass(frozen=True)
class TaskItem:
    """One line of a staff member's 待办, from whichever feature owns it."""

    ref: str  # the feature's own reference; its flow starts with it
    label: Text
    due_at: datetime | None


@dataclass(frozen=True)
class TaskSource:
    """Where a feature's 待办 items come from: ``items`` runs one query for all of them,
    and ``flow`` (started with an item's ``ref``) opens one."""

    feature: str
    flow: str
    items: Callable[[Ctx, StaffView], Sequence[TaskItem]]


MineSection = Callable[["Ctx"], "Outgoing | None"]
# Deletes what a feature keeps about one chat identity (channel, external id) when it
# leaves, inside the caller's transaction. Government records stay; chat-side traces go.
Eraser = Callable[[Session, str, str], None]


def _no_job_words(ctx: Ctx, text: str) -> bool:
    return False


@dataclass(frozen=True)
class Parts:
    """The assembled dialog: every enabled feature's flows, menu items, 我的 sections and
    待办 sources. Built once per runtime; the router and side trips read only this."""

    flows: Mapping[str, Flow]
    menu: tuple[MenuItem, ...] = ()
    mine: tuple[MineSection, ...] = ()
    tasks: tuple[TaskSource, ...] = ()
    # Whether typed text names a job (the openings feature knows); free text at the main
    # menu that does starts a search.
    job_word: Callable[[Ctx, str], bool] = _no_job_words


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
    parts: Parts = field(default_factory=lambda: Parts({}))
    settings: Mapping[str, Any] = field(default_factory=dict)

    def text(self, item: Text) -> str:
        return self.content.catalog.text(item, self.lang)


class Flow(Protocol):
    name: str

    # A flow that takes photos may also define ``attach(ctx, state, ref) -> Transition |
    # None`` (``ref``: the channel's reference to the file); see ``sidetrips.event``.
    # Every step the flow may store; a stored state naming another restarts the flow.
    # A flow opened from another may also name it as ``parent``: 返回 at its first step
    # starts the parent again (a case opened from 待办 goes back to the list). Steps whose
    # question takes any text (a keyword, a note) may be listed as ``free_text``; the flow
    # contract test then expects only blank input to re-ask there.
    @property
    def steps(self) -> AbstractSet[str]: ...

    def start(self, ctx: Ctx, arg: str) -> Transition:
        """Begins the flow; ``arg`` is any text typed with the command (e.g. 找工作 保安)."""
        ...

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        """Takes the user's answer to the current step."""
        ...

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        """Asks the current step's question again (after help, back or a stale button)."""
        ...
