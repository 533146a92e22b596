"""Text normalisation for job titles and search queries.

Pipeline: NFKC (full-width Latin and brackets fold to ASCII) -> traditional to simplified
(OpenCC ``t2s``) -> drop the Dictionary's trailing ``L``/``S`` markers -> lower case ->
strip recruitment decoration (急招, 包吃住, salary figures, bracketed notes ...) -> turn
punctuation into single spaces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import opencc
from opencc import OpenCC

_T2S = OpenCC("t2s")


def _traditional_chars() -> frozenset[str]:
    """Characters that OpenCC t2s may change: a text without any is already simplified."""
    folder = Path(opencc.__file__).parent / "dictionary"
    found: set[str] = set()
    for name in ("TSCharacters.txt", "TSPhrases.txt"):
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            key, _tab, values = line.partition("\t")
            value = values.split(" ")[0]
            if len(key) == len(value):
                found.update(k for k, v in zip(key, value, strict=True) if k != v)
            else:
                found.update(key)
    return frozenset(found)


_TRADITIONAL = _traditional_chars()

# 《职业分类大典》 marks green (L), digital (S) or both (L/S) occupations with a suffix.
_CSCO_MARKER = re.compile(r"(?<=[\u3400-\u9fff)）])\s*(?:L/S|S/L|L|S)$")

_BRACKETED = re.compile(
    r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|「[^「」]*」|『[^『』]*』"
)

# Words that name a rank or a kind of post rather than the job; their grams count less.
HEAD_WORDS = (
    "工程师",
    "技术员",
    "管理员",
    "操作员",
    "操作工",
    "负责人",
    "主管",
    "经理",
    "专员",
    "助理",
    "人员",
    "总监",
    "主任",
    "组长",
    "员工",
    "员",
    "工",
    "师",
)
_HEADS = frozenset(HEAD_WORDS)
# Seniority words: they rank a post, they do not name a job (高级系统工程师 is a 系统工程师).
MODIFIER_WORDS = ("高级", "资深", "初级", "中级", "首席")


def generic_positions(text: str, ranks: bool = True) -> list[bool]:
    """Per character, whether it sits in a head word or (with ``ranks``) a seniority word
    (校招主管: the last two; 高级会计: the first two): the kind or rank of a post, not the job.
    A one-character head word (员, 工, 师) counts only where it ends the word: 工 of 施工员
    and 师 of 师范 belong to the job."""
    generic = [False] * len(text)
    for word in (*HEAD_WORDS, *MODIFIER_WORDS) if ranks else HEAD_WORDS:
        start = text.find(word)
        while start >= 0:
            if len(word) > 1 or start == len(text) - 1:
                generic[start : start + len(word)] = [True] * len(word)
            start = text.find(word, start + 1)
    return generic


def head_spans(text: str) -> list[tuple[int, int]]:
    """Where head words of two or more characters occur, the longest where they overlap
    (工程师, not 工 and 师 inside it)."""
    found: list[tuple[int, int]] = []
    for word in sorted((w for w in HEAD_WORDS if len(w) >= 2), key=len, reverse=True):
        start = text.find(word)
        while start >= 0:
            stop = start + len(word)
            if not any(a < stop and start < b for a, b in found):
                found.append((start, stop))
            start = text.find(word, start + 1)
    return sorted(found)


# Leading hiring verbs; 招 is kept in 招生/招商/招标/招投标/招待.
_LEADING_HIRE = re.compile(
    r"^(?:高薪诚聘|长期招聘|常年招聘|火热招聘|紧急招聘|急招|急聘|诚聘|直招|热招|高薪招聘|招聘|聘|"
    r"招(?![生商标投待]))+"
)

_DECORATION_WORDS = (
    "包吃包住",
    "包食宿",
    "包吃住",
    "管吃住",
    "包住宿",
    "包吃",
    "包住",
    "五险一金",
    "六险一金",
    "五险",
    "缴纳社保",
    "交社保",
    "周末双休",
    "双休",
    "单休",
    "高薪诚聘",
    "高薪",
    "急招",
    "急聘",
    "诚聘",
    "直招",
    "热招",
    "待遇优厚",
    "待遇从优",
    "薪资面议",
    "工资面议",
    "面议",
    "多劳多得",
    "底薪加提成",
    "底薪+提成",
    "高提成",
    "提成",
    "底薪",
    "长白班",
    "两班倒",
    "急需",
    "日结",
    "周结",
    "月结",
    "可培训",
    "带薪培训",
    "免费培训",
    "包培训",
    "年底双薪",
    "有证优先",
    "经验优先",
    "退役军人优先",
    "男女不限",
    "不限经验",
    "无经验可",
    "无需经验",
    "长期稳定",
    "长期",
    "若干名",
    "若干",
    "数名",
    "演示数据",
)
_DECORATION = re.compile("|".join(re.escape(w) for w in _DECORATION_WORDS))

_MONEY = re.compile(
    r"(?:月薪|年薪|日薪|时薪|底薪|工资|薪资|薪酬)?\s*"
    r"\d+(?:\.\d+)?\s*[kw千万]?\s*(?:[-~～－—至到]\s*\d+(?:\.\d+)?\s*[kw千万]?)?\s*"
    r"(?:元|块)(?:\s*/\s*(?:月|天|时|小时))?|"
    r"(?:月薪|年薪|日薪|时薪|底薪|工资|薪资)\s*\d+(?:\.\d+)?\s*[kw千万]?"
    r"(?:\s*[-~～－—至到]\s*\d+(?:\.\d+)?\s*[kw千万]?)?|"
    r"\d{3,}\s*[-~～－—至到]\s*\d{3,}|\d+(?:\.\d+)?\s*[kw]\s*[-~～－—至到]\s*\d+(?:\.\d+)?\s*[kw]"
)
_HEADCOUNT = re.compile(r"(?:招|共|需)?\d+\s*(?:名|人|位)")

_PUNCT = re.compile(r"[^\w\u3400-\u9fff]+|_+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def to_simplified(text: str) -> str:
    """NFKC-fold ``text`` and convert traditional characters to simplified ones."""
    folded = unicodedata.normalize("NFKC", text)
    if _TRADITIONAL.isdisjoint(folded):
        return folded
    return _T2S.convert(folded)


def _char_table() -> dict[int, str]:
    """Traditional -> simplified, one character at a time (OpenCC's character table)."""
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _tab, values = line.partition("\t")
        value = values.split(" ")[0]
        if len(key) == 1 and len(value) == 1:
            table[ord(key)] = value
    return table


_T2S_CHARS = _char_table()


def fold_chars(text: str) -> str:
    """NFKC, traditional -> simplified character by character, lower case; nothing removed
    and the length kept but for NFKC (bulk folding of whole columns, uncached). Phrase-level
    conversions are left to ``to_simplified``: a character n-gram needs only characters."""
    return unicodedata.normalize("NFKC", text).translate(_T2S_CHARS).lower()


def strip_csco_marker(name: str) -> str:
    """Remove the trailing ``L``/``S``/``L/S`` marker of a 《职业分类大典》 name."""
    return _CSCO_MARKER.sub("", name.strip())


def normalize_text(text: str) -> str:
    """Fold width, script and case; punctuation becomes single spaces. No decoration stripping."""
    folded = strip_csco_marker(to_simplified(text)).lower()
    return _SPACES.sub(" ", _PUNCT.sub(" ", folded)).strip()


def split_brackets(text: str) -> tuple[str, tuple[str, ...]]:
    """Text outside brackets, and the bracketed notes ("保洁员（白班）" -> 保洁员, (白班,))."""
    notes: list[str] = []
    previous = None
    while previous != text:
        previous = text
        notes.extend(m.group(0)[1:-1] for m in _BRACKETED.finditer(text))
        text = _BRACKETED.sub(" ", text)
    return text, tuple(notes)


def strip_decoration(text: str) -> str:
    """Remove hiring decoration from text already passed through NFKC/t2s and lower-casing."""
    text, _notes = split_brackets(text)
    return _strip_words(text)


def _strip_words(text: str) -> str:
    text = _MONEY.sub(" ", text)
    text = _HEADCOUNT.sub(" ", text)
    text = _DECORATION.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    parts = [_unhired(part) for part in text.split()]
    return " ".join(part for part in parts if part)


def _unhired(part: str) -> str:
    """The part without a leading hiring verb, unless only a head word would remain
    (招聘主管 is a recruiting lead, not "hiring: 主管")."""
    rest = _LEADING_HIRE.sub("", part)
    return part if rest in _HEADS and rest != part else rest


@lru_cache(maxsize=200_000)
def normalize_title(title: str) -> str:
    """Normalised form of a job title: decoration and bracketed notes removed.

    Falls back to the title without decoration stripping when stripping would leave nothing.
    """
    return title_parts(title)[0]


@lru_cache(maxsize=200_000)
def title_parts(title: str) -> tuple[str, tuple[str, ...]]:
    """(normalised title, normalised bracketed notes that are not mere decoration).

    "社区公益性岗位（保洁）" -> ("社区公益性岗位", ("保洁",)); "会计(有证优先)" -> ("会计", ()).
    The notes are searchable with a lower weight; the title alone is the main text.
    """
    folded = strip_csco_marker(to_simplified(title)).lower()
    outside, notes = split_brackets(folded)
    main = _strip_words(outside)
    extras = tuple(dict.fromkeys(n for n in (_strip_words(x) for x in notes) if n))
    if not main:
        return (extras[0], extras[1:]) if extras else (normalize_text(title), ())
    return main, extras


def compact(text: str) -> str:
    """``text`` without any whitespace (for containment and pinyin)."""
    return "".join(text.split())


def is_ascii_query(text: str) -> bool:
    """True for queries typed as Latin letters (pinyin, initials), digits and spaces only."""
    stripped = compact(text)
    return bool(stripped) and stripped.isascii() and any(ch.isalpha() for ch in stripped)


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
