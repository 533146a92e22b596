"""Behaviour of SearchIndex.search on small hand-made sets of openings."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from core.matching import OpeningDoc, SearchIndex
from tests.matching.conftest import (
    JINAN,
    LIXIA,
    LIXIA_JIEFANGLU,
    NOW,
    QINGDAO,
    SHINAN,
    FakeAreas,
    opening,
)

Build = Callable[[Iterable[OpeningDoc]], SearchIndex]

MIXED = [
    opening("guard", "急招保安 包吃住"),
    opening("guard-qd", "保安员（夜班）", SHINAN),
    opening("cleaner", "【历下】保洁员（白班）"),
    opening("rider", "网约配送员/外卖骑手", JINAN),
    opening("welder", "电焊工（持证）"),
    opening("nanny", "家政服务员", SHINAN),
    opening("cook", "中餐厨师"),
    opening("forklift", "叉车司机"),
    opening("accountant", "会计(有证优先)"),
    opening("carer", "养老护理员"),
    opening("it-ops", "信息系统运行维护工程技术人员"),
]


def refs(index: SearchIndex, query: str, areas: FakeAreas | None = None, **kw: object) -> list[str]:
    result = index.search(query, areas=areas, now=NOW, **kw)  # type: ignore[arg-type]
    return [hit.ref for hit in result.hits]


@pytest.fixture
def index(build: Build) -> SearchIndex:
    return build(MIXED)


def test_exact_title_word_finds_opening(index: SearchIndex) -> None:
    assert refs(index, "养老护理员")[0] == "carer"


def test_partial_word_finds_longer_title(index: SearchIndex) -> None:
    assert refs(index, "配送")[0] == "rider"
    assert refs(index, "叉车")[0] == "forklift"


def test_homophone_typo_finds_security_guard(index: SearchIndex) -> None:
    assert set(refs(index, "宝安")[:2]) == {"guard", "guard-qd"}


def test_homophone_typo_finds_welder(index: SearchIndex) -> None:
    assert refs(index, "汗工")[0] == "welder"


def test_heteronym_typo_uses_other_reading(index: SearchIndex) -> None:
    # 会记 is read huiji by default; 会 also reads kuai, as in 会计
    assert refs(index, "会记")[0] == "accountant"


@pytest.mark.parametrize("query", ["baoan", "bao an", "BaoAn", "bay"])
def test_pinyin_and_initials_find_security_guard(index: SearchIndex, query: str) -> None:
    assert refs(index, query)[0] in {"guard", "guard-qd"}


def test_initials_prefer_jobs_that_have_openings(index: SearchIndex) -> None:
    # bj is also 编辑/编剧; with openings only for 保洁, 保洁 wins
    assert refs(index, "bj")[0] == "cleaner"


def test_traditional_characters_are_folded(index: SearchIndex) -> None:
    assert refs(index, "保潔員")[0] == "cleaner"
    assert refs(index, "會計")[0] == "accountant"


def test_full_width_latin_is_folded(index: SearchIndex) -> None:
    assert refs(index, "ＢＡＯＡＮ")[0] in {"guard", "guard-qd"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("门卫", "guard"),
        ("送外卖", "rider"),
        ("厨子", "cook"),
        ("月嫂", "nanny"),
        ("电焊", "welder"),
        ("开叉车", "forklift"),
        ("骑手", "rider"),
    ],
)
def test_colloquial_name_finds_canonical_job(index: SearchIndex, query: str, expected: str) -> None:
    assert expected in refs(index, query)[:2]


def test_phrase_around_keyword_is_ignored(index: SearchIndex) -> None:
    assert refs(index, "我想找保洁的活")[0] == "cleaner"
    assert refs(index, "想找个保安的工作")[0] in {"guard", "guard-qd"}
    assert refs(index, "有没有送外卖的")[0] == "rider"


def test_area_in_query_becomes_filter(index: SearchIndex, areas: FakeAreas) -> None:
    result = index.search("历下区 保安", areas=areas, now=NOW)
    assert [h.ref for h in result.hits] == ["guard"]
    assert result.area_codes == (LIXIA,)


def test_city_filter_includes_its_districts(index: SearchIndex, areas: FakeAreas) -> None:
    found = refs(index, "济南 保安", areas)
    assert found == ["guard"]  # 历下 is in 济南; 市南 (青岛) is not


def test_street_named_with_district_filters_to_street(build: Build, areas: FakeAreas) -> None:
    index = build([opening("street", "保洁员", LIXIA_JIEFANGLU), opening("district", "保洁员")])
    result = index.search("历下 解放路 保洁", areas=areas, now=NOW)
    assert result.area_codes == (LIXIA_JIEFANGLU,)
    assert [h.ref for h in result.hits] == ["street"]


def test_given_area_codes_filter_when_query_names_none(index: SearchIndex) -> None:
    assert refs(index, "保安", area_codes=[SHINAN]) == ["guard-qd"]


def test_area_only_query_lists_openings_in_area(index: SearchIndex, areas: FakeAreas) -> None:
    found = refs(index, "市南", areas, limit=10)
    assert sorted(found) == ["guard-qd", "nanny"]


def test_opening_in_exact_area_ranks_above_sub_area(build: Build, areas: FakeAreas) -> None:
    index = build([opening("street", "保洁员", LIXIA_JIEFANGLU), opening("district", "保洁员")])
    assert refs(index, "历下 保洁", areas) == ["district", "street"]


def test_expired_openings_never_appear(build: Build) -> None:
    index = build([opening("old", "保安员", expires_in_days=-1), opening("live", "保安员")])
    result = index.search("保安", now=NOW)
    assert [h.ref for h in result.hits] == ["live"]
    assert result.total == 1


def test_fresher_opening_ranks_first_on_equal_match(build: Build) -> None:
    index = build([opening("stale", "保洁员", age_days=50), opening("fresh", "保洁员", age_days=1)])
    assert refs(index, "保洁") == ["fresh", "stale"]


def test_better_match_beats_freshness(build: Build) -> None:
    index = build([opening("exact", "保安", age_days=59), opening("alias", "门卫", age_days=0)])
    assert refs(index, "保安") == ["exact", "alias"]


def test_short_query_inside_long_name_does_not_outrank_real_match(build: Build) -> None:
    index = build(
        [
            opening("it", "信息系统运行维护工程技术人员", age_days=0),
            opening("carer", "医院护工", age_days=40),
        ]
    )
    assert refs(index, "护工")[0] == "carer"


def test_job_inside_other_job_name_ranks_lower(build: Build) -> None:
    index = build(
        [opening("nanny", "家政服务员", age_days=0), opening("waiter", "餐厅服务员", age_days=40)]
    )
    assert refs(index, "服务员") == ["waiter", "nanny"]


def test_bracket_note_is_searchable(build: Build) -> None:
    index = build([opening("pw", "社区公益性岗位（保洁）", tags=("公益性岗位",))])
    assert refs(index, "保洁") == ["pw"]


def test_tag_finds_public_welfare_posts(build: Build) -> None:
    index = build([opening("pw", "社区巡防员", tags=("公益性岗位",)), opening("guard", "保安")])
    assert refs(index, "公益岗") == ["pw"]


def test_decoration_words_do_not_match_everything(index: SearchIndex) -> None:
    result = index.search("包吃住", now=NOW)
    assert result.total <= 1


def test_no_good_match_returns_empty_with_suggestions(index: SearchIndex) -> None:
    result = index.search("宇航员", now=NOW)
    assert result.hits == ()
    assert result.total == 0
    assert result.suggestions
    assert all(refs(index, s) for s in result.suggestions)


def test_suggestions_respect_the_area_filter(build: Build, areas: FakeAreas) -> None:
    index = build([*MIXED[:6], *MIXED[7:9]])  # no 养老护理员 in 历下 either
    result = index.search("历下区 月嫂", areas=areas, now=NOW)  # 家政 only in 市南
    assert result.hits == ()
    assert result.suggestions
    for keyword in result.suggestions:
        assert refs(index, f"历下区 {keyword}", areas)


def test_related_openings_follow_when_nothing_close_is_in_the_area(
    index: SearchIndex, areas: FakeAreas
) -> None:
    result = index.search("历下区 月嫂", areas=areas, now=NOW)  # 家政 only in 市南
    assert result.near_from == 0  # nothing close: what follows is related, and says so
    assert [h.ref for h in result.hits] == ["carer"]  # the same family (家政、护理), in 历下


def test_chat_without_keyword_or_area_returns_nothing(index: SearchIndex) -> None:
    result = index.search("有活吗", now=NOW)
    assert result.hits == () and result.total == 0


def test_paging_with_offset_limit_and_total(build: Build) -> None:
    index = build([opening(f"c{i}", "保洁员", age_days=i) for i in range(12)])
    first = index.search("保洁", limit=5, now=NOW)
    second = index.search("保洁", limit=5, offset=5, now=NOW)
    assert first.total == second.total == 12
    assert [h.ref for h in first.hits] == [f"c{i}" for i in range(5)]
    assert [h.ref for h in second.hits] == [f"c{i}" for i in range(5, 10)]


def test_scores_are_descending(index: SearchIndex) -> None:
    scores = [h.score for h in index.search("保", now=NOW, limit=10).hits]
    assert scores == sorted(scores, reverse=True)


def test_naive_datetimes_are_taken_as_utc(build: Build) -> None:
    naive = OpeningDoc("n", "保安", "e", None, "", NOW.replace(tzinfo=None), None)
    assert [h.ref for h in build([naive]).search("保安", now=NOW).hits] == ["n"]


def test_empty_index_searches_cleanly(build: Build) -> None:
    result = build([]).search("保安", now=NOW)
    assert result.hits == () and result.total == 0 and result.suggestions == ()


@pytest.mark.parametrize(
    "query", ["", "   ", "？？？", "😀保安", "a", "1", "保" * 300, "（）【】", "\n\t", "%_*", "C1"]
)
def test_odd_input_is_handled(index: SearchIndex, areas: FakeAreas, query: str) -> None:
    result = index.search(query, areas=areas, now=NOW, limit=3)
    assert len(result.hits) <= 3
    assert result.total >= len(result.hits)


def test_opening_with_only_an_area_name_is_placed_by_the_lookup(
    build: Build, areas: FakeAreas
) -> None:
    named = OpeningDoc("named", "保洁员", "e", None, "历下区 解放路街道", None, None)
    index = build([named, opening("other", "保洁员", SHINAN)])
    assert refs(index, "历下 保洁", areas) == ["named"]
    assert refs(index, "青岛 保洁", areas) == ["other"]


def test_unknown_distinctive_words_still_match(build: Build) -> None:
    index = build(
        [
            opening("skin", "皮肤科主治医师"),
            opening("gp", "全科医生"),
        ]
    )
    assert "skin" in refs(index, "皮肤科医生")


def test_extra_words_raise_the_openings_that_carry_them(build: Build) -> None:
    index = build(
        [
            opening("plain", "货车司机", age_days=1),
            opening("c1", "货车司机", age_days=30, tags=("C1驾照",)),
            opening("board", "服务员（包吃住）", age_days=30),
            opening("waiter", "服务员", age_days=1),
        ]
    )
    assert refs(index, "司机 C1")[0] == "c1"
    assert refs(index, "服务员 包吃住")[0] == "board"


def test_nothing_in_the_named_area_shows_the_same_citys_openings(
    build: Build, areas: FakeAreas
) -> None:
    index = build([opening("jinan", "保洁员", JINAN), opening("qd", "保洁员", QINGDAO)])
    result = index.search("保洁 历下", areas=areas, now=NOW)
    assert [h.ref for h in result.hits] == ["jinan"]
    assert result.widened == (JINAN,)


def test_suggestions_are_related_to_the_query(build: Build) -> None:
    index = build([opening("a", "出纳员"), opening("b", "保安员"), opening("c", "保洁员")])
    result = index.search("会计 历下区外", now=NOW)
    assert result.hits == () or all(h.ref == "a" for h in result.hits)
    nothing = build([opening("b", "保安员"), opening("c", "保洁员")]).search("会议", now=NOW)
    assert nothing.hits == ()


def test_one_shared_character_is_not_an_answer(build: Build) -> None:
    index = build([opening("acc", "会计"), opening("guard", "保安")])
    assert refs(index, "会议") == []
    assert refs(index, "保洁") == []


def test_extra_words_alone_do_not_admit_another_job(build: Build) -> None:
    index = build([opening("cook", "厨师（包吃住）"), opening("waiter", "服务员")])
    result = index.search("服务员 包吃住", now=NOW)
    assert result.near_from == 1  # the cook is only related (the same family), after it
    assert [h.ref for h in result.hits] == ["waiter", "cook"]


def test_a_close_answer_is_never_ranked_below_a_related_one(build: Build) -> None:
    index = build([opening("inspector", "检验员"), opening("chemist", "化验员", age_days=0)])
    result = index.search("化验员", now=NOW)
    assert [h.ref for h in result.hits] == ["chemist", "inspector"]
    assert result.near_from == 1


def test_a_shared_head_word_alone_is_the_last_related_tier(build: Build) -> None:
    index = build([opening("assistant", "副总助理"), opening("guard", "保安员")])
    result = index.search("董事助理", now=NOW)
    assert result.near_from == 0
    assert [h.ref for h in result.hits] == ["assistant"]  # 助理 shared; a lone 员 is not


def test_a_lone_common_character_is_not_related(build: Build) -> None:
    index = build([opening("cleaner", "保洁员"), opening("guard", "保安员")])
    result = index.search("保安", now=NOW)
    assert [h.ref for h in result.hits] == ["guard"]
    assert result.near_from is None


def test_unknown_words_of_a_token_outweigh_the_generic_part_it_knows(build: Build) -> None:
    common = [opening(f"desk{i}", t) for i, t in enumerate(["客服专员", "电话客服", "网络客服"])]
    index = build([*common, opening("sea", "海运操作员"), opening("both", "海运客服")])
    assert refs(index, "海运客服")[:2] == ["both", "sea"]  # 海运 is rarer than 客服


def test_seniority_words_do_not_name_the_job(build: Build) -> None:
    index = build([opening("clerk", "高级文员"), opening("welder", "焊工")])
    assert refs(index, "高级焊工") == ["welder"]  # a shared 高级 makes nothing related


def test_a_fuzzy_match_must_differ_in_the_job_not_share_a_head_word(build: Build) -> None:
    index = build([opening("soft", "软件工程师"), opening("env", "环保工程师")])
    found = refs(index, "环境工程师")
    assert "soft" not in found[: found.index("env") if "env" in found else len(found)]


def test_a_common_word_inside_a_longer_one_is_no_sound_alike(build: Build) -> None:
    index = build([opening("mason", "石工"), opening("site", "施工员")])
    assert refs(index, "土建施工员")[0] == "site"
    assert "mason" not in refs(index, "土建施工员")


def test_known_words_holding_the_job_stop_sound_alikes(build: Build) -> None:
    index = build([opening("keeper", "仓库保管员"), opening("customs", "报关员")])
    assert refs(index, "报关员") == ["customs"]
