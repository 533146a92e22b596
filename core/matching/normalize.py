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

from opencc import OpenCC

_T2S = OpenCC("t2s")

# 《职业分类大典》 marks green (L), digital (S) or both (L/S) occupations with a suffix.
_CSCO_MARKER = re.compile(r"(?<=[\u3400-\u9fff)）])\s*(?:L/S|S/L|L|S)$")

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|「[^「」]*」|『[^『』]*』")

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
    return _T2S.convert(unicodedata.normalize("NFKC", text))


def strip_csco_marker(name: str) -> str:
    """Remove the trailing ``L``/``S``/``L/S`` marker of a 《职业分类大典》 name."""
    return _CSCO_MARKER.sub("", name.strip())


def normalize_text(text: str) -> str:
    """Fold width, script and case; punctuation becomes single spaces. No decoration stripping."""
    folded = strip_csco_marker(to_simplified(text)).lower()
    return _SPACES.sub(" ", _PUNCT.sub(" ", folded)).strip()


def strip_decoration(text: str) -> str:
    """Remove hiring decoration from text already passed through NFKC/t2s and lower-casing."""
    previous = None
    while previous != text:
        previous = text
        text = _BRACKETED.sub(" ", text)
    text = _MONEY.sub(" ", text)
    text = _HEADCOUNT.sub(" ", text)
    text = _DECORATION.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    parts = [_LEADING_HIRE.sub("", part) for part in text.split()]
    return " ".join(part for part in parts if part)


@lru_cache(maxsize=200_000)
def normalize_title(title: str) -> str:
    """Normalised form of a job title used for indexing and display-independent matching.

    Falls back to the title without decoration stripping when stripping would leave nothing.
    """
    folded = strip_csco_marker(to_simplified(title)).lower()
    stripped = strip_decoration(folded)
    return stripped or normalize_text(title)


def compact(text: str) -> str:
    """``text`` without any whitespace (for containment and pinyin)."""
    return "".join(text.split())


def is_ascii_query(text: str) -> bool:
    """True for queries typed as Latin letters (pinyin, initials), digits and spaces only."""
    stripped = compact(text)
    return bool(stripped) and stripped.isascii() and any(ch.isalpha() for ch in stripped)


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
