"""Staff link their chat identity with a one-time code and then see staff entries."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from core.people.staff import Role, add_staff, issue_link_code
from core.runtime import Runtime
from core.storage.models import AuditEntry, Conversation
from core.timeutil import utcnow
from tests.talk import Talk


def _code(runtime: Runtime, minutes: int = 30) -> str:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session,
            vault=runtime.vault,
            username="wang",
            name="王小红",
            role=Role.COMMUNITY,
            area_code="370102001002",
        )
        return issue_link_code(session, staff=staff, now=utcnow(), minutes=minutes)


def test_link_code_links_the_identity_and_shows_staff_menu(runtime: Runtime) -> None:
    code = _code(runtime)
    talk = Talk(runtime, channel="wechat", user="o-staff")
    talk.send(f"绑定 {code.lower()}")
    assert talk.ids() == ["staff.linked", "menu.title"]
    assert "m:tasks" in talk.options()
    with runtime.db.transaction() as session:
        assert session.exec(select(Conversation)).one().staff_id is not None
        assert "staff.link" in [a.action for a in session.exec(select(AuditEntry))]


def test_link_code_works_only_once(runtime: Runtime) -> None:
    code = _code(runtime)
    Talk(runtime, user="first").send(f"绑定 {code}")
    second = Talk(runtime, user="second")
    second.send(f"绑定 {code}")
    assert second.ids()[0] == "staff.link_failed"
    assert "m:tasks" not in second.options()


def test_expired_link_code_is_refused(runtime: Runtime) -> None:
    code = _code(runtime, minutes=-1)
    talk = Talk(runtime)
    talk.send(f"bind {code}")
    assert talk.ids()[0] == "staff.link_failed"


def test_wrong_code_is_refused_and_residents_see_no_staff_entries(runtime: Runtime) -> None:
    _code(runtime)
    talk = Talk(runtime)
    talk.send("绑定 ABCDEFGH")
    assert talk.ids()[0] == "staff.link_failed"
    talk.send("菜单")
    assert "m:tasks" not in talk.options()


def test_staff_tasks_entry_opens_the_task_list(runtime: Runtime) -> None:
    code = _code(runtime)
    talk = Talk(runtime)
    talk.send(f"绑定 {code}")
    talk.send(choice="m:tasks")
    assert talk.ids() == ["tasks.empty", "menu.title"]


def test_mine_shows_the_staff_link(runtime: Runtime) -> None:
    code = _code(runtime)
    talk = Talk(runtime)
    talk.send(f"绑定 {code}")
    text = "\n".join(talk.say("我的"))
    assert "社区平台经办" in text and "解放桥社区" in text
    assert "王小红" not in text


def test_link_code_expiry_is_in_the_future(runtime: Runtime) -> None:
    from core.storage.models import StaffLinkCode

    _code(runtime, minutes=30)
    with runtime.db.transaction() as session:
        row = session.exec(select(StaffLinkCode)).one()
        assert timedelta(minutes=29) < row.expires_at - utcnow() <= timedelta(minutes=30)
