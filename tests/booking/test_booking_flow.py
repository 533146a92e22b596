"""A resident books 职业指导 by chat: numbers, defaults, and every refusal changes nothing."""

from __future__ import annotations

import pytest

from core.dialog.messages import Reply
from core.dialog.plaintext import render_reply
from core.runtime import Runtime
from tests.booking.conftest import (
    COMMUNITY_OFFICE,
    HOLIDAY,
    STREET_OFFICE,
    TOMORROW,
    Clock,
    book_guidance,
    bookings,
    register_person,
    slot_taken,
)
from tests.talk import Talk


def _params(reply: Reply | None, index: int = 0) -> dict[str, object]:
    assert reply is not None
    return dict(reply.messages[index].text.params)


def test_resident_books_and_gets_booking_number_queue_number_and_address(
    runtime: Runtime, resident: Talk
) -> None:
    book_guidance(resident)
    booked = _params(resident.last)
    (row,) = bookings(runtime)
    assert booked["number"] == row.number and len(row.number) == 8
    assert booked["queue"] == row.queue_no == "A001"
    assert (row.office, row.day, row.start, row.status) == (
        STREET_OFFICE,
        TOMORROW,
        "09:00",
        "booked",
    )
    text = "\n".join(resident.say("我的"))
    assert row.number in text and "A001" in text
    assert row.name_enc != "张三" and runtime.vault.decrypt(row.name_enc) == "张三"
    assert slot_taken(runtime, STREET_OFFICE, TOMORROW, "09:00") == 1


def test_confirmation_gives_address_phone_and_what_to_bring(resident: Talk) -> None:
    book_guidance(resident)
    book_guidance(resident, start="10:00", name=None)
    assert resident.last is not None
    shown = "\n".join(render_reply(resident.runtime.content.catalog, resident.last))
    assert "解放路 112 号" in shown and "0531-86000001" in shown and "身份证" in shown
    assert "A002" in shown


def test_queue_numbers_count_per_office_day_and_service(runtime: Runtime, clock: Clock) -> None:
    for n in range(3):
        book_guidance(Talk(runtime, user=f"r{n}"), start=["09:00", "09:00", "10:00"][n])
    assert [b.queue_no for b in bookings(runtime)] == ["A001", "A002", "A003"]


def test_registered_resident_gets_their_community_office_without_a_name_question(
    runtime: Runtime, resident: Talk
) -> None:
    register_person(runtime, resident, "李四")
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    assert resident.ids() == ["booking.ask.day"]
    assert _params(resident.last)["office"] == "解放桥社区党群服务中心就业服务站"
    book_guidance(resident, office=COMMUNITY_OFFICE, start="14:00", name=None)
    (row,) = bookings(runtime)
    assert row.office == COMMUNITY_OFFICE and row.who.startswith("p:")
    assert runtime.vault.decrypt(row.name_enc) == "李四"


def test_days_offered_skip_holidays_and_show_free_places(resident: Talk) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    days = [o for o in resident.options() if o.startswith("b:d:")]
    assert days[0] == "b:d:2026-09-29:am"
    assert not any("2026-10-0" + d in o for o in days for d in "1234567")  # 国庆
    assert "b:d:2026-10-08:am" in days
    resident.send(choice=days[0])
    # 09:00 and 10:00 are past or less than two hours away; 11:00 is exactly two hours away.
    assert [o for o in resident.options()] == ["b:t:11:00"]


def test_full_day_is_not_offered(runtime: Runtime, clock: Clock) -> None:
    for start in ("09:00", "10:00", "11:00"):
        for n in range(2):
            book_guidance(Talk(runtime, user=f"am-{start}-{n}"), start=start)
    late = Talk(runtime, user="late")
    late.send("预约")
    late.send(choice="b:s:guidance")
    late.send(choice="b:o:" + STREET_OFFICE)
    assert "b:d:2026-09-30:am" not in late.options()
    assert "b:d:2026-09-30:pm" in late.options()


def test_holiday_typed_as_text_is_refused_with_the_hall_hours(
    runtime: Runtime, resident: Talk
) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    resident.send(f"{HOLIDAY.month}月{HOLIDAY.day}日")
    assert resident.ids()[:2] == ["booking.bad.closed", "booking.ask.day"]
    shown = "\n".join(resident.say("10月3日"))
    assert "休息日" in shown and "0531-86000001" in shown and "09:00-12:00" in shown
    assert bookings(runtime) == []


def test_past_date_typed_is_refused(runtime: Runtime, resident: Talk) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    resident.send("9月28日")
    assert resident.ids()[:2] == ["booking.bad.past", "booking.ask.day"]
    resident.send("2026-12-25")
    assert resident.ids()[0] == "booking.bad.too_far"
    resident.send("下周吧")
    assert resident.ids()[0] == "booking.bad.day"
    assert bookings(runtime) == []


def test_typed_date_and_full_width_time_book_that_slot(runtime: Runtime, resident: Talk) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    resident.send("10月8日")
    assert resident.ids() == ["booking.ask.slot"]
    resident.send("１４：３０")
    assert resident.ids() == ["booking.ask.name"]
    resident.send("王五")
    resident.send("想问问简历怎么写")
    resident.send(choice="b:ok")
    (row,) = bookings(runtime)
    assert (row.day.isoformat(), row.start) == ("2026-10-08", "14:30")
    assert runtime.vault.decrypt(row.need_enc) == "想问问简历怎么写"


def test_time_not_offered_or_unreadable_is_asked_again(runtime: Runtime, resident: Talk) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    resident.send("10月8日")
    resident.send("12:00")  # the hall is closed at noon: no such slot
    assert resident.ids()[:2] == ["booking.bad.time", "booking.ask.slot"]
    resident.send("8:00")
    assert resident.ids()[:2] == ["booking.bad.time", "booking.ask.slot"]
    resident.send("中午吧")
    assert resident.ids()[:2] == ["booking.bad.time", "booking.ask.slot"]
    assert bookings(runtime) == []


def test_need_longer_than_200_characters_is_asked_again(resident: Talk) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    resident.send("10月8日")
    resident.send("9:00")
    resident.send("张三")
    resident.send("很" * 201)
    assert resident.ids()[:2] == ["booking.bad.need_long", "booking.ask.need"]


def test_slot_filled_while_choosing_shows_the_next_free_ones(
    runtime: Runtime, clock: Clock
) -> None:
    slow = Talk(runtime, user="slow")
    book_guidance(slow, start="11:00", confirm=False)
    for n in range(2):  # capacity 2: two others take both places meanwhile
        book_guidance(Talk(runtime, user=f"fast-{n}"), start="11:00")
    slow.send(choice="b:ok")
    assert slow.ids()[:2] == ["booking.just_filled", "booking.ask.slot"]
    assert "b:t:11:00" not in slow.options() and "b:t:13:30" in slow.options()
    assert [b.external_id for b in bookings(runtime)] == ["fast-0", "fast-1"]
    assert slot_taken(runtime, STREET_OFFICE, TOMORROW, "11:00") == 2


def test_at_most_two_active_bookings_per_person(runtime: Runtime, resident: Talk) -> None:
    book_guidance(resident, start="09:00")
    book_guidance(resident, start="13:30", name=None)
    book_guidance(resident, start="15:30", name=None, confirm=False)
    resident.send(choice="b:ok")
    assert resident.ids()[0] == "booking.refused.limit"
    assert len(bookings(runtime)) == 2
    assert slot_taken(runtime, STREET_OFFICE, TOMORROW, "15:30") == 0


def test_overlapping_bookings_of_one_person_are_refused(runtime: Runtime, resident: Talk) -> None:
    register_person(runtime, resident, "李四", area="370102001003")  # no office: picks one
    book_guidance(resident, start="09:00", name=None)
    resident.send("预约")
    resident.send(choice="b:s:placement")  # another service, same hour
    resident.send(choice="b:d:2026-09-30:am")
    resident.send(choice="b:t:09:00")
    resident.send(choice="b:skip")
    resident.send(choice="b:ok")
    assert resident.ids()[0] == "booking.refused.overlap"
    assert len(bookings(runtime)) == 1


def test_cancel_frees_the_place_at_once(runtime: Runtime, resident: Talk, clock: Clock) -> None:
    book_guidance(resident, office=COMMUNITY_OFFICE, start="14:00")
    other = Talk(runtime, user="other")
    other.send("预约")
    other.send(choice="b:s:guidance")
    other.send(choice="b:o:" + COMMUNITY_OFFICE)
    other.send(choice="b:d:2026-09-30:pm")
    assert "b:t:14:00" not in other.options()  # capacity 1, taken
    resident.send("我的预约")
    resident.send(choice=resident.options()[0])
    resident.send(choice="b:x")
    resident.send(choice="b:x:y")
    assert resident.ids()[0] == "booking.cancelled"
    assert slot_taken(runtime, COMMUNITY_OFFICE, TOMORROW, "14:00") == 0
    other.send("菜单")
    book_guidance(other, office=COMMUNITY_OFFICE, start="14:00")
    assert [b.status for b in bookings(runtime)] == ["cancelled", "booked"]


def test_reschedule_moves_the_booking_in_two_steps(runtime: Runtime, resident: Talk) -> None:
    book_guidance(resident, start="09:00")
    resident.send("改约 " + bookings(runtime)[0].number)
    assert resident.ids() == ["booking.mine.one"]
    resident.send(choice="b:r")
    assert resident.ids() == ["booking.ask.day"]
    resident.send(choice="b:d:2026-10-08:pm")
    resident.send(choice="b:t:13:30")
    resident.send(choice="b:skip")
    resident.send(choice="b:ok")
    assert resident.ids()[0] == "booking.booked_again"
    old, new = bookings(runtime)
    assert (old.status, old.cancel_reason, new.status, new.start) == (
        "cancelled",
        "rescheduled",
        "booked",
        "13:30",
    )
    assert slot_taken(runtime, STREET_OFFICE, TOMORROW, "09:00") == 0


def test_another_persons_booking_number_is_not_found_and_unchanged(
    runtime: Runtime, resident: Talk
) -> None:
    owner = Talk(runtime, user="owner")
    book_guidance(owner)
    number = bookings(runtime)[0].number
    resident.send("取消预约 " + number)
    assert resident.ids()[0] == "booking.refused.not_yours"
    resident.send("改约 " + number.lower())
    assert resident.ids()[0] == "booking.refused.not_yours"
    assert [b.status for b in bookings(runtime)] == ["booked"]


def test_cancelling_after_the_start_is_refused(
    runtime: Runtime, resident: Talk, clock: Clock
) -> None:
    book_guidance(resident, day=clock.now.date(), start="11:00")
    clock.now = clock.now.replace(hour=11, minute=1)
    resident.send("我的预约")
    resident.send(choice=resident.options()[0])
    resident.send(choice="b:x")
    resident.send(choice="b:x:y")
    assert resident.ids()[0] == "booking.refused.started"
    assert bookings(runtime)[0].status == "booked"


def test_english_resident_books_in_english(runtime: Runtime, clock: Clock) -> None:
    ann = Talk(runtime, user="ann")
    ann.send("English")
    assert "Career guidance" in "\n".join(ann.say("booking"))
    ann.send(choice="b:s:guidance")
    assert ann.last is not None
    ann.send(choice="b:o:" + STREET_OFFICE)
    assert ann.last is not None
    shown = "\n".join(render_reply(runtime.content.catalog, ann.last))
    assert "Wed 9/30 morning, 6 left" in shown and "Jiefanglu Street" in shown


def test_a_departed_chat_identity_leaves_no_platform_id_on_its_bookings(
    runtime: Runtime, resident: Talk
) -> None:
    book_guidance(resident)
    assert runtime.engine.forget(resident.channel, resident.user)
    (row,) = bookings(runtime)
    assert (row.channel, row.external_id, row.who, row.status) == (None, None, "gone", "booked")


def _at_the_day(resident: Talk) -> None:
    resident.send("预约")
    resident.send(choice="b:s:guidance")
    resident.send(choice="b:o:" + STREET_OFFICE)
    assert resident.ids()[-1] == "booking.ask.day"


def test_a_request_typed_as_the_real_name_is_questioned_and_a_rare_name_taken_when_repeated(
    runtime: Runtime, resident: Talk
) -> None:
    _at_the_day(resident)
    resident.send("10月8日")
    resident.send("14:30")
    resident.send("不知道")
    assert resident.ids() == ["booking.bad.name_doubt", "booking.ask.name"]
    resident.send("扎西")  # another doubtful text: asked once more, not taken
    assert resident.ids() == ["booking.bad.name_doubt", "booking.ask.name"]
    resident.send("扎西")
    assert resident.ids() == ["booking.ask.need"]
    resident.send(choice="b:skip")
    resident.send(choice="b:ok")
    (row,) = bookings(runtime)
    assert runtime.vault.decrypt(row.name_enc) == "扎西"


@pytest.mark.parametrize("said", ["我想预约职业指导", "预约 职业指导"])
def test_a_service_named_with_the_request_is_not_asked_again(resident: Talk, said: str) -> None:
    resident.send(said)
    assert "booking.ask.service" not in resident.ids(), resident.ids()
    assert any(o.startswith(("b:o:", "b:d:")) for o in resident.options()), resident.options()


def test_a_request_without_a_service_asks_for_one(resident: Talk) -> None:
    resident.send("我想预约")
    assert resident.ids() == ["booking.ask.service"]


@pytest.mark.parametrize(
    ("said", "slot"),
    [
        ("上午9点半", "09:00"),  # inside the 09:00-10:00 slot
        ("九点", "09:00"),
        ("下午两点半", "14:30"),
        ("两点", "13:30"),  # the hall is closed at 2 at night: the afternoon's 13:30-14:30
        ("3pm", "14:30"),
        ("10点左右", "10:00"),
    ],
)
def test_times_said_the_way_people_say_them_pick_the_slot_they_fall_in(
    runtime: Runtime, resident: Talk, said: str, slot: str
) -> None:
    _at_the_day(resident)
    resident.send("10月8日")
    resident.send(said)
    assert resident.ids() == ["booking.ask.name"], resident.ids()
    resident.send("王五")
    resident.send(choice="b:skip")
    resident.send(choice="b:ok")
    (row,) = bookings(runtime)
    assert row.start == slot


def test_a_time_outside_hall_hours_is_still_refused(resident: Talk) -> None:
    _at_the_day(resident)
    resident.send("10月8日")
    resident.send("晚上8点")
    assert resident.ids()[:2] == ["booking.bad.time", "booking.ask.slot"]


def test_a_day_with_its_half_shows_only_that_half(resident: Talk) -> None:
    _at_the_day(resident)
    resident.send("明天下午")
    assert resident.ids() == ["booking.ask.slot"]
    times = [o for o in resident.options() if o.startswith("b:t:")]
    assert times and all(o >= "b:t:12:00" for o in times), times


def test_a_weekday_is_the_nearest_such_day(resident: Talk) -> None:
    _at_the_day(resident)  # the clock says Tuesday 2026-09-29
    shown = resident.say("周三")[0]
    assert resident.ids() == ["booking.ask.slot"] and "9月30日" in shown


def test_a_weekday_that_is_a_holiday_says_so(resident: Talk) -> None:
    _at_the_day(resident)
    resident.send("星期五")  # 10月2日, a National Day holiday
    assert resident.ids()[0] == "booking.bad.closed"


@pytest.mark.parametrize("said", ["确认", "好的", "可以！", "ok"])
def test_the_summary_is_confirmed_in_words_too(runtime: Runtime, resident: Talk, said: str) -> None:
    _at_the_day(resident)
    resident.send("10月8日")
    resident.send("9:00")
    resident.send("王五")
    resident.send(choice="b:skip")
    assert resident.ids() == ["booking.summary"]
    resident.send(said)
    assert resident.ids()[0] in ("booking.booked", "booking.booked_again"), resident.ids()
    assert len(bookings(runtime)) == 1


def test_anything_else_at_the_summary_books_nothing(runtime: Runtime, resident: Talk) -> None:
    _at_the_day(resident)
    resident.send("10月8日")
    resident.send("9:00")
    resident.send("王五")
    resident.send(choice="b:skip")
    resident.send("我再想想")
    assert resident.ids()[0] == "booking.pick_again"
    assert bookings(runtime) == []
