"""Staff handle a ticket from 待办 by chat; the resident reads each step and rates the result."""

from __future__ import annotations

from datetime import date, datetime

from core.complaints import handling
from core.people.staff import view
from core.registration.workflow import Env
from core.runtime import Runtime
from core.storage.models import AuditEntry, Staff
from core.timeutil import SHANGHAI
from tests.complaints.conftest import Clock, Member, file_complaint, latest
from tests.registration.helpers import push_params, pushes
from tests.talk import Talk


def _open(member: Member, ticket_id: int) -> None:
    member.talk.send("待办")
    item = f"s:o:complaints:{ticket_id}"
    assert item in member.talk.options(), member.talk.options()
    member.talk.send(choice=item)
    assert member.talk.ids() == ["complaints.staff.case", "complaints.staff.pick"]


def test_first_answer_deadline_extension_result_and_rating(
    runtime: Runtime, resident: Talk, street: Member, admin: Member, clock: Clock
) -> None:
    file_complaint(resident)
    ticket = latest(runtime)
    assert ticket.id is not None
    _open(street, ticket.id)
    # The case shows the text but not who filed it.
    shown = "".join(street.talk.say("看一下"))
    assert "窗口工作人员态度很差" in shown and "resident-1" not in shown
    street.talk.send(choice="c:a")
    street.talk.send("您好，已收到，我们正在核实。")
    assert street.talk.ids() == ["complaints.staff.ask.due"]
    assert "c:due:2026-12-24" in street.talk.options()  # 15 working days, the maximum
    street.talk.send("2026-12-05")  # a Saturday
    assert street.talk.ids()[0] == "complaints.staff.error.date_holiday"
    street.talk.send("2027-03-01")
    assert street.talk.ids()[0] == "complaints.staff.error.date_late"
    street.talk.send(choice="c:due:2026-12-10")
    assert street.talk.ids()[0] == "complaints.staff.answered"
    assert pushes(runtime, resident.user)[-1] == "complaints.notice.answered"
    assert push_params(runtime, resident.user)[-1]["due"] == "2026-12-10 17:30"

    clock.now = datetime(2026, 12, 9, 10, 0, tzinfo=SHANGHAI)
    _open(street, ticket.id)
    street.talk.send(choice="c:n")
    street.talk.send("已调取监控。")
    assert street.talk.ids()[0] == "complaints.staff.noted"
    assert pushes(runtime, resident.user)[-1] == "complaints.notice.answered"  # not sent
    street.talk.send(choice="c:x")
    street.talk.send("需要与当事人当面核实")
    street.talk.send("2026-12-17")
    assert street.talk.ids()[0] == "complaints.staff.extended"
    assert pushes(runtime, resident.user)[-1] == "complaints.notice.extended"
    _open(street, ticket.id)
    assert "c:x" not in street.talk.options()  # one extension only

    street.talk.send(choice="c:d")
    street.talk.send("经核实属实，已对该工作人员批评教育并责令改正。")
    assert street.talk.ids() == ["complaints.staff.ask.finding"]
    street.talk.send(choice="c:f:verified")
    assert street.talk.ids() == ["complaints.staff.ask.about"]
    street.talk.send(choice="c:fs:none")
    assert street.talk.ids()[0] == "complaints.staff.closed"
    assert pushes(runtime, resident.user)[-1] == "complaints.notice.closed"
    closed = latest(runtime)
    assert (closed.status, closed.finding, closed.handler_id) == (
        "closed",
        "verified",
        street.staff_id,
    )

    resident.send("评价")
    assert resident.ids() == ["complaints.lookup.found", "complaints.ask.rate"]
    resident.send(choice="c:r:basic")
    assert resident.ids() == ["complaints.rate.thanks", "menu.title"]
    assert latest(runtime).rating == "basic"
    resident.send("评价")
    assert resident.ids()[0] == "complaints.rate.nothing"


def test_dissatisfied_reopens_once_at_the_level_above(
    runtime: Runtime, resident: Talk, street: Member, admin: Member, clock: Clock
) -> None:
    file_complaint(resident)
    ticket = latest(runtime)
    assert ticket.id is not None
    _handle_to_close(runtime, street, ticket.id, clock)
    resident.send("评价")
    resident.send(choice="c:r:dissatisfied")
    assert resident.ids() == ["complaints.rate.reopened", "menu.title"]
    reopened = latest(runtime)
    assert (reopened.status, reopened.level) == ("reopened", "county")
    assert pushes(runtime, admin.talk.user)[-1] == "complaints.push.reopened"
    street.talk.send("待办")
    assert f"s:o:complaints:{ticket.id}" not in street.talk.options()
    # The level above handles it; a second 不满意 is recorded and does not reopen again.
    _handle_to_close(runtime, admin, ticket.id, clock)
    resident.send(reopened.number)
    assert resident.ids() == ["complaints.lookup.found", "complaints.ask.rate"]
    resident.send(choice="c:r:dissatisfied")
    assert resident.ids()[0] == "complaints.rate.thanks"
    final = latest(runtime)
    assert (final.status, final.rating, final.handler_id) == (
        "closed",
        "dissatisfied",
        admin.staff_id,
    )


def _handle_to_close(runtime: Runtime, member: Member, ticket_id: int, clock: Clock) -> None:
    with runtime.db.transaction() as session:
        staff = session.get(Staff, member.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, clock.now)
        handling.answer(env, view(staff), ticket_id, "已收到", date(2026, 12, 10))
        handling.close(env, view(staff), ticket_id, "已处理")


def test_a_suggestion_closes_without_a_finding(
    runtime: Runtime, resident: Talk, street: Member
) -> None:
    file_complaint(resident, kind="suggestion", text="希望增加周末开放时间")
    ticket = latest(runtime)
    assert ticket.id is not None
    _open(street, ticket.id)
    street.talk.send(choice="c:a")
    street.talk.send("感谢建议，我们会研究。")
    street.talk.send(choice="c:due:2026-12-10")
    _open(street, ticket.id)
    street.talk.send(choice="c:d")
    street.talk.send("自下月起周六上午开放。")
    assert street.talk.ids()[0] == "complaints.staff.closed"
    assert latest(runtime).finding is None


def test_every_staff_step_is_audited(runtime: Runtime, resident: Talk, street: Member) -> None:
    file_complaint(resident)
    ticket = latest(runtime)
    assert ticket.id is not None
    _open(street, ticket.id)
    street.talk.send(choice="c:a")
    street.talk.send("已收到")
    street.talk.send(choice="c:due:2026-12-10")
    from sqlmodel import select

    with runtime.db.transaction() as session:
        actions = [
            (a.actor, a.action)
            for a in session.exec(
                select(AuditEntry).where(AuditEntry.subject == f"complaint:{ticket.id}")
            )
        ]
    assert ("resident", "complaint.submit") in actions
    assert (f"staff:{street.staff_id}", "complaint.answer") in actions


def test_empty_staff_text_is_asked_again(runtime: Runtime, resident: Talk, street: Member) -> None:
    file_complaint(resident)
    ticket = latest(runtime)
    assert ticket.id is not None
    _open(street, ticket.id)
    street.talk.send(choice="c:a")
    street.talk.send("   ")
    assert street.talk.ids() == ["complaints.staff.error.text_empty", "complaints.staff.ask.answer"]
    street.talk.send("返回")
    assert street.talk.ids() == ["complaints.staff.case", "complaints.staff.pick"]
