"""失业登记 (dates, reasons, pledge, no documents) and 就业登记 (employer, form, dates, job)."""

from __future__ import annotations

from core.registration.answers import Field
from core.registration.chat.forms import FORMS
from core.registration.rules import Kind
from core.runtime import Runtime
from tests.registration.conftest import (
    employed_summary,
    fill_identity,
    fill_profile,
    latest,
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
