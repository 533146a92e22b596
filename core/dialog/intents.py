"""What free text typed at the main menu most likely asks for.

``match_intent`` is a pure function over the folded text, the menu items the person may use,
the words the content gives for each intent (content/messages: ``intent.words.*`` in every
language) and a test for job words; ``respond`` turns its answer into the reply, the same on
WeChat, Telegram and the terminal. Menu items named at the *start* of a message (找工作 保安)
are handled before this, by the router.

* a greeting alone (你好, 您好, hi) -> a greeting and the menu; a greeting followed by more
  text is read for the rest (你好，我想找保洁);
* a menu item's phrase anywhere in the text (我要投诉, 想预约指导, 怎么登记) -> that item;
* a job word (保洁, 找个保安的活, baojie) -> a search with the text;
* 绑定 without a code -> how staff get one;
* an acknowledgement alone (好的, 知道了, ok) -> a short answer, not the menu again;
* anything else -> a short help and the menu.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.content.catalog import Catalog
from core.dialog.commands import fold
from core.dialog.flow import IDLE, Ctx, MenuItem, Transition
from core.dialog.menu import items_for, menu_message
from core.dialog.messages import Outgoing, t

GREETING, ITEM, SEARCH, BIND_HELP, ACK, HELP = (
    "greeting",
    "item",
    "search",
    "bind_help",
    "ack",
    "help",
)
# The intents whose words content/messages gives (intent.words.<name>), besides menu items.
WORD_INTENTS = ("greeting", "bind", "ack")
_EDGES = re.compile(r"^[\s\W_]+|[\s\W_]+$")


@dataclass(frozen=True)
class Intent:
    kind: str  # GREETING, ITEM, SEARCH, BIND_HELP, ACK or HELP
    item: str = ""  # the menu item's id for ITEM
    text: str = ""  # what to search for (SEARCH)


def _strip(text: str) -> str:
    return _EDGES.sub("", text)


def _phrases(variants: Sequence[str]) -> tuple[str, ...]:
    """Every phrase of every language, longest first."""
    return _phrases_of(tuple(variants))


@lru_cache(maxsize=512)
def _phrases_of(variants: tuple[str, ...]) -> tuple[str, ...]:
    found = {p.strip().lower() for v in variants for p in v.split("|") if p.strip()}
    return tuple(sorted(found, key=len, reverse=True))


def match_intent(
    text: str,
    items: Sequence[str],
    words: Mapping[str, Sequence[str]],
    job_word: Callable[[str], bool],
) -> Intent:
    """The intent of ``text`` (already folded). ``items``: menu item ids open to the person,
    in menu order; ``words``: per item id or word intent, its phrases in every language;
    ``job_word``: whether a text names a job."""
    rest = _strip(text).lower()
    if not rest:
        return Intent(HELP)
    for greeting in _phrases(words.get("greeting", ())):
        if rest.startswith(greeting):
            rest = _strip(rest[len(greeting) :])
            if not rest:
                return Intent(GREETING)
            break
    if rest in _phrases(words.get("bind", ())):
        return Intent(BIND_HELP)
    if rest in _phrases(words.get("ack", ())):
        return Intent(ACK)
    for item in items:
        if any(phrase in rest for phrase in _phrases(words.get(item, ()))):
            return Intent(ITEM, item=item)
    if job_word(rest):
        return Intent(SEARCH, text=rest)
    return Intent(HELP)


def respond(
    ctx: Ctx,
    text: str,
    start_item: Callable[[Ctx, MenuItem, str], Transition],
) -> Transition:
    """The reply to free text at the main menu (see the module docstring)."""
    open_items = [item for item in items_for(ctx) if not item.hidden]
    job_word = ctx.parts.job_word
    intent = match_intent(
        fold(text),
        [i.id for i in open_items],
        _words(ctx, open_items),
        lambda words: job_word(ctx, words),
    )
    by_id = {item.id: item for item in open_items}
    if intent.kind == ITEM:  # an item that reads its words gets them all (我要投诉，窗口…)
        item = by_id[intent.item]
        return start_item(ctx, item, text if item.keep_words else "")
    if intent.kind == SEARCH and "jobs" in by_id:
        return start_item(ctx, by_id["jobs"], intent.text)
    if intent.kind == ACK:  # 好的, 知道了: acknowledged, without the whole menu again
        return Transition(IDLE, (Outgoing(t("intent.ack")),))
    said = {GREETING: "intent.greeting", BIND_HELP: "intent.bind_how"}.get(intent.kind)
    return Transition(IDLE, (Outgoing(t(said or "intent.help")), menu_message(ctx)))


def item_named(ctx: Ctx, text: str) -> MenuItem | None:
    """The menu item free text asks for by its phrases (我要投诉，…; 想预约指导), if any: what a
    flow that takes free text can use when the text plainly is not an answer to it."""
    open_items = [item for item in items_for(ctx) if not item.hidden]
    intent = match_intent(
        fold(text), [i.id for i in open_items], _words(ctx, open_items), lambda _words: False
    )
    if intent.kind != ITEM:
        return None
    return next(item for item in open_items if item.id == intent.item)


# Per catalog (a reloaded content directory is a new one) and menu: every text typed at
# the main menu, and every search typed inside 找工作, is read for these.
_WORDS: weakref.WeakKeyDictionary[Catalog, dict[tuple[MenuItem, ...], dict[str, Sequence[str]]]] = (
    weakref.WeakKeyDictionary()
)


def _words(ctx: Ctx, open_items: Sequence[MenuItem]) -> dict[str, Sequence[str]]:
    catalog = ctx.content.catalog
    known = _WORDS.setdefault(catalog, {})
    found = known.get(tuple(open_items))
    if found is not None:
        return found
    words: dict[str, Sequence[str]] = {}
    for item in open_items:  # a feature's item may give only its menu words
        for text_id in (f"intent.words.{item.id}", f"menu.words.{item.id}"):
            if catalog.has(text_id):
                words[item.id] = tuple(catalog.variants(text_id))
                break
    for name in WORD_INTENTS:
        words[name] = tuple(catalog.variants(f"intent.words.{name}"))
    known[tuple(open_items)] = words
    return words
