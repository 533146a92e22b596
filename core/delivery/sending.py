"""The port through which the dispatcher hands a push to a channel."""

from __future__ import annotations

from typing import Protocol

from core.dialog.messages import Reply


class TransientError(Exception):
    """Try again later (429, 5xx, timeouts); ``retry_after`` when the platform said so."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class PermanentError(Exception):
    """Never retry; ``unreachable`` when the recipient blocked us or left."""

    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.unreachable = reason, unreachable


class HoldForReply(Exception):
    """The channel cannot push now (e.g. WeChat's window closed); deliver with the next reply."""


class Sender(Protocol):
    channel: str
    global_rate: float  # messages per second across all processes
    recipient_rate: float  # messages per second to one recipient

    async def send(self, recipient: str, reply: Reply, kind: str) -> None:
        """Delivers ``reply``; raises one of the errors above when it cannot."""
        ...
