"""Normalisation of titles and queries, and pinyin forms."""

from __future__ import annotations

import pytest

from core.matching.normalize import (
    normalize_text,
    normalize_title,
    strip_csco_marker,
    title_parts,
    to_simplified,
)
from core.matching.pinyin import char_readings, full_pinyin, initials, reading_variants
from core.matching.query import query_tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("急招保安 包吃住", "保安"),
        ("【历下】保洁员（白班）", "保洁员"),
        ("高薪诚聘厨师 月薪6000-8000元", "厨师"),
        ("招聘普工10名 五险一金", "普工"),
        ("会计(有证优先)", "会计"),
        ("[急聘]叉车司机", "叉车司机"),
        ("网约配送员/外卖骑手", "网约配送员 外卖骑手"),
        ("保潔員", "保洁员"),
        ("ＩＴ运维", "it运维"),
        ("招生老师", "招生老师"),
    ],
)
def test_title_decoration_is_stripped(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected


def test_bracket_notes_are_kept_apart_without_decoration() -> None:
    assert title_parts("社区公益性岗位（保洁）") == ("社区公益性岗位", ("保洁",))
    assert title_parts("会计（有证优先）") == ("会计", ())


def test_title_that_is_only_decoration_is_kept() -> None:
    assert normalize_title("包吃住") == "包吃住"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("保洁员L", "保洁员"),
        ("互联网营销师S", "互联网营销师"),
        ("大地测量员L/S", "大地测量员"),
        ("SEO专员", "SEO专员"),
    ],
)
def test_csco_markers_are_stripped(raw: str, expected: str) -> None:
    assert strip_csco_marker(raw) == expected


def test_traditional_and_full_width_fold() -> None:
    assert to_simplified("網約配送員") == "网约配送员"
    assert normalize_text("ＢＡＯ　ＡＮ！") == "bao an"


def test_pinyin_is_phrase_aware_and_has_initials() -> None:
    assert full_pinyin("会计") == "kuaiji"
    assert full_pinyin("保洁员") == "baojieyuan"
    assert initials("叉车司机") == "ccsj"


def test_other_readings_are_available_for_homophones() -> None:
    readings = char_readings("会记")
    assert "kuaiji" in reading_variants(readings, 0, 2)


@pytest.mark.parametrize(
    ("query", "tokens"),
    [
        ("我想找保洁的活", ["保洁"]),
        ("想找个保安的工作", ["保安"]),
        ("有没有送外卖的", ["送外卖"]),
        ("找工作 保安", ["保安"]),
        ("Bao An", ["baoan"]),
        ("有活吗", []),
        ("上夜班的保安", ["夜班", "保安"]),
        ("的士司机", ["的士司机"]),
    ],
)
def test_chat_phrasing_is_dropped_from_queries(query: str, tokens: list[str]) -> None:
    assert query_tokens(query) == tokens


def test_known_job_word_keeps_a_leading_verb() -> None:
    assert query_tokens("做账", known={"做账"}) == ["做账"]
    assert query_tokens("我想做账", known={"做账"}) == ["做账"]
