"""Outgoing messages as Telegram messages: keyboards, URL buttons, long texts cut at lines."""

from __future__ import annotations

from bots.telegram.render import MAX_TEXT, render_message, split_text
from core.dialog.messages import Link, Option, Outgoing, t
from core.runtime import Runtime


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_short_text_is_one_part() -> None:
    assert split_text("第一行\n第二行") == ["第一行\n第二行"]


def test_long_text_is_cut_at_line_boundaries_and_loses_nothing() -> None:
    lines = [f"第{i}条：" + "岗位信息" * 30 for i in range(200)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1 and all(units(p) <= MAX_TEXT for p in parts)
    assert [line for p in parts for line in p.split("\n")] == lines


def test_a_single_line_longer_than_the_limit_is_cut_anyway() -> None:
    parts = split_text("x" * (MAX_TEXT * 2 + 10))
    assert [len(p) for p in parts] == [MAX_TEXT, MAX_TEXT, 10]


def test_limit_counts_utf16_units_and_never_splits_an_emoji() -> None:
    parts = split_text("😀" * 3000)  # 6,000 units
    assert all(units(p) <= MAX_TEXT for p in parts) and "".join(parts) == "😀" * 3000


def test_options_become_numbered_buttons_with_the_option_id_as_callback_data(
    runtime: Runtime,
) -> None:
    message = Outgoing(
        t("menu.title"),
        (Option("m:jobs", t("menu.item.jobs")), Option("m:notices", t("menu.item.notices"))),
    )
    (part,) = render_message(runtime.content.catalog, message, "zh-CN")
    assert part.markup is not None
    rows = part.markup.inline_keyboard
    assert [(b.text, b.callback_data) for (b,) in rows] == [
        ("1. 找工作", "m:jobs"),
        ("2. 政策资讯", "m:notices"),
    ]


def test_web_links_become_url_buttons_and_others_stay_in_the_text(runtime: Runtime) -> None:
    message = Outgoing(
        t("notices.pick"),
        links=(
            Link("https://hrss.jinan.gov.cn/notice/1", t("notices.source")),
            Link("mailto:jiuye@example.org", t("notices.source")),
        ),
    )
    (part,) = render_message(runtime.content.catalog, message, "zh-CN")
    assert part.markup is not None
    (button,) = part.markup.inline_keyboard[0]
    assert button.url == "https://hrss.jinan.gov.cn/notice/1"
    assert "mailto:jiuye@example.org" in part.text


def test_keyboard_rides_on_the_last_part_of_a_long_message(runtime: Runtime) -> None:
    body = "\n".join(["政策原文" * 100] * 30)
    message = Outgoing(
        t("notices.detail", title="标题", date="2024-11-26", body=body),
        (Option("n:back", t("notices.back_to_list")),),
    )
    parts = render_message(runtime.content.catalog, message, "zh-CN")
    assert len(parts) > 1
    assert all(p.markup is None for p in parts[:-1]) and parts[-1].markup is not None
