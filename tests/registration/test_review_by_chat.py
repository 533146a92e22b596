"""The two-level review by chat, with the pushes each side receives (read from the outbox)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import col, select

from core.dialog.messages import Reply
from core.dialog.plaintext import render_reply
from core.people.staff import Role
from core.registration.models import PersonIdentity, Registration, RegistrationEvent
from core.runtime import Runtime, build_runtime
from core.settings import PROJECT_ROOT, Settings
from core.storage.db import Database
from core.storage.models import AuditEntry, OutboxMessage
from tests.registration.conftest import (
    employed_summary,
    latest,
    submit_job_seeker,
    submit_unemployed,
)
from tests.registration.helpers import (
    OTHER_COMMUNITY,
    StaffChat,
    id_number,
    push_params,
    pushes,
    staff_chat,
)
from tests.talk import Talk

NUMBER = id_number("19870505", seq="357")


def _open_first(staff: StaffChat) -> None:
    staff.talk.send("待办")
    assert staff.talk.ids() == ["tasks.list"]
    staff.talk.send("1")
    assert staff.talk.ids() == ["staff_tasks.case", "staff_tasks.pick"]


def _audit(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def test_full_two_level_review_notifies_each_side(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_unemployed(resident, NUMBER)
    assert pushes(runtime, community.talk.user) == ["staff_tasks.push.new"]
    assert pushes(runtime, street.talk.user) == []
    assert pushes(runtime, resident.user) == []  # the reply told them already
    _open_first(community)
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    assert community.talk.ids()[0] == "staff_tasks.done"
    assert pushes(runtime, resident.user) == ["registration.notice.accepted"]
    assert pushes(runtime, street.talk.user) == ["staff_tasks.push.new"]
    _open_first(street)
    street.talk.send(choice="s:ok")
    street.talk.send(choice="s:yes")
    assert street.talk.ids() == ["staff_tasks.done", "tasks.empty", "menu.title"]
    assert pushes(runtime, resident.user)[-1] == "registration.notice.registered"
    assert latest(runtime).status == "registered"
    text = "\n".join(resident.say("我的"))
    assert "已登记" in text
    actions = [a.action for a in _audit_all(runtime) if a.action.startswith("registration.")]
    assert actions == ["registration.submit", "registration.accept", "registration.approve"]


def _audit_all(runtime: Runtime) -> list[AuditEntry]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


def test_task_list_and_case_are_masked(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    community.talk.send("待办")
    listing = "\n".join(community.talk.say("待办"))
    assert "张*明" in listing and "3701**********" + NUMBER[-4:] in listing
    community.talk.send("1")
    case = "\n".join(render_reply(runtime.content.catalog, community.talk.last))  # type: ignore[arg-type]
    assert NUMBER not in case and "13812345678" not in case and "张小明" not in case


def test_full_id_view_is_allowed_in_area_and_audited(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    assert "s:full" in community.talk.options()
    shown = "\n".join(community.talk.say(str(community.talk.options().index("s:full") + 1)))
    assert NUMBER in shown and "13812345678" in shown and "张小明" in shown
    (entry,) = _audit(runtime, "registration.view_unmasked")
    assert entry.actor == f"staff:{community.staff_id}" and NUMBER not in entry.detail


def test_return_sends_every_item_in_one_message_and_resubmission_reopens_it(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:ret")
    assert community.talk.ids() == ["staff_tasks.items_ask"]
    community.talk.send("3 5")  # phone and education, typed at once
    community.talk.send(choice="s:it:other")
    community.talk.send(choice="s:it:done")
    assert community.talk.ids() == ["staff_tasks.note_ask"]
    community.talk.send("请写清楚学历，另外留一个常用手机号")
    (notice,) = push_params(runtime, resident.user)
    items = str(notice["items"])
    assert all(f"registration.field.{f}" in items for f in ("phone", "education", "other"))
    reg = latest(runtime)
    assert reg.status == "returned" and reg.returned_items == ["phone", "education", "other"]

    resident.send("登记")
    assert resident.ids() == ["registration.notice.returned", "registration.fix.ask"]
    resident.send(choice="r:fix")
    assert resident.ids() == ["registration.summary.returned", "registration.summary.title"]
    resident.send(choice="r:e:phone")
    resident.send("13900001111")
    resident.send(choice="r:submit")
    again = latest(runtime)
    assert (again.id, again.status, again.returned_items) == (reg.id, "submitted", [])
    assert runtime.vault.decrypt(again.phone_enc) == "13900001111"
    assert pushes(runtime, community.talk.user) == ["staff_tasks.push.new"] * 2


def test_returned_registration_can_be_withdrawn(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:ret")
    community.talk.send(choice="s:it:skills")
    community.talk.send(choice="s:it:done")
    community.talk.send(choice="s:skip")
    resident.send("登记")
    resident.send(choice="r:withdraw")
    assert resident.ids() == ["registration.withdrawn", "menu.title"]
    assert latest(runtime).status == "withdrawn"


def test_return_needs_an_item_and_other_needs_a_note(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:ret")
    community.talk.send(choice="s:it:done")
    assert community.talk.ids() == ["staff_tasks.items_none", "staff_tasks.items_ask"]
    community.talk.send(choice="s:it:other")
    community.talk.send(choice="s:it:done")
    assert "s:skip" not in community.talk.options()
    community.talk.send("  ")
    assert community.talk.ids() == ["staff_tasks.error.note", "staff_tasks.note_ask"]
    assert latest(runtime).status == "submitted"
    community.talk.send("请补充户口所在地说明")
    assert latest(runtime).status == "returned"


def test_street_rejects_with_the_reason_the_resident_reads(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_unemployed(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    _open_first(street)
    street.talk.send(choice="s:rej")
    assert street.talk.ids() == ["staff_tasks.reason_ask"]
    street.talk.send("经核实已在其他单位参保缴费")
    assert street.talk.ids() == ["staff_tasks.confirm.reject"]
    assert latest(runtime).status == "accepted"  # not before it is confirmed
    street.talk.send(choice="s:yes")
    assert latest(runtime).status == "rejected"
    notice = push_params(runtime, resident.user)[-1]
    assert notice["note"] == "经核实已在其他单位参保缴费"
    assert pushes(runtime, resident.user)[-1] == "registration.notice.rejected"


def test_accepting_a_conflict_links_the_chat_after_checking_in_person(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    runtime.engine.forget("console", "resident-1")  # the first chat left; its link is gone
    newcomer = Talk(runtime, user="new-phone")
    employed_summary(newcomer, NUMBER)
    newcomer.send(choice="r:submit")
    assert not latest(runtime).conflict  # nobody else holds the ID now
    other = Talk(runtime, user="third")
    submit_unemployed(other, NUMBER)
    reg = latest(runtime)
    assert reg.conflict
    community.talk.send("待办")
    position = community.talk.options().index(f"s:o:registration:{reg.id}") + 1
    community.talk.send(str(position))
    assert community.talk.ids() == ["staff_tasks.with_conflict", "staff_tasks.pick"]
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    with runtime.db.transaction() as session:
        links = session.exec(select(PersonIdentity.external_id)).all()
        events = session.exec(select(RegistrationEvent.action)).all()
    assert sorted(links) == ["new-phone", "third"]  # checked in person: both chats are theirs
    assert not latest(runtime).conflict and "accept" in events


def test_staff_of_another_community_do_not_see_the_item(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    neighbour = staff_chat(runtime, "lsl-zhao", Role.COMMUNITY, OTHER_COMMUNITY)
    submit_job_seeker(resident, NUMBER)
    neighbour.talk.send("待办")
    assert neighbour.talk.ids() == ["tasks.empty", "menu.title"]
    assert pushes(runtime, neighbour.talk.user) == []


def test_residents_cannot_open_the_task_list(resident: Talk) -> None:
    resident.send("待办")
    assert resident.ids() == ["intent.help", "menu.title"]


@pytest.fixture
def one_level(settings: Settings, db: Database, tmp_path: Path) -> Runtime:
    """Content where 失业登记 is decided at acceptance, on the pledge alone."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    path = content / "registration.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "  unemployed:\n    review_levels: 2"
    assert marker in text
    path.write_text(text.replace(marker, "  unemployed:\n    review_levels: 1"), encoding="utf-8")
    return build_runtime(settings.model_copy(update={"content_dir": content}), db=db)


def test_one_review_level_registers_at_acceptance(one_level: Runtime) -> None:
    community = staff_chat(one_level, "c1", Role.COMMUNITY, "370102001002")
    resident = Talk(one_level, user="r1")
    submit_unemployed(resident, NUMBER)
    _open_first(community)
    assert "s:acc" in community.talk.options()
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    with one_level.db.transaction() as session:
        reg = session.exec(select(Registration)).one()
    assert reg.status == "registered" and reg.review_levels == 1
    assert pushes(one_level, resident.user) == ["registration.notice.registered"]


def _notices(runtime: Runtime, recipient: str) -> list[str]:
    """The resident's pushes as they would read them."""
    with runtime.db.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
            .order_by(col(OutboxMessage.id))
        ).all()
        replies = [Reply.from_json(row.payload) for row in rows]
    return [text for r in replies for text in render_reply(runtime.content.catalog, r)]


def _shown(talk: Talk) -> str:
    assert talk.last is not None
    return "\n".join(render_reply(talk.runtime.content.catalog, talk.last))


def test_decisions_are_confirmed_once_and_not_now_changes_nothing(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:acc")
    assert community.talk.ids() == ["staff_tasks.confirm.accept"]
    assert "转街道审核" in _shown(community.talk)
    community.talk.send(choice="s:no")
    assert community.talk.ids() == ["staff_tasks.case", "staff_tasks.pick"]
    assert latest(runtime).status == "submitted"
    assert pushes(runtime, resident.user) == []


def test_staff_read_the_earlier_steps_of_a_case(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_unemployed(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    _open_first(street)
    case = _shown(street.talk)
    assert "处理记录" in case and "居民 提交" in case
    assert "社区平台经办王*" in case and "受理" in case
    assert "王小红" not in case  # staff names masked like residents'


def test_street_staff_return_items_and_the_notice_reads_cleanly(
    runtime: Runtime, resident: Talk, community: StaffChat, street: StaffChat
) -> None:
    submit_unemployed(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:acc")
    community.talk.send(choice="s:yes")
    _open_first(street)
    assert "s:ret" in street.talk.options()
    street.talk.send(choice="s:ret")
    street.talk.send(choice="s:it:phone")
    street.talk.send(choice="s:it:done")
    street.talk.send("手机号需要核验。")
    assert latest(runtime).status == "returned"
    notice = _notices(runtime, resident.user)[-1]
    assert "需要核验。请回复" in notice and "。。" not in notice
    mine = "\n".join(resident.say("我的"))
    assert "需要补正：手机号" in mine and "手机号需要核验" in mine


def test_a_return_without_a_note_has_no_empty_explanation(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:ret")
    community.talk.send(choice="s:it:skills")
    community.talk.send(choice="s:it:done")
    community.talk.send(choice="s:skip")
    notice = _notices(runtime, resident.user)[-1]
    assert "技能和证书" in notice and "说明" not in notice and "-" not in notice


def test_the_rejection_reason_appears_in_mine(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:rej")
    community.talk.send("已在其他平台登记。")
    community.talk.send(choice="s:yes")
    mine = "\n".join(resident.say("我的"))
    assert "不予登记" in mine and "原因：已在其他平台登记" in mine


def test_pending_unemployment_and_new_employment_of_one_person_are_flagged(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_unemployed(resident, NUMBER)
    first = latest(runtime)
    employed_summary(resident, NUMBER)
    resident.send(choice="r:submit")
    second = latest(runtime)
    assert second.kind == "employed"
    community.talk.send("待办")
    community.talk.send(str(community.talk.options().index(f"s:o:registration:{second.id}") + 1))
    assert f"另有一份失业登记（#{first.id}" in _shown(community.talk)
    community.talk.send(choice="s:list")
    community.talk.send(str(community.talk.options().index(f"s:o:registration:{first.id}") + 1))
    assert f"另有一份就业登记（#{second.id}" in _shown(community.talk)


def test_items_to_return_can_be_typed_by_name(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    _open_first(community)
    community.talk.send(choice="s:ret")
    community.talk.send("手机号、技能和证书")
    assert community.talk.ids() == ["staff_tasks.items_ask"]
    community.talk.send("手机号、鞋码")  # one name of no item: nothing changes
    assert community.talk.ids() == ["staff_tasks.pick_again", "staff_tasks.items_ask"]
    community.talk.send(choice="s:it:done")
    community.talk.send(choice="s:skip")
    assert latest(runtime).returned_items == ["phone", "skills"]
