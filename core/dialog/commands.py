"""Global commands that work in every state, recognised in any language or as /commands."""

from __future__ import annotations

import unicodedata
import weakref
from enum import StrEnum

from core.content.catalog import Catalog


class Command(StrEnum):
    MENU = "menu"
    CANCEL = "cancel"
    BACK = "back"
    HELP = "help"
    LANGUAGE = "language"
    MINE = "mine"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    START = "start"
    ENGLISH = "english"
    CHINESE = "chinese"
    THANKS = "thanks"
    BYE = "bye"


# Slash commands some channels send (Telegram) and their aliases.
_SLASH = {
    "/start": Command.START,
    "/menu": Command.MENU,
    "/cancel": Command.CANCEL,
    "/back": Command.BACK,
    "/help": Command.HELP,
    "/lang": Command.LANGUAGE,
    "/language": Command.LANGUAGE,
    "/mine": Command.MINE,
    "/subscribe": Command.SUBSCRIBE,
    "/unsubscribe": Command.UNSUBSCRIBE,
}


# Only these take words after them; "取消 保安" is not a cancel.
_TAKES_ARGUMENT = frozenset({Command.SUBSCRIBE})


def fold(text: str) -> str:
    """NFKC, lower case, no surrounding spaces or punctuation: how commands are compared."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    return folded.strip(" .。!！?？~～")


def is_listed(catalog: Catalog, text: str, words_id: str) -> bool:
    """Whether typed text is one of the words listed under ``words_id`` ("没有了|不用了|…",
    every language), compared as commands are (``fold``)."""
    typed = fold(text)
    return bool(typed) and typed in _listed(catalog, words_id)


# Per catalog (a reloaded content directory is a new one) and text id.
_LISTED: weakref.WeakKeyDictionary[Catalog, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def _listed(catalog: Catalog, words_id: str) -> frozenset[str]:
    known = _LISTED.setdefault(catalog, {})
    found = known.get(words_id)
    if found is None:
        words = (w for v in catalog.variants(words_id) for w in v.split("|"))
        found = known[words_id] = frozenset(f for w in words if (f := fold(w)))
    return found


class CommandWords:
    """Maps typed words to commands; the words come from the catalog (``command.<name>``)."""

    def __init__(self, catalog: Catalog) -> None:
        self._words: dict[str, Command] = {}
        for command in Command:
            for variant in catalog.variants(f"command.{command.value}"):
                for word in variant.split("|"):
                    if fold(word):
                        self._words[fold(word)] = command

    def match(self, text: str) -> tuple[Command, str] | None:
        """The command the text names, with any words after it ("订阅 保洁 历下")."""
        folded = fold(text)
        head, _, rest = folded.partition(" ")
        slash = _SLASH.get(head.split("@", 1)[0])  # Telegram group form: /menu@jobbot
        if slash is not None:
            return slash, rest.strip()
        if folded in self._words:
            return self._words[folded], ""
        if self._words.get(head) in _TAKES_ARGUMENT:
            return self._words[head], rest.strip()
        return None
