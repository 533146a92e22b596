"""Free text at the main menu: greetings, menu items named anywhere, job words, help."""

from __future__ import annotations

import pytest

from core.dialog.intents import BIND_HELP, GREETING, HELP, ITEM, SEARCH, Intent, match_intent
from core.runtime import Runtime
from tests.talk import Talk

WORDS = {
    "greeting": ["你好|您好|hi"],
    "bind": ["绑定|bind"],
    "register": ["登记"],
    "booking": ["预约|约个时间"],
    "complaint": ["投诉|建议|反映问题"],
}
ITEMS = ["register", "jobs", "booking", "complaint"]


def job_word(text: str) -> bool:
    return "保洁" in text or "保安" in text


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好", Intent(GREETING)),
        ("您好！", Intent(GREETING)),
        ("hi", Intent(GREETING)),
        ("你好，我想找保洁", Intent(SEARCH, text="我想找保洁")),
        ("我要投诉", Intent(ITEM, item="complaint")),
        ("想反映问题", Intent(ITEM, item="complaint")),
        ("约个时间", Intent(ITEM, item="booking")),
        ("我想登记", Intent(ITEM, item="register")),
        ("保洁", Intent(SEARCH, text="保洁")),
        ("找个保安的活", Intent(SEARCH, text="找个保安的活")),
        ("绑定", Intent(BIND_HELP)),
        ("今天天气不错", Intent(HELP)),
        ("？？", Intent(HELP)),
    ],
)
def test_free_text_is_read_for_its_intent(text: str, intent: Intent) -> None:
    assert match_intent(text, ITEMS, WORDS, job_word) == intent


def test_an_item_the_person_may_not_use_is_not_started() -> None:
    assert match_intent("我要投诉", ["jobs"], WORDS, job_word) == Intent(HELP)


@pytest.mark.parametrize("greeting", ["你好", "您好", "hi"])
def test_greeting_at_the_menu_gets_a_greeting_and_the_menu(runtime: Runtime, greeting: str) -> None:
    talk = Talk(runtime)
    talk.send(greeting)
    assert talk.ids() == ["intent.greeting", "menu.title"]


def test_job_word_at_the_menu_starts_a_search(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("保洁")
    assert talk.ids()[0].startswith("jobs.")
    assert "intent.help" not in talk.ids()


def test_complaint_words_start_the_complaint_item(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("我要投诉")
    assert talk.ids()[0].startswith("complaints.")
    assert talk.state_flow() == "complaint"


def test_booking_words_start_the_booking_item(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("约个时间")
    assert talk.ids()[0].startswith("booking.")


def test_bind_without_a_code_says_how_to_get_one(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("绑定")
    assert talk.ids() == ["intent.bind_how", "menu.title"]


def test_anything_else_gets_a_short_help(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("今天天气不错")
    assert talk.ids() == ["intent.help", "menu.title"]


def test_english_words_are_understood_too(runtime: Runtime) -> None:
    talk = Talk(runtime, lang="en")
    talk.send("hello")
    assert talk.ids() == ["intent.greeting", "menu.title"]
    talk.send("I want to make a complaint")
    assert talk.ids()[0].startswith("complaints.")
    assert talk.state_flow() == "complaint"


def test_greeting_with_a_job_word_searches(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("你好，我想找保洁的工作")
    assert "intent.greeting" not in talk.ids()
    assert talk.ids()[0].startswith("jobs.")
