"""失业登记 (dates, reasons, pledge, no documents) and 就业登记 (employer, form, dates, job)."""

from __future__ import annotations

from sqlmodel import col, select

from core.dialog.plaintext import render_reply
from core.people.personal import mask_id_number
from core.registration.answers import Field
from core.registration.chat.forms import FORMS
from core.registration.models import Registration
from core.registration.rules import Kind
from core.runtime import Runtime
from tests.registration.conftest import (
    PHONE,
    employed_summary,
    fill_identity,
    fill_profile,
    latest,
    submit_job_seeker,
    unemployed_summary,
)
from tests.registration.helpers import id_number
from tests.talk import Talk

NUMBER = id_number("19850615", seq="451")


def test_unemployment_asks_date_reason_and_benefit_but_no_documents() -> None:
    asked = [f.value for f in FORMS[Kind.UNEMPLOYED].order]
    assert asked[-3:] == ["unemployed_since", "reason", "ui_claim"]
    assert not {"status", "employer", "form"} & set(asked)
    assert len(asked) == len(set(asked))


def test_unemployment_date_must_be_past_and_after_sixteenth_birthday(resident: Talk) -> None:
    fill_identity(resident, "unemployed", NUMBER)
    fill_profile(resident, status=False)
    assert resident.ids() == ["registration.ask.unemployed_since"]
    for bad, error in (
        ("2999-01-01", "date_future"),
        ("2025-02-30", "date_not_real"),
        ("上个月", "date_format"),
        ("2000-01-01", "date_too_early"),
    ):
        resident.send(bad)
        assert resident.ids() == [
            f"registration.error.{error}",
            "registration.ask.unemployed_since",
        ]
    resident.send("2025年3月1日")
    assert resident.ids() == ["registration.ask.reason"]


def test_unemployment_needs_the_signed_pledge(runtime: Runtime, resident: Talk) -> None:
    unemployed_summary(resident, NUMBER)
    resident.send(choice="r:submit")
    assert resident.ids() == ["registration.pledge.frame"]
    resident.send(choice="r:pl:n")
    assert resident.ids() == ["registration.pledge.needed", "registration.summary.title"]
    resident.send(choice="r:submit")
    resident.send(choice="r:pl:y")
    assert resident.ids() == ["registration.notice.submitted", "menu.title"]
    reg = latest(runtime)
    assert reg.kind == "unemployed" and reg.pledge_version == "2025.1"
    assert reg.pledge_signed_at is not None
    assert reg.details["reason"] == "layoff" and reg.details["ui_claim"] is False


def test_woman_of_sixty_cannot_register_as_unemployed_but_may_seek_a_job(
    runtime: Runtime,
) -> None:
    older = id_number("19640101", seq="122")
    unemployed = Talk(runtime, user="u")
    unemployed.send("失业登记")
    unemployed.send(choice="r:pv:y")
    unemployed.send("李桂英")
    unemployed.send(older)
    assert unemployed.ids()[0] == "registration.error.id_pension_age"
    seeker = Talk(runtime, user="s")
    fill_identity(seeker, "job_seeker", older)
    assert seeker.ids() == ["registration.ask.education"]


def test_employment_registration_checks_end_after_start(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "employed", NUMBER)
    resident.send("济南某物业公司")
    resident.send("个体经营")
    assert resident.ids() == ["registration.ask.start_date"]
    resident.send("2025-03-01")
    resident.send("2025-02-01")
    assert resident.ids() == [
        "registration.error.date_end_before_start",
        "registration.ask.contract_end",
    ]
    resident.send(choice="r:skip")
    resident.send("保安")
    resident.send("1")
    assert resident.ids() == ["registration.summary.title"]
    resident.send(choice="r:submit")
    reg = latest(runtime)
    assert reg.details["form"] == "self_employed" and reg.details["contract_end"] is None
    assert reg.details["job"]["code"] == "4-07-05-01"


def test_moving_the_start_after_the_end_is_caught_at_submit(resident: Talk) -> None:
    employed_summary(resident, NUMBER)
    resident.send(choice="r:e:contract_end")
    resident.send("2025-03-15")
    resident.send(choice=f"r:e:{Field.START_DATE.value}")
    resident.send("2025-04-01")
    assert resident.ids() == ["registration.summary.title"]
    resident.send(choice="r:submit")
    assert resident.ids() == [
        "registration.error.date_end_before_start",
        "registration.ask.contract_end",
    ]
    resident.send("2025-12-31")
    assert resident.ids() == ["registration.summary.title"]


def test_no_fixed_end_can_be_typed(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "employed", NUMBER)
    resident.send("济南某物业公司")
    resident.send("单位")
    resident.send("2025-03-01")
    resident.send("无固定期限")
    assert resident.ids() == ["registration.ask.job"]


def _shown(talk: Talk) -> str:
    assert talk.last is not None
    return "\n".join(render_reply(talk.runtime.content.catalog, talk.last))


def test_unemployment_after_job_seeking_reuses_the_checked_identity(
    runtime: Runtime, resident: Talk
) -> None:
    submit_job_seeker(resident, NUMBER)
    resident.send("失业登记")
    resident.send(choice="r:pv:y")
    assert resident.ids() == ["registration.reuse.ask"]
    offered = _shown(resident)
    assert NUMBER not in offered and "张小明" not in offered and PHONE not in offered
    assert mask_id_number(NUMBER) in offered and "138****5678" in offered
    assert "解放桥社区" in offered
    resident.send("1")
    assert resident.ids() == ["registration.ask.education"]
    fill_profile(resident, status=False)
    resident.send("2025-03-01")
    resident.send(choice="r:ur:layoff")
    resident.send(choice="r:n")
    assert resident.ids() == ["registration.summary.title"]
    resident.send(choice="r:submit")
    resident.send(choice="r:pl:y")
    first, second = _registrations(runtime)
    assert second.kind == "unemployed" and second.status == "submitted"
    assert (second.id_hash, second.area_code) == (first.id_hash, first.area_code)
    assert runtime.vault.decrypt(second.phone_enc) == PHONE


def test_the_checked_identity_can_be_typed_again(runtime: Runtime, resident: Talk) -> None:
    submit_job_seeker(resident, NUMBER)
    resident.send("失业登记")
    resident.send(choice="r:pv:y")
    resident.send("重新填写")
    assert resident.ids() == ["registration.ask.name"]


def test_reuse_is_not_offered_when_the_kind_refuses_the_person(runtime: Runtime) -> None:
    older = id_number("19640101", seq="122")  # a woman past pension age
    seeker = Talk(runtime, user="s")
    submit_job_seeker(seeker, older)
    seeker.send("失业登记")
    seeker.send(choice="r:pv:y")
    assert seeker.ids() == ["registration.ask.name"]


def _registrations(runtime: Runtime) -> list[Registration]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(Registration).order_by(col(Registration.id))))
