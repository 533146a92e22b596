"""A resident files a complaint or a suggestion by chat and reads where it stands."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.people.personal import mask_phone
from core.runtime import Runtime
from core.timeutil import SHANGHAI
from tests.complaints.conftest import Clock, Member, file_complaint, latest, tickets
from tests.registration.helpers import COMMUNITY, pushes
from tests.talk import Talk


def test_complaint_by_chat_gets_a_ticket_number_and_the_first_answer_time(
    runtime: Runtime, resident: Talk, street: Member, community: Member
) -> None:
    file_complaint(resident)
    assert resident.ids() == ["complaints.filed", "menu.title"]
    filed = resident.last.messages[0].text.params  # type: ignore[union-attr]
    assert filed["number"] == "TS-20261203-0001"
    assert filed["due"] == "2026-12-03 17:30"  # Thursday 10:00: the same working day
    ticket = latest(runtime)
    assert (ticket.kind, ticket.category, ticket.area_code, ticket.level) == (
        "complaint",
        "attitude",
        COMMUNITY,
        "street",
    )
    assert runtime.vault.decrypt(ticket.text_enc).startswith("窗口工作人员态度很差")
    # The street platform gets the task; the community's member does not.
    assert pushes(runtime, street.talk.user)[-1] == "complaints.push.new"
    assert "complaints.push.new" not in pushes(runtime, community.talk.user)


def test_ticket_numbers_count_per_day(runtime: Runtime, resident: Talk, clock: Clock) -> None:
    file_complaint(resident)
    file_complaint(Talk(runtime, user="resident-2"))
    clock.now = datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI)
    file_complaint(resident, kind="suggestion")
    assert [t.number for t in tickets(runtime)] == [
        "TS-20261203-0001",
        "TS-20261203-0002",
        "TS-20261204-0001",
    ]


def test_words_pick_the_kind(resident: Talk) -> None:
    resident.send("我要投诉")
    assert resident.ids() == ["complaints.ask.category"]
    resident.send("取消")
    resident.send("建议")
    assert resident.ids() == ["complaints.ask.category"]
    assert resident.last.messages[0].text.params["kind"].id == "complaints.kind.suggestion"  # type: ignore[union-attr]
    resident.send("取消")
    resident.send("反映问题")
    assert resident.ids() == ["complaints.ask.kind"]


def test_after_the_cut_off_the_first_answer_is_due_next_working_day_noon(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    clock.now = datetime(2026, 12, 4, 16, 20, tzinfo=SHANGHAI)  # Friday after 16:00
    file_complaint(resident)
    assert resident.last.messages[0].text.params["due"] == "2026-12-07 12:00"  # type: ignore[union-attr]


def test_a_complaint_cannot_be_anonymous_but_a_suggestion_can(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("我要投诉")
    resident.send(choice="c:c:efficiency")
    resident.send("解放桥")
    resident.send(choice="c:o:" + COMMUNITY)
    resident.send(choice="c:sv:none")
    resident.send(choice="c:s:none")
    resident.send("办事效率太低")
    resident.send(choice="c:next")
    assert "c:ct:anonymous" not in resident.options()
    resident.send(choice="c:ct:anonymous")  # a forged button: refused, the step stays
    assert resident.ids()[0] == "system.stale_choice"
    assert "c:ct:chat" in resident.options()
    resident.send("取消")
    file_complaint(resident, kind="suggestion", contact="anonymous", text="希望增加周末开放时间")
    assert resident.ids() == ["complaints.filed_anonymous", "menu.title"]
    ticket = latest(runtime)
    assert (ticket.contact, ticket.channel, ticket.external_id) == ("anonymous", None, None)
    resident.send("我的")
    assert "complaints.mine.title" not in resident.ids()


def test_phone_contact_is_kept_encrypted_and_shown_masked(runtime: Runtime, resident: Talk) -> None:
    resident.send("投诉")
    resident.send(choice="c:c:policy")
    resident.send("解放桥社区")
    resident.send(choice="c:o:" + COMMUNITY)
    resident.send(choice="c:sv:none")
    resident.send(choice="c:s:none")
    resident.send("补贴政策没有落实")
    resident.send(choice="c:next")
    resident.send(choice="c:ct:phone")
    resident.send("12345")
    assert resident.ids()[0] == "registration.error.phone_length"
    resident.send("139 1234 5678")
    summary = resident.say("好的")  # not the submit button: the summary again
    assert mask_phone("13912345678") in "".join(summary)
    assert "13912345678" not in "".join(summary)
    resident.send(choice="c:submit")
    ticket = latest(runtime)
    assert ticket.phone_enc and runtime.vault.decrypt(ticket.phone_enc) == "13912345678"


def test_photos_sent_while_writing_are_kept_as_references(runtime: Runtime, resident: Talk) -> None:
    resident.send("投诉")
    resident.send(choice="c:c:other")
    resident.send("解放桥社区")
    resident.send(choice="c:o:" + COMMUNITY)
    resident.send(choice="c:sv:none")
    resident.send(choice="c:s:none")
    resident.send(event="photo", ref="wechat:media:MEDIA-1")
    assert resident.ids()[0] == "complaints.photo_kept"
    resident.send("大厅地面湿滑，老人摔倒了")
    resident.send(event="photo", ref="wechat:media:MEDIA-2")
    assert resident.ids() == ["complaints.photo_kept", "complaints.ask.photos"]
    resident.send("这是照片")  # typed text at the photo step: asked again, nothing lost
    assert resident.ids()[0] == "complaints.photos.again"
    resident.send(choice="c:next")
    resident.send(choice="c:ct:chat")
    resident.send(choice="c:submit")
    assert latest(runtime).photos == ["wechat:media:MEDIA-1", "wechat:media:MEDIA-2"]


def test_a_photo_outside_a_flow_that_takes_photos_gets_the_text_only_answer(
    resident: Talk,
) -> None:
    resident.send(event="photo", ref="telegram:file:abc")
    assert resident.ids()[0] == "system.unsupported_message"


def test_lookup_by_number_shows_only_ones_own_tickets(runtime: Runtime, resident: Talk) -> None:
    file_complaint(resident)
    number = latest(runtime).number
    resident.send(number.lower())
    assert resident.ids() == ["complaints.lookup.found", "menu.title"]
    other = Talk(runtime, user="resident-2")
    other.send(number)
    assert other.ids() == ["complaints.lookup.none", "menu.title"]
    other.send("TS-20261203-9999")
    assert other.ids() == ["complaints.lookup.none", "menu.title"]


def test_mine_lists_tickets_and_their_state(runtime: Runtime, resident: Talk) -> None:
    file_complaint(resident)
    resident.send("我的")
    assert "complaints.mine.title" in resident.ids()
    shown = resident.say("我的")
    assert any("TS-20261203-0001" in line and "已受理" in line for line in shown)


def test_a_resident_who_leaves_is_forgotten_but_the_ticket_stays(
    runtime: Runtime, resident: Talk
) -> None:
    file_complaint(resident)
    number = latest(runtime).number
    assert runtime.engine.forget("console", "resident-1")
    ticket = latest(runtime)
    assert (ticket.number, ticket.channel, ticket.external_id) == (number, None, None)
    resident.send(number)  # back again: the old ticket is no longer theirs to read
    assert resident.ids()[0] == "complaints.lookup.none"


def test_asking_to_look_up_lists_ones_tickets(runtime: Runtime, resident: Talk) -> None:
    resident.send("查询投诉")
    assert resident.ids() == ["complaints.lookup.empty", "menu.title"]
    file_complaint(resident)
    resident.send("查询投诉")
    assert resident.ids() == ["complaints.mine.title", "menu.title"]
    assert len(tickets(runtime)) == 1  # looking up filed nothing


def _to_the_account(talk: Talk) -> None:
    """From the category to the question that asks what happened (no staff named)."""
    talk.send(choice="c:c:attitude")
    talk.send("解放桥社区")
    talk.send(choice="c:o:" + COMMUNITY)
    talk.send(choice="c:sv:none")
    talk.send(choice="c:s:none")


def test_an_account_given_with_the_request_is_kept_for_later(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("我要投诉，窗口工作人员态度不好，让我等了一个小时")
    assert resident.ids() == ["complaints.early_kept", "complaints.ask.category"]
    _to_the_account(resident)
    assert resident.ids() == ["complaints.ask.text_or_early"]
    assert "c:tx:early" in resident.options()
    resident.send("1")
    resident.send(choice="c:next")
    resident.send(choice="c:ct:chat")
    resident.send(choice="c:submit")
    # kept as typed, full-width punctuation included
    assert (
        runtime.vault.decrypt(latest(runtime).text_enc)
        == "我要投诉，窗口工作人员态度不好，让我等了一个小时"
    )


def test_an_account_typed_at_an_option_question_is_kept_and_the_question_asked_again(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("投诉建议")
    resident.send(choice="c:k:complaint")
    resident.send("窗口工作人员态度不好，让我等了一个小时也不办理")
    assert resident.ids() == ["complaints.early_kept", "complaints.ask.category"]
    _to_the_account(resident)
    resident.send("排队叫号的时候被插队，工作人员不管")  # a new account replaces it
    resident.send(choice="c:next")
    resident.send(choice="c:ct:chat")
    resident.send(choice="c:submit")
    assert runtime.vault.decrypt(latest(runtime).text_enc) == "排队叫号的时候被插队，工作人员不管"


def test_a_stray_short_answer_is_not_taken_for_an_account(resident: Talk) -> None:
    resident.send("投诉建议")
    resident.send(choice="c:k:complaint")
    resident.send("不知道")
    assert resident.ids() == ["complaints.pick_again", "complaints.ask.category"]


@pytest.mark.parametrize("stray", ["13912345678", "370102198503071239", "电话 13912345678"])
def test_a_phone_or_id_number_alone_is_not_taken_for_an_account(resident: Talk, stray: str) -> None:
    resident.send("我要投诉，窗口工作人员态度不好，让我等了一个小时")
    resident.send(stray)  # at the category question
    assert resident.ids() == ["complaints.pick_again", "complaints.ask.category"]
    _to_the_account(resident)
    label = "\n".join(resident.say("帮助"))
    assert "窗口工作人员态度不好" in label  # the account typed first is still the one offered


def test_the_none_options_words_typed_name_nobody(runtime: Runtime, resident: Talk) -> None:
    resident.send("投诉建议")
    resident.send(choice="c:k:complaint")
    resident.send(choice="c:c:attitude")
    resident.send("解放桥社区")
    resident.send(choice="c:o:" + COMMUNITY)
    resident.send(choice="c:sv:none")
    resident.send("不涉及")
    assert resident.ids() == ["complaints.ask.text"]  # not "the name you gave is noted"


def test_a_phone_number_in_the_account_is_masked_when_shown_back(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("我要投诉，工作人员让我打13912345678问，一直没人接")
    _to_the_account(resident)
    label = "\n".join(resident.say("帮助"))  # the question again, with its button
    assert "13912345678" not in label and "139****5678" in label
    resident.send(choice="c:tx:early")
    resident.send(choice="c:next")
    summary = "\n".join(resident.say("", choice="c:ct:chat"))
    assert "13912345678" not in summary and "139****5678" in summary
    resident.send(choice="c:submit")
    stored = runtime.vault.decrypt(latest(runtime).text_enc)
    assert "13912345678" in stored  # the handler reads the whole account


def test_an_overlong_early_account_is_not_kept(resident: Talk) -> None:
    resident.send("投诉建议")
    resident.send(choice="c:k:complaint")
    resident.send("态度" * 600)  # over the 1,000 characters an account may have
    assert resident.ids() == ["complaints.pick_again", "complaints.ask.category"]
    _to_the_account(resident)
    assert resident.ids() == ["complaints.ask.text"]  # nothing kept to offer
