"""找工作 by chat: keyword (with area) → numbered list → detail with contact; subscriptions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from core.matching.search import SearchIndex, SearchResult
from core.openings.importing import import_openings
from core.openings.rows import read_rows
from core.openings.store import ImportReport
from core.runtime import Runtime
from core.storage.models import OutboxMessage
from tests.openings.conftest import NOW, ROWS, notify_until_done
from tests.talk import Talk


def test_inline_keyword_and_area_show_numbered_results(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    text = talk.say("找工作 保安 历下")[0]
    assert talk.ids() == ["jobs.results"]
    assert "回复 1  急招保安 包吃住" in text and "青岛" not in text


def test_asks_for_a_keyword_then_opens_detail_with_contact(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:jobs")
    assert talk.ids() == ["jobs.ask"]
    talk.send("baojie")  # pinyin for 保洁
    assert talk.ids() == ["jobs.results"]
    detail = talk.say("1")[0]
    assert "0532-00000000" in detail and "青岛某保洁公司" in detail


def test_homophone_typo_still_finds_the_job(runtime: Runtime, imported: ImportReport) -> None:
    talk = Talk(runtime)
    assert "急招保安" in talk.say("找工作 宝安")[0]


def test_expired_opening_is_not_shown(runtime: Runtime, imported: ImportReport) -> None:
    talk = Talk(runtime)
    text = "\n".join(talk.say("找工作 公益性岗位"))
    assert "社区公益性岗位保洁" not in text


def test_no_match_says_so_and_keeps_asking(runtime: Runtime, imported: ImportReport) -> None:
    talk = Talk(runtime)
    talk.send("找工作 宇航员")
    assert talk.ids()[0] in ("jobs.nothing", "jobs.nothing_suggest", "jobs.nothing_popular")
    talk.send("保安")
    assert talk.ids() == ["jobs.results"]


def test_paging_shows_next_five(runtime: Runtime, write_csv: Callable[..., Path]) -> None:
    rows = [
        [
            f"P-{i}",
            f"保洁员{i}号岗",
            "某物业",
            "历下区",
            "",
            "",
            "",
            "",
            "",
            "2026-11-20",
            "2027-01-31",
            "",
        ]
        for i in range(12)
    ]
    import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    runtime.catalogue.refresh_now()
    talk = Talk(runtime)
    talk.send("找工作 保洁")
    first = [o for o in talk.options() if o.startswith("j:o")]
    assert len(first) == 5 and "j:more" in talk.options()
    talk.send("下一页")
    assert talk.last.messages[0].text.params["page"] == 2  # type: ignore[union-attr]


def test_subscription_gets_new_matching_openings_once(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    talk = Talk(runtime, channel="wechat", user="o-sub")
    talk.send("订阅 保安 历下")
    assert talk.ids()[0] == "subs.created"
    path = write_csv(ROWS)
    import_openings(runtime.db, runtime.content, read_rows(path), now=NOW)
    notify_until_done(runtime)
    import_openings(runtime.db, runtime.content, read_rows(path), now=NOW)
    notify_until_done(runtime)
    with runtime.db.transaction() as session:
        pushes = session.exec(select(OutboxMessage).where(OutboxMessage.recipient == "o-sub")).all()
    assert len(pushes) == 1
    lines = pushes[0].payload["messages"][0]["text"]["params"]["lines"]["$lines"]
    assert [line["$text"]["params"]["title"] for line in lines] == ["急招保安 包吃住"]


def test_subscribe_inside_a_search_uses_that_search(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 保洁 市南")
    talk.send("订阅")
    assert talk.ids()[0] == "subs.created"
    label = talk.last.messages[0].text.params["label"]  # type: ignore[union-attr]
    assert label.id == "subs.label_both" and label.params["area"] == "市南区"


def test_unsubscribe_lists_and_removes(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("订阅 保洁")
    talk.send("订阅 司机")
    talk.send("退订")
    assert talk.ids() == ["subs.list"] and len(talk.options()) == 3
    talk.send("全部退订")
    assert talk.ids()[0] == "subs.removed"
    talk.send("退订")
    assert talk.ids()[0] == "subs.none"


def test_subscribe_without_words_asks_and_nonsense_reasks(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("订阅")
    assert talk.ids() == ["subs.ask"]
    talk.send("   ")
    assert talk.ids() == ["subs.ask"]


def test_no_result_page_offers_new_search_and_back(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 宇航员")
    assert talk.options()[-2:] == ["j:new", "j:back"]
    talk.send(choice="j:back")
    assert talk.ids() == ["menu.title"]


def test_nothing_in_the_named_area_shows_the_citys_openings_labelled(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    replies = talk.say("找工作 配送 槐荫")
    assert talk.ids() == ["jobs.area_widened", "jobs.results"]
    assert "槐荫区" in replies[0] and "济南市" in replies[0]
    assert "网约配送员" in replies[1]


def test_nothing_in_the_city_either_offers_to_search_everywhere(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 保洁 历下")  # the only 保洁 is in 青岛
    assert "j:wide" in talk.options()
    talk.send(choice="j:wide")
    assert talk.ids() == ["jobs.results"]
    assert "j:o1" in talk.options()


def test_ambiguous_short_area_name_is_explained(runtime: Runtime, imported: ImportReport) -> None:
    talk = Talk(runtime)
    replies = talk.say("找工作 保安 市中区")
    assert talk.ids()[0] == "jobs.area_ambiguous"
    assert "济南市市中区" in replies[0] and "枣庄市市中区" in replies[0]


def test_extra_words_rank_the_openings_that_carry_them(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    text = talk.say("找工作 保安 包吃住")[-1]
    assert "回复 1  急招保安 包吃住" in text


def test_results_and_details_are_shown_without_querying_openings(
    runtime: Runtime, imported: ImportReport
) -> None:
    """The list comes from the catalogue's snapshot; so do the openings it shows."""
    talk = Talk(runtime)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(runtime.db.engine, "before_cursor_execute", seen)
    try:
        talk.say("找工作 保安")
        assert "0531-00000000" in talk.say("1")[0]
        talk.send(choice="j:list")
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", seen)
    assert talk.ids() == ["jobs.results"]
    assert not [s for s in statements if "FROM opening" in s]


def test_details_follow_a_reimport_once_the_index_is_rebuilt(
    runtime: Runtime, imported: ImportReport, write_csv: Callable[..., Path]
) -> None:
    talk = Talk(runtime)
    talk.say("找工作 保安 历下")
    changed = [[*ROWS[0][:8], "0531-99999999", *ROWS[0][9:]], *ROWS[1:]]
    import_openings(runtime.db, runtime.content, read_rows(write_csv(changed)), now=NOW)
    runtime.catalogue.refresh_now()
    assert "0531-99999999" in talk.say("1")[0]


def test_back_to_the_list_reuses_the_search(
    runtime: Runtime, imported: ImportReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """返回 and a second resident's identical query are answered from the remembered result."""
    searches: list[str] = []
    original = SearchIndex.search

    def counted(self: SearchIndex, query: str, **kw: Any) -> SearchResult:
        searches.append(query)
        return original(self, query, **kw)

    monkeypatch.setattr(SearchIndex, "search", counted)
    talk = Talk(runtime)
    first = talk.say("找工作 保安")[0]
    talk.say("1")
    talk.send(choice="j:list")
    again = Talk(runtime, user="someone-else").say("找工作 保安")[0]
    assert talk.ids() == ["jobs.results"] and again == first
    assert searches == ["保安"]


def _row(ref: str, title: str) -> list[str]:
    return [ref, title, "某检测公司", "历下区", "", "", "", "", "", "2026-11-20", "2027-01-31", ""]


def test_related_openings_are_said_to_be_related_and_marked(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    rows = [_row("R-1", "化验员"), _row("R-2", "检验员")]
    import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    runtime.catalogue.refresh_now()
    talk = Talk(runtime)
    text = talk.say("找工作 化验员")[0]
    assert talk.ids() == ["jobs.results_and_related"]
    assert "找到 1 个岗位，另有 1 个相近的岗位" in text
    assert "回复 1  化验员" in text and "回复 2  〔相近〕检验员" in text


def test_only_related_openings_say_nothing_matched_closely(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    import_openings(
        runtime.db, runtime.content, read_rows(write_csv([_row("R-2", "检验员")])), now=NOW
    )
    runtime.catalogue.refresh_now()
    talk = Talk(runtime)
    text = talk.say("找工作 化验员")[0]
    assert talk.ids() == ["jobs.related_only"]
    assert "没有找到和“化验员”完全相符" in text and "〔相近〕检验员" in text
    talk.send("1")
    assert "检验员" in talk.last.messages[0].text.params["title"]  # type: ignore[union-attr]


def test_the_registration_menu_name_typed_in_a_search_starts_registration(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 保安")
    talk.send("求职登记")
    ids = talk.ids()
    assert not any(i.startswith("jobs.") for i in ids), ids
    assert any(i.startswith("registration.") for i in ids), ids


def test_a_complaint_typed_in_a_search_goes_to_complaints_with_its_account(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 保安")
    talk.send("我要投诉，窗口工作人员态度不好，让我等了一个小时")
    ids = talk.ids()
    assert not any(i.startswith("jobs.") for i in ids), ids
    assert "complaints.early_kept" in ids  # the account is kept, as from the main menu


def test_a_job_that_shares_a_service_word_is_still_searched(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    row = [
        "B-1",
        "政策咨询员",
        "某街道",
        "历下区",
        "",
        "",
        "1",
        "",
        "",
        "2026-11-20",
        "2027-01-31",
        "",
    ]
    import_openings(runtime.db, runtime.content, read_rows(write_csv([row])), now=NOW)
    runtime.catalogue.refresh_now()
    talk = Talk(runtime)
    talk.send("找工作 保安")
    text = talk.say("政策咨询员")[0]  # 政策 is a word of 政策资讯, but the job is there
    assert talk.ids() == ["jobs.results"] and "政策咨询员" in text


def test_a_complaint_with_a_phone_number_typed_in_a_search_is_not_searched(
    runtime: Runtime, imported: ImportReport
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 保安")
    talk.send("我要投诉，窗口态度不好，我的电话13912345678")
    assert "complaints.early_kept" in talk.ids()
    assert not any("13912345678" in str(key) for key in runtime.catalogue._results)


@pytest.mark.parametrize("job", ["注册会计师", "投诉专员"])
def test_a_job_nobody_offers_that_shares_a_service_word_is_still_searched(
    runtime: Runtime, imported: ImportReport, job: str
) -> None:
    talk = Talk(runtime)
    talk.send("找工作 保安")
    talk.send(job)
    assert talk.ids()[0].startswith("jobs."), talk.ids()
