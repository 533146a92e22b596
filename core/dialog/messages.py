"""Channel-neutral messages in and out of the dialog engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

MAX_OPTION_ID_BYTES = 64  # Telegram's callback_data limit
# A photo the person sent: ``Incoming(event=PHOTO, extra={"ref": ...})``, where ``ref`` is
# the channel's own reference to the file (WeChat media id, Telegram file id), kept as such.
PHOTO = "photo"


@dataclass(frozen=True)
class Text:
    """A catalog text id with parameters; a parameter may itself be a ``Text``, or a tuple
    of them, rendered one per line."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "params": {k: _param_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Text:
        return cls(raw["id"], {k: _param_from_json(v) for k, v in raw.get("params", {}).items()})


def _param_json(value: Any) -> Any:
    if isinstance(value, Text):
        return {"$text": value.to_json()}
    if isinstance(value, list | tuple):
        return {"$lines": [_param_json(v) for v in value]}
    return value


def _param_from_json(value: Any) -> Any:
    if isinstance(value, dict) and "$text" in value:
        return Text.from_json(value["$text"])
    if isinstance(value, dict) and "$lines" in value:
        return tuple(_param_from_json(v) for v in value["$lines"])
    # ``Reply.dumps``: a text as its own fields, lines as a list.
    if isinstance(value, dict) and value.keys() == _TEXT_FIELDS:
        return Text.from_json(value)
    if isinstance(value, list):
        return tuple(_param_from_json(v) for v in value)
    return value


_TEXT_FIELDS = {"id", "params"}


def t(text_id: str, **params: Any) -> Text:
    return Text(text_id, params)


@dataclass(frozen=True)
class Option:
    """A choice offered to the user; ``id`` is compact (fits Telegram's 64-byte callbacks)."""

    id: str
    label: Text

    def __post_init__(self) -> None:
        # Up to a quarter of the limit in characters fits whatever they are (UTF-8 takes at
        # most 4 bytes each): most ids are not encoded at all, and every option is checked.
        if not self.id or (
            len(self.id) > MAX_OPTION_ID_BYTES // 4 and len(self.id.encode()) > MAX_OPTION_ID_BYTES
        ):
            raise ValueError(f"option id must be 1..{MAX_OPTION_ID_BYTES} bytes: {self.id!r}")


@dataclass(frozen=True)
class Link:
    url: str
    label: Text


@dataclass(frozen=True)
class Outgoing:
    text: Text
    options: tuple[Option, ...] = ()
    links: tuple[Link, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text.to_json(),
            "options": [{"id": o.id, "label": o.label.to_json()} for o in self.options],
            "links": [{"url": k.url, "label": k.label.to_json()} for k in self.links],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Outgoing:
        return cls(
            text=Text.from_json(raw["text"]),
            options=tuple(Option(o["id"], Text.from_json(o["label"])) for o in raw["options"]),
            links=tuple(Link(k["url"], Text.from_json(k["label"])) for k in raw["links"]),
        )


@dataclass(frozen=True)
class Incoming:
    """What a user did, whatever the channel.

    Exactly one of ``text``, ``choice``, ``command`` or ``event`` is normally set:
    typed text, an option id picked from a keyboard, a channel command (/menu, a menu
    click), or a platform event (subscribe, unsubscribe, location).
    """

    channel: str
    user_id: str
    text: str | None = None
    choice: str | None = None
    command: str | None = None
    event: str | None = None
    message_id: str | None = None
    lang_hint: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """The engine's answer: what to show, in which language, and whether it is a repeat."""

    lang: str
    messages: tuple[Outgoing, ...]
    duplicate: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"lang": self.lang, "messages": [m.to_json() for m in self.messages]}

    def dumps(self) -> bytes:
        """The reply as JSON that ``from_json`` reads back, written by orjson straight from
        the dataclasses: a tenth of what ``to_json`` costs, for the copy of every reply the
        engine keeps for re-deliveries. A text parameter that is a plain dict with just
        "id" and "params" would read back as a text; no text has such a parameter."""
        return orjson.dumps(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], *, duplicate: bool = False) -> Reply:
        msgs = tuple(Outgoing.from_json(m) for m in raw.get("messages", []))
        return cls(lang=raw.get("lang", "zh-CN"), messages=msgs, duplicate=duplicate)
