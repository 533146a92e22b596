"""Plain-text rendering for channels without buttons (terminal, WeChat passive replies)."""

from __future__ import annotations

from core.content.catalog import Catalog
from core.dialog.messages import Outgoing, Reply


def render_plain(catalog: Catalog, message: Outgoing, lang: str) -> str:
    """The text, then one "回复 N  label" line per option, then links."""
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
