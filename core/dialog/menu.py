"""The main menu, mirroring the platform's service functions (就失业登记, 职业介绍, 信息发布 …).

Features contribute their items (see ``core.features``); the items below belong to the
dialog itself (我的, 待办) or name services whose feature is not built yet, so the menu
keeps its shape and the bot says plainly what is still missing.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from core.content.catalog import Catalog
from core.dialog.flow import Ctx, MenuItem
from core.dialog.messages import Option, Outgoing, t

MENU_PREFIX = "m:"

OWN_ITEMS: tuple[MenuItem, ...] = (
    MenuItem("mine", "mine", order=60),
    MenuItem("tasks", "staff_tasks", order=70, staff_only=True),
)
# Promised services whose features are not built yet; a feature with the same id replaces one.
PLANNED: tuple[MenuItem, ...] = ()


def assemble(contributed: Iterable[MenuItem]) -> tuple[MenuItem, ...]:
    """The menu in order; a feature's item replaces a planned one of the same id."""
    items = {item.id: item for item in PLANNED}
    for item in (*OWN_ITEMS, *contributed):
        if item.id in items and items[item.id] not in PLANNED:
            raise ValueError(f"menu item {item.id!r} is contributed twice")
        items[item.id] = item
    return tuple(sorted(items.values(), key=lambda item: (item.order, item.id)))


def items_for(ctx: Ctx) -> list[MenuItem]:
    return [item for item in ctx.parts.menu if not item.staff_only or ctx.staff is not None]


def menu_message(ctx: Ctx, intro: str = "menu.title") -> Outgoing:
    options = tuple(
        Option(MENU_PREFIX + item.id, t(f"menu.item.{item.id}"))
        for item in items_for(ctx)
        if not item.hidden
    )
    return Outgoing(t(intro), options)


def find_item(ctx: Ctx, choice: str) -> MenuItem | None:
    if not choice.startswith(MENU_PREFIX):
        return None
    wanted = choice[len(MENU_PREFIX) :]
    # A staff item picked by someone who is not (a forged button) is no item for them.
    return next((item for item in items_for(ctx) if item.id == wanted), None)


def item_by_words(
    ctx: Ctx, text: str, *, primary_only: bool = False
) -> tuple[MenuItem, str] | None:
    """A menu item named at the start of typed text ("找工作 保安 历下"), with the rest.

    ``primary_only`` considers only the first word listed per language (its main name)."""
    named = named_at_start(ctx, text, primary_only=primary_only)
    if named is None:
        return None
    item, rest = named
    return item, text if item.keep_words else rest


def named_at_start(
    ctx: Ctx, text: str, *, primary_only: bool = False
) -> tuple[MenuItem, str] | None:
    """``item_by_words`` with what follows the item's word, whatever the item reads."""
    lowered = text.lower()
    for item, word, folded in _item_words(ctx.content.catalog, tuple(items_for(ctx)), primary_only):
        if lowered.startswith(folded):
            return item, text[len(word) :].strip()
    return None


# Per catalog (a reloaded content directory is a new one): every typed text outside a
# flow, and every answer inside one, is checked against the menu's words.
_WORDS: weakref.WeakKeyDictionary[Catalog, dict[Any, list[tuple[MenuItem, str, str]]]] = (
    weakref.WeakKeyDictionary()
)


def _item_words(
    catalog: Catalog, items: tuple[MenuItem, ...], primary_only: bool
) -> list[tuple[MenuItem, str, str]]:
    """(item, word, lowered word) in the order they are tried: items in menu order, each
    language's words longest first."""
    known = _WORDS.setdefault(catalog, {})
    found = known.get((items, primary_only))
    if found is None:
        found = []
        for item in items:
            for variant in catalog.variants(f"menu.words.{item.id}"):
                words = variant.split("|")[:1] if primary_only else variant.split("|")
                for word in sorted(words, key=len, reverse=True):
                    word = word.strip()
                    if word:
                        found.append((item, word, word.lower()))
        known[items, primary_only] = found
    return found
