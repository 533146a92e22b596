"""Outgoing messages as Telegram messages: options as inline keyboards, links as URL buttons,
text cut into parts of at most 4,096 characters at line boundaries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.content.catalog import Catalog, Rendered
from core.dialog.messages import Outgoing, t

MAX_TEXT = 4096  # Telegram counts UTF-16 code units


@dataclass(frozen=True)
class Part:
    """One ``sendMessage``: plain text (no parse mode) and, on the last part, the keyboard."""

    text: str
    markup: InlineKeyboardMarkup | None = None


def render_message(catalog: Catalog, message: Outgoing, lang: str) -> list[Part]:
    rendered = catalog.render(message, lang)
    buttons = _option_rows(catalog, rendered, lang)
    text = rendered.text
    for url, label in rendered.links:
        if _button_url(url):
            buttons.append([InlineKeyboardButton(label, url=url)])
        else:
            text += "\n" + catalog.text(t("render.link_line", label=label, url=url), lang)
    parts = split_text(text)
    markup = InlineKeyboardMarkup(buttons) if buttons else None
    return [Part(p) for p in parts[:-1]] + [Part(parts[-1], markup)]


def _option_rows(
    catalog: Catalog, rendered: Rendered, lang: str
) -> list[list[InlineKeyboardButton]]:
    """One button per row, numbered like the text ("reply with a number") promises."""
    return [
        [
            InlineKeyboardButton(
                catalog.text(t("telegram.option", number=o.number, label=o.label), lang),
                callback_data=o.id,
            )
        ]
        for o in rendered.options
    ]


def _button_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "tg" or (parts.scheme in ("http", "https") and bool(parts.netloc))


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Parts of at most ``limit`` UTF-16 units, each ending at a line break where possible
    (a single line longer than ``limit`` is cut, never inside a character)."""
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.splitlines(keepends=True):
        for piece, units in _pieces(line, limit):
            if current and used + units > limit:
                parts.append("".join(current))
                current, used = [], 0
            current.append(piece)
            used += units
    parts.append("".join(current))
    kept = [p.strip("\n") for p in parts if p.strip()]
    return kept or [text]


def _pieces(line: str, limit: int) -> Iterator[tuple[str, int]]:
    """The line in slices of at most ``limit`` units, with each slice's size."""
    start = units = 0
    for index, char in enumerate(line):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > limit:
            yield line[start:index], units
            start, units = index, 0
        units += width
    yield line[start:], units
