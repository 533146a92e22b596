"""Pushes to terminal identities: printed (masked) and kept for whoever is watching."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.console import Console

from core.content.catalog import Catalog
from core.dialog.messages import Reply
from core.dialog.plaintext import render_reply
from core.people.personal import redact


@dataclass
class TerminalSender:
    catalog: Catalog
    console: Console | None = None
    global_rate: float = 50.0
    recipient_rate: float = 50.0
    channel: str = "console"
    sent: list[tuple[str, str, list[str]]] = field(default_factory=list)

    async def send(self, recipient: str, reply: Reply, kind: str) -> None:
        texts = render_reply(self.catalog, reply)
        self.sent.append((recipient, kind, texts))
        if self.console is not None:
            for text in texts:
                self.console.print(
                    f"[bold magenta]📣 {recipient}[/] {redact(text)}", highlight=False
                )
