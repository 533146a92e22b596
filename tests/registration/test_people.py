"""One person, one record: found by the ID's keyed hash; conflicts go to staff, never overwrite."""

from __future__ import annotations

from sqlmodel import select

from core.registration.models import Person, PersonIdentity, PersonRevision, Registration
from core.runtime import Runtime
from tests.registration.conftest import (
    employed_summary,
    job_seeker_summary,
    latest,
    submit_job_seeker,
)
from tests.registration.helpers import StaffChat, id_number, pushes
from tests.talk import Talk

NUMBER = id_number("19910203", seq="135")


def _people(runtime: Runtime) -> list[Person]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(Person)))


def test_registering_again_updates_the_person_and_keeps_history(
    runtime: Runtime, resident: Talk
) -> None:
    submit_job_seeker(resident, NUMBER)
    employed_summary(resident, NUMBER)
    resident.send(choice="r:e:phone")
    resident.send("13900001111")
    resident.send(choice="r:submit")
    (person,) = _people(runtime)
    assert runtime.vault.decrypt(person.phone_enc) == "13900001111"
    assert person.id_hash == runtime.vault.lookup_hash(NUMBER)
    with runtime.db.transaction() as session:
        (revision,) = session.exec(select(PersonRevision)).all()
        regs = session.exec(select(Registration)).all()
    assert revision.changed == ["phone_enc"]
    assert runtime.vault.decrypt(revision.previous["phone_enc"]) == "13812345678"
    assert {r.person_id for r in regs} == {person.id} and len(regs) == 2


def test_id_linked_to_another_chat_goes_to_staff_as_a_conflict(
    runtime: Runtime, resident: Talk, community: StaffChat
) -> None:
    submit_job_seeker(resident, NUMBER)
    impostor = Talk(runtime, user="someone-else")
    job_seeker_summary(impostor, NUMBER, phone="13700000000")
    impostor.send(choice="r:submit")
    assert impostor.ids() == ["registration.notice.conflict", "menu.title"]
    reg = latest(runtime)
    assert reg.conflict and reg.status == "submitted"
    (person,) = _people(runtime)
    assert runtime.vault.decrypt(person.phone_enc) == "13812345678"
    with runtime.db.transaction() as session:
        links = session.exec(select(PersonIdentity)).all()
    assert [(link.external_id, link.person_id) for link in links] == [("resident-1", person.id)]
    assert "staff_tasks.push.conflict" in pushes(runtime, community.talk.user)


def test_one_chat_registering_a_second_id_is_a_conflict_too(
    runtime: Runtime, resident: Talk
) -> None:
    submit_job_seeker(resident, NUMBER)
    employed_summary(resident, id_number("19920304", seq="246"))
    resident.send(choice="r:submit")
    assert resident.ids()[0] == "registration.notice.conflict"
    assert len(_people(runtime)) == 1


def test_the_same_kind_under_review_is_not_submitted_twice(
    runtime: Runtime, resident: Talk
) -> None:
    submit_job_seeker(resident, NUMBER)
    resident.send("求职登记")
    assert resident.ids() == ["registration.already_open", "menu.title"]


def test_leaving_the_channel_removes_links_and_drafts_but_keeps_records(
    runtime: Runtime, resident: Talk
) -> None:
    submit_job_seeker(resident, NUMBER)
    resident.send("就业登记")
    resident.send(choice="r:pv:y")
    assert runtime.engine.forget("console", "resident-1")
    with runtime.db.transaction() as session:
        assert session.exec(select(PersonIdentity)).all() == []
        (reg,) = session.exec(select(Registration)).all()
        assert (reg.channel, reg.external_id, reg.status) == (None, None, "submitted")
    assert len(_people(runtime)) == 1
    fresh = Talk(runtime, user="resident-1")
    fresh.send("登记")
    assert fresh.ids() == ["registration.choose.ask"]
