"""Where a ticket goes: the street platform, or the level above a staff member named in it,
who never sees it nor who complained."""

from __future__ import annotations

import pytest

from core.complaints.cases import open_ticket, pending
from core.complaints.handling import Forbidden, add_note
from core.people.staff import view
from core.registration import review
from core.registration.workflow import Env
from core.runtime import Runtime
from core.storage.models import Staff
from tests.complaints.conftest import Member, file_complaint, latest
from tests.registration.conftest import submit_job_seeker
from tests.registration.helpers import COMMUNITY, pushes
from tests.talk import Talk


def _pending_for(runtime: Runtime, who: Member) -> list[str]:
    with runtime.db.transaction() as session:
        staff = session.get(Staff, who.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, runtime.engine.clock())
        return [t.number for t in pending(env, view(staff))]


def test_complaint_naming_a_street_member_goes_to_the_level_above(
    runtime: Runtime, resident: Talk, street: Member, colleague: Member, admin: Member
) -> None:
    file_complaint(resident, staff="李建国")
    ticket = latest(runtime)
    assert (ticket.staff_id, ticket.level) == (street.staff_id, "county")
    # The named member and the street's other member do not see it; the level above does.
    assert _pending_for(runtime, street) == []
    assert _pending_for(runtime, colleague) == []
    assert _pending_for(runtime, admin) == [ticket.number]
    assert "complaints.push.new" not in pushes(runtime, street.talk.user)
    assert pushes(runtime, admin.talk.user)[-1] == "complaints.push.new"
    # In chat, 待办 of the named member shows nothing of it.
    street.talk.send("待办")
    assert "complaints" not in " ".join(street.talk.options())


def test_named_member_cannot_open_the_ticket_even_by_reference(
    runtime: Runtime, resident: Talk, street: Member, admin: Member
) -> None:
    file_complaint(resident, staff="李建国")
    ticket = latest(runtime)
    street.talk.send("待办")
    street.talk.send(choice=f"s:o:complaints:{ticket.id}")  # forged: not offered
    assert street.talk.ids()[0] == "system.stale_choice"
    # Below the chat, the handling functions refuse them too, with nothing changed.
    with runtime.db.transaction() as session:
        staff = session.get(Staff, street.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, runtime.engine.clock())
        with pytest.raises(Forbidden):
            open_ticket(env, view(staff), ticket.id or 0)
        with pytest.raises(Forbidden):
            add_note(env, view(staff), ticket.id or 0, "我想看看是谁")
    assert "TS-" not in "".join(street.talk.say("我的"))


def test_complaint_about_a_community_member_goes_to_the_street(
    runtime: Runtime, resident: Talk, street: Member, community: Member, admin: Member
) -> None:
    file_complaint(resident, staff="王小红")
    ticket = latest(runtime)
    assert (ticket.staff_id, ticket.level) == (community.staff_id, "street")
    assert _pending_for(runtime, street) == [ticket.number]
    assert _pending_for(runtime, community) == []


def test_without_a_level_above_the_street_takes_it_but_not_the_named_member(
    runtime: Runtime, resident: Talk, street: Member, colleague: Member
) -> None:
    file_complaint(resident, staff="李建国")
    ticket = latest(runtime)
    assert ticket.level == "street"
    assert _pending_for(runtime, street) == []
    assert _pending_for(runtime, colleague) == [ticket.number]


def test_an_unknown_name_is_kept_for_the_handler(
    runtime: Runtime, resident: Talk, street: Member
) -> None:
    file_complaint(resident, staff="张三丰")
    ticket = latest(runtime)
    assert ticket.staff_id is None and ticket.staff_named_enc
    assert runtime.vault.decrypt(ticket.staff_named_enc) == "张三丰"
    assert _pending_for(runtime, street) == [ticket.number]


def test_the_member_who_reviewed_a_registration_is_offered_by_name(
    runtime: Runtime, resident: Talk, community: Member, street: Member
) -> None:
    submit_job_seeker(resident)
    with runtime.db.transaction() as session:
        staff = session.get(Staff, community.staff_id)
        assert staff is not None
        env = Env(session, runtime.content, runtime.vault, runtime.engine.clock())
        reg_id = latest_registration(session)
        review.accept(env, view(staff), reg_id)
    resident.send("我要投诉")
    resident.send(choice="c:c:registration")
    resident.send("解放桥社区")
    resident.send(choice="c:o:" + COMMUNITY)
    resident.send(choice="c:sv:none")
    offered = f"c:s:{community.staff_id}"
    assert offered in resident.options()
    shown = "".join(resident.say("？"))  # not a name: asked again, with the offer
    assert "王*红" in shown and "王小红" not in shown
    resident.send(choice=offered)
    assert resident.ids() == ["complaints.ask.text"], resident.ids()
    resident.send("初审时态度不好")
    resident.send(choice="c:next")
    resident.send(choice="c:ct:chat")
    resident.send(choice="c:submit")
    assert latest(runtime).staff_id == community.staff_id


def test_an_office_named_routes_to_its_street(
    runtime: Runtime, resident: Talk, street: Member
) -> None:
    other_street = member_of_other_street(runtime)
    resident.send("投诉")
    resident.send(choice="c:c:efficiency")
    resident.send("佛山苑社区")
    code = next(o for o in resident.options() if o.startswith("c:o:3701020020"))
    resident.send(choice=code)
    resident.send(choice="c:sv:guidance")
    resident.send(choice="c:s:none")
    resident.send("办理太慢")
    resident.send(choice="c:next")
    resident.send(choice="c:ct:chat")
    resident.send(choice="c:submit")
    number = latest(runtime).number
    assert latest(runtime).service == "guidance"
    assert _pending_for(runtime, other_street) == [number]
    assert _pending_for(runtime, street) == []


def latest_registration(session: object) -> int:
    from sqlmodel import col, select

    from core.registration.models import Registration

    found = session.exec(  # type: ignore[attr-defined]
        select(Registration).order_by(col(Registration.id).desc())
    ).first()
    assert found is not None and found.id is not None
    return int(found.id)


def member_of_other_street(runtime: Runtime) -> Member:
    from core.people.staff import Role
    from tests.complaints.conftest import member
    from tests.registration.helpers import OTHER_STREET

    return member(runtime, "qfs-sun", "孙丽", Role.STREET, OTHER_STREET)
