"""A test-side chat partner: says things to the engine and reads the replies."""

from __future__ import annotations

import itertools

from sqlmodel import select

from core.dialog.messages import Incoming, Reply
from core.dialog.plaintext import render_reply
from core.runtime import Runtime
from core.storage.models import Conversation

_ids = itertools.count(1)


class Talk:
    """One chat identity talking to the engine, the way a channel adapter would."""

    def __init__(
        self,
        runtime: Runtime,
        user: str = "resident-1",
        channel: str = "console",
        lang: str | None = None,
    ) -> None:
        self.runtime, self.user, self.channel, self.lang = runtime, user, channel, lang
        self.last: Reply | None = None

    def send(
        self,
        text: str | None = None,
        *,
        choice: str | None = None,
        command: str | None = None,
        event: str | None = None,
        message_id: str | None = None,
        **extra: str,
    ) -> Reply:
        incoming = Incoming(
            channel=self.channel,
            user_id=self.user,
            text=text,
            choice=choice,
            command=command,
            event=event,
            message_id=message_id,
            lang_hint=self.lang,
            extra=extra,
        )
        self.last = self.runtime.engine.handle(incoming)
        return self.last

    def say(self, text: str, **kw: str) -> list[str]:
        """Sends text and returns the rendered replies (what a terminal user reads)."""
        return render_reply(self.runtime.content.catalog, self.send(text, **kw))

    def ids(self, reply: Reply | None = None) -> list[str]:
        """Text ids of the messages in a reply (tests assert on ids and facts, not wording)."""
        chosen = reply or self.last
        assert chosen is not None
        return [m.text.id for m in chosen.messages]

    def state_flow(self) -> str | None:
        """The flow this identity's conversation is in now (None at the menu)."""
        with self.runtime.db.transaction() as session:
            conv = session.exec(
                select(Conversation)
                .where(Conversation.channel == self.channel)
                .where(Conversation.external_id == self.user)
            ).one()
            return conv.flow

    def options(self, reply: Reply | None = None) -> list[str]:
        chosen = reply or self.last
        assert chosen is not None
        return [o.id for m in chosen.messages for o in m.options]
