"""Turning what a resident typed into search tokens.

"我想找个保安的工作" -> ["保安"]; "济南 保洁 包吃住" -> ["济南", "保洁"] (area names are taken
out earlier by the area lookup). Chat phrasing around the job word is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Container

from core.matching.normalize import HEAD_WORDS, normalize_text, strip_decoration

_LEAD = re.compile(
    r"^(?:请问|麻烦|帮我|帮忙|你好|您好|我|俺|本人)*"
    r"(?:想要|想|要|需要|打算|准备)?"
    r"(?:在|去|到)?"
    r"(?:找|寻找|应聘|求职|做|干|当|上|学)?"
    r"(?:一份|一个|个|份|点)?"
    r"(?:有没有|有无|有什么|有啥|哪里有|哪有|还有|有)?"
    r"(?:招聘|招(?![生商标投待]))?"
)
_TAIL = re.compile(
    r"(?:的)?(?:工作岗位|工作|活儿|活|岗位|职位|招聘信息|招聘|差事|事情|事|兼职工作)?"
    r"(?:的)?(?:吗|呢|啊|吧|呀|么|嘛)?$"
)
_HEADS = frozenset(HEAD_WORDS)
_INNER = re.compile(r"(?:有没有|哪里有|附近的?|相关的?|方面的?|类的?)")
_STOP_TOKENS = frozenset(
    {
        "我",
        "想",
        "找",
        "工作",
        "找工作",
        "岗位",
        "职位",
        "招聘",
        "附近",
        "的",
        "要",
        "有",
        "吗",
        "呢",
        "什么",
        "啥",
        "什么工作",
        "啥工作",
        "活",
        "活儿",
        "求职",
        "应聘",
    }
)


def _lead_length(token: str, known: Container[str]) -> int:
    """Characters of chat phrasing at the start, short of a known job word they begin (做账)."""
    lead = _LEAD.match(token)
    length = lead.end() if lead else 0
    for start in range(length):
        if any(token[start:stop] in known for stop in range(length + 1, len(token) + 1)):
            return start
    return 0 if len(token) - length == 1 else length


def clean_token(token: str, known: Container[str] = frozenset()) -> list[str]:
    """Drop chat phrasing around one token (nothing remains of pure chat like 有活吗).

    An inner 的 splits the rest ("夜班的保安" -> 夜班, 保安); a leading one stays (的士司机).
    Phrasing is kept where it starts a job word in ``known`` (做账, 干洗工).
    """
    if token in known:
        return [token]
    inner = _INNER.sub("", token)
    stripped = _TAIL.sub("", inner[_lead_length(inner, known) :], count=1)
    if stripped in _HEADS and stripped != inner:  # 招聘主管 is a job, not "hiring: 主管"
        stripped = _TAIL.sub("", inner, count=1)
    if not stripped:
        return []
    head, *rest = stripped.split("的")
    parts = [head, *rest] if head else ["的" + "的".join(rest)]
    return [p for p in parts if p]


def _undecorated(token: str, originals: list[str]) -> str:
    """A bare head word left by decoration stripping (招聘主管 -> 主管) goes back to what was
    typed: the whole word names the job."""
    if token not in _HEADS:
        return token
    return next((o for o in originals if o.endswith(token) and o != token), token)


def query_tokens(text: str, known: Container[str] = frozenset()) -> list[str]:
    """Normalised search tokens of a query (already without area names).

    ``known`` holds job words (vocabulary surfaces) that must not lose characters to
    phrase stripping.
    """
    folded = normalize_text(text)
    decorated = strip_decoration(folded) or folded
    raw_tokens = [_undecorated(t, folded.split()) for t in decorated.split()]
    if len(raw_tokens) > 1 and all(t.isascii() and t.isalpha() for t in raw_tokens):
        return ["".join(raw_tokens)]  # pinyin typed with spaces: "bao an"
    tokens: list[str] = []
    for raw in raw_tokens:
        if raw in _STOP_TOKENS:
            continue
        for token in clean_token(raw, known):
            if token not in _STOP_TOKENS and token not in tokens:
                tokens.append(token)
    return tokens


def lexical_query(text: str, known: Container[str] = frozenset()) -> str:
    """The query for the lexical layer: folded, chat phrasing dropped, every other word kept
    (包吃住, C1 and 双休 stay, unlike in ``query_tokens``)."""
    kept: list[str] = []
    for raw in normalize_text(text).split():
        if raw in _STOP_TOKENS:
            continue
        kept.extend(t for t in clean_token(raw, known) if t not in _STOP_TOKENS)
    return " ".join(dict.fromkeys(kept))
