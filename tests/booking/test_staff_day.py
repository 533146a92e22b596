"""The staff's day by chat: 今日预约 and 待办, 叫号 (the resident is told the window),
完成 with a note, 未到, and the no-show rule."""

from __future__ import annotations

from datetime import date

from core.booking import services as svc
from core.booking.offices import Office, offices_for
from core.runtime import Runtime
from tests.booking.conftest import COMMUNITY_OFFICE, NOW, Clock, book_guidance, bookings
from tests.registration.helpers import StaffChat, push_params, pushes
from tests.talk import Talk

TODAY = NOW.date()


def _book_today(talk: Talk, clock: Clock, day: date = TODAY, name: str | None = "张三") -> None:
    clock.now = clock.now.replace(month=day.month, day=day.day, hour=9, minute=0)
    book_guidance(talk, office=COMMUNITY_OFFICE, day=day, start="14:00", name=name)
    clock.now = clock.now.replace(hour=14, minute=5)


def test_staff_day_lists_masked_names_in_time_order(
    runtime: Runtime, clock: Clock, community: StaffChat
) -> None:
    _book_today(Talk(runtime, user="a"), clock, name="欧阳娜娜")
    clock.now = NOW
    book_guidance(
        Talk(runtime, user="b"), office=COMMUNITY_OFFICE, day=TODAY, start="15:00", name="李雷"
    )
    clock.now = clock.now.replace(hour=13)
    staff = community.talk
    shown = "\n".join(staff.say("今日预约"))
    assert shown.index("A001 14:00") < shown.index("A002 15:00")
    assert "欧阳娜娜" not in shown and "李雷" not in shown and "李*" in shown


def test_call_complete_with_note_tells_the_resident_the_window(
    runtime: Runtime, clock: Clock, community: StaffChat
) -> None:
    resident = Talk(runtime, user="r1")
    _book_today(resident, clock)
    staff = community.talk
    staff.send("今日预约")
    assert staff.ids() == ["booking.staff.day"]
    staff.send("叫号")
    assert staff.ids() == ["booking.staff.called", "booking.staff.one"]
    assert pushes(runtime, "r1") == ["booking.push.call"]
    assert (
        push_params(runtime, "r1")[0]["window"] == 1
        and push_params(runtime, "r1")[0]["queue"] == "A001"
    )
    staff.send(choice="b:done")
    staff.send("已指导简历修改")
    assert staff.ids()[0] == "booking.staff.served"
    (row,) = bookings(runtime)
    assert (row.status, row.note, row.window) == ("done", "已指导简历修改", 1)


def test_call_on_another_window_and_nobody_left(
    runtime: Runtime, clock: Clock, street: StaffChat
) -> None:
    _book_today(Talk(runtime, user="r1"), clock)
    staff = street.talk  # the street's member runs the community's window too
    staff.send("今日预约")
    staff.send("叫号 3")
    assert staff.ids()[0] == "booking.staff.nobody"  # the street's own window first
    staff.send(choice=f"b:of:{COMMUNITY_OFFICE}")
    staff.send("叫号 3")
    assert staff.ids()[0] == "booking.staff.bad_window"  # the community desk has 1 window
    staff.send("叫号")
    assert staff.ids()[0] == "booking.staff.called"
    staff.send(choice="b:list")
    staff.send("叫号")
    assert staff.ids()[0] == "booking.staff.nobody"


def test_staff_day_appears_in_todo_and_opens_from_there(
    runtime: Runtime, clock: Clock, community: StaffChat
) -> None:
    _book_today(Talk(runtime, user="r1"), clock)
    staff = community.talk
    staff.send("待办")
    assert f"s:o:booking:{COMMUNITY_OFFICE}" in staff.options()
    staff.send(choice=f"s:o:booking:{COMMUNITY_OFFICE}")
    assert staff.ids() == ["booking.staff.day"]
    staff.send("返回")
    assert staff.ids() == ["tasks.list"]


def test_three_no_shows_make_later_bookings_need_a_confirmation(
    runtime: Runtime, clock: Clock, community: StaffChat
) -> None:
    resident = Talk(runtime, user="r1")
    staff = community.talk
    for n, day in enumerate((TODAY, date(2026, 9, 30), date(2026, 10, 8))):
        _book_today(resident, clock, day, name="张三" if n == 0 else None)
        staff.send("今日预约")
        staff.send("叫号")
        staff.send(choice="b:noshow")
        assert staff.ids()[0] == "booking.staff.no_show"
    assert pushes(runtime, "r1")[-1] == "booking.push.no_show_rule"
    clock.now = clock.now.replace(day=9, hour=9)
    book_guidance(
        resident, office=COMMUNITY_OFFICE, day=date(2026, 10, 12), start="14:00", name=None
    )
    assert resident.ids()[:2] == ["booking.booked", "booking.confirm_needed"]
    resident.send("确认预约")
    assert resident.ids()[0] == "booking.nothing_to_confirm"  # not yet the day before
    clock.now = clock.now.replace(day=11, hour=19)  # Sunday evening
    resident.send("确认预约")
    assert resident.ids()[0] == "booking.confirmed"
    assert bookings(runtime)[-1].confirmed_at is not None


def test_resident_cannot_open_the_staff_day(runtime: Runtime, clock: Clock) -> None:
    resident = Talk(runtime, user="r1")
    resident.send("今日预约")
    assert "booking.staff.day" not in resident.ids()


def test_completion_calls_the_survey_hook_once(runtime: Runtime, clock: Clock) -> None:
    _book_today(Talk(runtime, user="r1"), clock)
    seen: list[str] = []
    with runtime.db.transaction() as session:
        office = (
            svc.offices_for(runtime.content).get(COMMUNITY_OFFICE)
            if hasattr(svc, "offices_for")
            else None
        )
        del office
        booking = svc.call_next(session, _office(runtime), 1, clock.now)
        assert booking is not None
        svc.finish(
            session,
            booking,
            served=True,
            note="",
            now=clock.now,
            survey=lambda s, b: seen.append(b.number),
        )
        try:
            svc.finish(
                session,
                booking,
                served=True,
                note="",
                now=clock.now,
                survey=lambda s, b: seen.append(b.number),
            )
        except svc.BookingError as exc:
            assert exc.problem == "not_today"
    assert seen == [bookings(runtime)[0].number]


def _office(runtime: Runtime) -> Office:
    found = offices_for(runtime.content).get(COMMUNITY_OFFICE)
    assert found is not None
    return found
