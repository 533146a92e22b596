"""Bad input and abuse: each gets a clear answer and nothing already given is lost."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.complaints.tickets import Draft, submit
from core.registration.workflow import Env
from core.runtime import Runtime
from core.timeutil import SHANGHAI
from tests.complaints.conftest import Clock, file_complaint, latest, tickets
from tests.registration.helpers import COMMUNITY
from tests.talk import Talk


def _at_text_step(talk: Talk) -> None:
    talk.send("投诉")
    talk.send(choice="c:c:attitude")
    talk.send("解放桥社区")
    talk.send(choice="c:o:" + COMMUNITY)
    talk.send(choice="c:sv:none")
    talk.send(choice="c:s:none")
    assert talk.ids() == ["complaints.ask.text"]


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("   ", "complaints.error.text_empty"),
        ("字" * 1001, "complaints.error.text_long"),
        ("😡😡👎！！", "complaints.error.text_meaningless"),
    ],
)
def test_unusable_text_is_refused_and_asked_again(
    runtime: Runtime, resident: Talk, typed: str, answer: str
) -> None:
    _at_text_step(resident)
    resident.send(typed)
    assert resident.ids() == [answer, "complaints.ask.text"]
    # The answers before the text are kept: a good text goes on to the photos.
    resident.send("字" * 1000)
    assert resident.ids() == ["complaints.ask.photos"]


def test_text_of_exactly_the_limit_with_emoji_is_accepted(runtime: Runtime, resident: Talk) -> None:
    _at_text_step(resident)
    resident.send("服务太慢😡" + "慢" * 994)
    assert resident.ids() == ["complaints.ask.photos"]


def test_an_unknown_office_name_is_asked_again(resident: Talk) -> None:
    resident.send("投诉")
    resident.send(choice="c:c:attitude")
    resident.send("火星基地")
    assert resident.ids() == ["complaints.office.none", "complaints.ask.office"]


def test_more_than_the_daily_limit_is_refused_politely_and_earlier_ones_stay(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    for n in range(5):
        file_complaint(resident, text=f"第{n + 1}件：服务态度问题")
    resident.send("投诉")
    assert resident.ids() == ["complaints.error.daily_limit", "menu.title"]
    assert len(tickets(runtime)) == 5
    # Another person is not limited by this one.
    other = Talk(runtime, user="resident-2")
    file_complaint(other)
    assert other.ids()[0] == "complaints.filed"
    # The next day the resident may file again.
    clock.now = clock.now + timedelta(days=1)
    file_complaint(resident)
    assert resident.ids()[0] == "complaints.filed"


def test_limit_reached_while_a_draft_was_open_refuses_at_submit(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    _at_text_step(resident)
    resident.send("排队两个小时没人管")
    resident.send(choice="c:next")
    resident.send(choice="c:ct:chat")
    assert resident.ids() == ["complaints.summary.body"]
    # Meanwhile the same person files five elsewhere (e.g. at the counter's kiosk).
    with runtime.db.transaction() as session:
        env = Env(session, runtime.content, runtime.vault, clock.now)
        for _ in range(5):
            submit(
                env,
                Draft("suggestion", "other", COMMUNITY, "意见", "chat", "console", "resident-1"),
            )
    resident.send(choice="c:submit")
    assert resident.ids() == ["complaints.error.daily_limit", "menu.title"]
    assert len(tickets(runtime)) == 5


def test_someone_elses_ticket_number_reveals_nothing(runtime: Runtime, resident: Talk) -> None:
    file_complaint(resident)
    stranger = Talk(runtime, user="stranger")
    stranger.send(latest(runtime).number)
    assert stranger.ids() == ["complaints.lookup.none", "menu.title"]
    shown = stranger.say(latest(runtime).number)
    assert "窗口" not in "".join(shown)


def test_rating_without_a_closed_ticket_says_so(resident: Talk) -> None:
    resident.send("评价")
    assert resident.ids() == ["complaints.rate.nothing", "menu.title"]


def test_nonsense_at_every_step_is_answered_and_the_step_stays(resident: Talk) -> None:
    resident.send("投诉建议")
    for _ in range(2):
        resident.send("随便说点什么")
        assert resident.ids()[0] == "complaints.pick_again"
    resident.send(choice="c:k:complaint")
    resident.send("xyz")
    assert resident.ids()[0] == "complaints.pick_again"
    resident.send("返回")
    assert resident.ids() == ["complaints.ask.kind"]


def test_reply_at_midnight_counts_toward_the_local_day(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    # 23:30 on 3 December in Jinan is 15:30 UTC: the same local day as the morning ones.
    for _ in range(4):
        file_complaint(resident)
    clock.now = datetime(2026, 12, 3, 23, 30, tzinfo=SHANGHAI)
    file_complaint(resident)
    clock.now = datetime(2026, 12, 3, 23, 59, tzinfo=SHANGHAI)
    resident.send("投诉")
    assert resident.ids()[0] == "complaints.error.daily_limit"
