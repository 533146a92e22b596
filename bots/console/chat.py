"""`jobbot chat`: an interactive conversation, or a scripted one that prints its transcript."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path

from rich.console import Console

from bots.console.sender import TerminalSender
from core.delivery.dispatch import Dispatcher
from core.dialog.messages import Incoming, Reply
from core.dialog.plaintext import render_reply
from core.runtime import Runtime

CHANNEL = "console"
_ids = itertools.count(1)


class ConsoleSession:
    """One terminal user talking to the engine; pushes to them are shown after each reply."""

    def __init__(self, runtime: Runtime, user: str, lang: str | None, console: Console) -> None:
        self.runtime, self.user, self.lang, self.console = runtime, user, lang, console
        self.sender = TerminalSender(runtime.content.catalog)
        self.dispatcher = Dispatcher(runtime.db, {CHANNEL: self.sender}, worker_id="chat")

    def say(self, text: str) -> list[str]:
        incoming = Incoming(channel=CHANNEL, user_id=self.user, text=text, lang_hint=self.lang)
        return self._show(self.runtime.engine.handle(incoming))

    def start(self) -> list[str]:
        incoming = Incoming(
            channel=CHANNEL, user_id=self.user, event="subscribe", lang_hint=self.lang
        )
        return self._show(self.runtime.engine.handle(incoming))

    def _show(self, reply: Reply) -> list[str]:
        texts = render_reply(self.runtime.content.catalog, reply)
        asyncio.run(self.dispatcher.run_once())
        texts += [
            f"📣 {text}" for to, _, got in self.sender.sent if to == self.user for text in got
        ]
        self.sender.sent.clear()
        return texts


def script_lines(path: Path) -> Iterator[str]:
    """Non-empty lines that are not comments (``#``)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()


def run_script(session: ConsoleSession, lines: Iterable[str]) -> list[str]:
    transcript = [f"bot: {text}" for text in session.start()]
    for line in lines:
        transcript.append(f"> {line}")
        transcript += [f"bot: {text}" for text in session.say(line)]
    return transcript


def interactive(session: ConsoleSession) -> None:
    console = session.console
    for text in session.start():
        console.print(text, highlight=False)
    while True:
        try:
            line = console.input("[bold green]> [/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        if not line.strip():
            continue
        for text in session.say(line):
            console.print(text, highlight=False)
