"""The main menu, mirroring the platform's service functions (就失业登记, 职业介绍, 信息发布 …)."""

from __future__ import annotations

from dataclasses import dataclass

from core.dialog.flow import Ctx
from core.dialog.messages import Option, Outgoing, t

MENU_PREFIX = "m:"


@dataclass(frozen=True)
class MenuItem:
    id: str
    flow: str  # the flow that serves it; absent from the registry = not built yet
    staff_only: bool = False
    keep_words: bool = False  # the flow gets the whole typed text ("失业登记" names the kind)
    hidden: bool = False  # reached by its words only, not listed in the menu
    start_arg: str = ""  # what the flow starts with when picked by its words


MAIN_MENU: tuple[MenuItem, ...] = (
    MenuItem("register", "register", keep_words=True),
    MenuItem("jobs", "jobs"),
    MenuItem("booking", "booking"),
    MenuItem("notices", "notices"),
    MenuItem("complaint", "complaint"),
    MenuItem("mine", "mine"),
    MenuItem("tasks", "staff_tasks", staff_only=True),
    MenuItem("matches", "jobs", hidden=True, start_arg="j:mine"),
)


def items_for(ctx: Ctx) -> list[MenuItem]:
    return [item for item in MAIN_MENU if not item.staff_only or ctx.staff is not None]


def menu_message(ctx: Ctx, intro: str = "menu.title") -> Outgoing:
    options = tuple(
        Option(MENU_PREFIX + item.id, t(f"menu.item.{item.id}"))
        for item in items_for(ctx)
        if not item.hidden
    )
    return Outgoing(t(intro), options)


def find_item(choice: str) -> MenuItem | None:
    if not choice.startswith(MENU_PREFIX):
        return None
    wanted = choice[len(MENU_PREFIX) :]
    return next((item for item in MAIN_MENU if item.id == wanted), None)


def item_by_words(
    ctx: Ctx, text: str, *, primary_only: bool = False
) -> tuple[MenuItem, str] | None:
    """A menu item named at the start of typed text ("找工作 保安 历下"), with the rest.

    ``primary_only`` considers only the first word listed per language (its main name)."""
    catalog = ctx.content.catalog
    for item in items_for(ctx):
        for variant in catalog.variants(f"menu.words.{item.id}"):
            words = variant.split("|")[:1] if primary_only else variant.split("|")
            for word in sorted(words, key=len, reverse=True):
                word = word.strip()
                if word and text.lower().startswith(word.lower()):
                    return item, text if item.keep_words else text[len(word) :].strip()
    return None
