"""Plain-text rendering for channels without buttons (terminal, WeChat passive replies)."""

from __future__ import annotations

import weakref

from core.content.catalog import Catalog
from core.dialog.messages import Outgoing, Reply

FIXED_KEPT = 512  # rendered messages without parameters, per catalog (cleared when full)

# The main menu and other messages without parameters come out the same every time; a
# reloaded content directory is a new catalog, so nothing stale is shown.
_FIXED: weakref.WeakKeyDictionary[Catalog, dict[tuple[object, ...], str]] = (
    weakref.WeakKeyDictionary()
)


def render_plain(catalog: Catalog, message: Outgoing, lang: str) -> str:
    """The text, then one "回复 N  label" line per option, then links."""
    key = _fixed_key(message, lang)
    if key is None:
        return _render(catalog, message, lang)
    known = _FIXED.setdefault(catalog, {})
    found = known.get(key)
    if found is None:
        found = _render(catalog, message, lang)
        if len(known) >= FIXED_KEPT:
            known.clear()
        known[key] = found
    return found


def _fixed_key(message: Outgoing, lang: str) -> tuple[object, ...] | None:
    """What a message without parameters is rendered from, or None when it has some."""
    if message.text.params or message.links:
        return None
    labels = []
    for option in message.options:
        if option.label.params:
            return None
        labels.append(option.label.id)
    return (lang, message.text.id, *labels)


def _render(catalog: Catalog, message: Outgoing, lang: str) -> str:
    rendered = catalog.render(message, lang)
    lines = [rendered.text]
    lines += [
        catalog.fill("render.option_line", lang, number=o.number, label=o.label)
        for o in rendered.options
    ]
    lines += [
        catalog.fill("render.link_line", lang, label=label, url=url)
        for url, label in rendered.links
    ]
    return "\n".join(lines)


def render_reply(catalog: Catalog, reply: Reply) -> list[str]:
    return [render_plain(catalog, m, reply.lang) for m in reply.messages]
