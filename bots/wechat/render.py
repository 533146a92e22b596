"""Replies as WeChat text: numbered options, split under the size limit, safe inside XML."""

from __future__ import annotations

import re
import time

from core.content.catalog import Catalog
from core.dialog.messages import Reply, t
from core.dialog.plaintext import render_plain

# A text message (passive reply or customer-service message) carries at most 2048 bytes
# of UTF-8 content; longer ones fail (45002) or are dropped.
TEXT_LIMIT_BYTES = 2048
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def reply_text(catalog: Catalog, reply: Reply) -> str:
    """Every message of the reply, each with its "回复 N" lines, one blank line apart."""
    text = "\n\n".join(render_plain(catalog, m, reply.lang) for m in reply.messages)
    return _NOT_XML.sub("", text)


def split_parts(catalog: Catalog, text: str, lang: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """Parts of at most ``limit`` bytes, cut at line ends (a line longer than a part is
    cut between characters); every part but the last ends with the "回复 更多" hint."""
    if _size(text) <= limit:
        return [text]
    hint = catalog.text(t("wechat.more.hint"), lang)
    room = limit - _size("\n" + hint)
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        for piece in _pieces(line, room):
            joined = f"{current}\n{piece}" if current else piece
            if current and _size(joined) > room:
                parts.append(current)
                current = piece
            else:
                current = joined
    parts.append(current)
    return [f"{p}\n{hint}" for p in parts[:-1]] + [parts[-1]]


def _pieces(line: str, room: int) -> list[str]:
    """The line itself, or consecutive slices of it that each fit in ``room`` bytes."""
    if _size(line) <= room:
        return [line]
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for char in line:
        width = _size(char)
        if used + width > room:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += width
    pieces.append("".join(current))
    return pieces


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def cdata_safe(text: str) -> str:
    """Text that stays inside ``<![CDATA[...]]>``: ``]]>`` is split across two sections
    (wechatpy does not do this) and characters XML cannot carry are dropped."""
    return _NOT_XML.sub("", text).replace("]]>", "]]]]><![CDATA[>")


_PASSIVE = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{content}]]></Content>\n"
    "<FromUserName><![CDATA[{account}]]></FromUserName>\n"
    "<ToUserName><![CDATA[{openid}]]></ToUserName>\n<CreateTime>{time}</CreateTime>\n</xml>"
)


def passive_xml(*, account: str, openid: str, content: str, now: int | None = None) -> str:
    """The passive text reply WeChat expects in the HTTP response: what wechatpy's
    ``TextReply.render`` writes (a test compares them), filled in directly, since every
    message pays for it and the object model cost a twentieth of a message's CPU."""
    return _PASSIVE.format(
        content=cdata_safe(content),
        account=cdata_safe(account),
        openid=cdata_safe(openid),
        time=int(time.time()) if now is None else now,
    )
