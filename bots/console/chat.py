"""`jobbot chat`: an interactive conversation, or a scripted one that prints its transcript.

Opening the chat resumes the conversation (no second welcome) and shows the notices that
waited for this identity; after every turn the notices that arrived meanwhile follow the
reply. Pushes to other identities stay where they are until their own chat opens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from rich.console import Console

from core.delivery.outbox import take_waiting
from core.dialog.messages import Incoming, Reply
from core.dialog.plaintext import render_reply
from core.runtime import Runtime

CHANNEL = "console"
OPEN = "open"  # the event a terminal sends when its chat opens
SWITCH = "@"  # a script line "@name" continues as another terminal identity


class ConsoleSession:
    """One terminal identity talking to the engine."""

    def __init__(self, runtime: Runtime, user: str, lang: str | None, console: Console) -> None:
        self.runtime, self.user, self.lang, self.console = runtime, user, lang, console

    def open(self) -> list[str]:
        """The chat opens: a first greeting, or where the conversation was."""
        return self._turn(
            Incoming(channel=CHANNEL, user_id=self.user, event=OPEN, lang_hint=self.lang)
        )

    def say(self, text: str) -> list[str]:
        return self._turn(
            Incoming(channel=CHANNEL, user_id=self.user, text=text, lang_hint=self.lang)
        )

    def _turn(self, incoming: Incoming) -> list[str]:
        engine = self.runtime.engine
        texts = render_reply(engine.content.catalog, engine.handle(incoming))
        with self.runtime.db.transaction() as session:
            waiting: list[Reply] = take_waiting(session, CHANNEL, self.user, engine.clock())
        notices = [t for reply in waiting for t in render_reply(engine.content.catalog, reply)]
        return texts + [f"📣 {text}" for text in notices]


def script_lines(path: Path) -> Iterator[str]:
    """Non-empty lines that are not comments (``#``)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()


def run_script(session: ConsoleSession, lines: Iterable[str]) -> list[str]:
    """Replays ``lines``; "@name" closes this chat and opens name's (back with "@first")."""
    transcript = [f"== {session.user} =="] + [f"bot: {text}" for text in session.open()]
    for line in lines:
        if line.startswith(SWITCH) and len(line) > 1 and " " not in line:
            session = ConsoleSession(session.runtime, line[1:], session.lang, session.console)
            transcript.append(f"== {session.user} ==")
            transcript += [f"bot: {text}" for text in session.open()]
            continue
        transcript.append(f"> {line}")
        transcript += [f"bot: {text}" for text in session.say(line)]
    return transcript


def interactive(session: ConsoleSession) -> None:
    console = session.console
    for text in session.open():
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
