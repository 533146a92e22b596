"""Residents who register by chat, and staff linked in their areas."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from core.people.staff import Role
from core.registration.models import Registration
from core.runtime import Runtime
from tests.registration.helpers import COMMUNITY, STREET, StaffChat, id_number, staff_chat
from tests.talk import Talk

PHONE = "13812345678"
WELDER = "6-18-02-04"


def fill_identity(talk: Talk, kind: str, number: str, phone: str = PHONE) -> None:
    """From the menu to the residence question, agreeing to the privacy notice."""
    talk.send("登记")
    talk.send(choice=f"r:k:{kind}")
    assert talk.ids() == ["registration.privacy.frame"]
    talk.send(choice="r:pv:y")
    if talk.ids() == ["registration.reuse.ask"]:  # registered before: type it all again
        talk.send(choice="r:ru:n")
    talk.send("张小明")
    talk.send(number)
    assert talk.ids() == ["registration.ask.phone"], talk.ids()
    talk.send(phone)
    talk.send("解放桥社区")
    talk.send(choice=f"r:a:{COMMUNITY}")


def fill_profile(talk: Talk, *, status: bool) -> None:
    """Education to training, the answers job seekers and the unemployed share."""
    talk.send(choice="r:edu:20")
    if status:
        talk.send(choice="r:st:unemployed")
    talk.send(choice="r:skip")
    talk.send("电焊")
    assert talk.ids() == ["registration.jobs.confirm"]
    talk.send(choice=f"r:j:{WELDER}")
    talk.send(choice="r:j:done")
    talk.send(choice="r:a:any")
    talk.send("3000-5000")
    talk.send(choice="r:y")


def job_seeker_summary(talk: Talk, number: str, phone: str = PHONE) -> None:
    fill_identity(talk, "job_seeker", number, phone)
    fill_profile(talk, status=True)
    assert talk.ids() == ["registration.summary.title"], talk.ids()


def unemployed_summary(talk: Talk, number: str) -> None:
    fill_identity(talk, "unemployed", number)
    fill_profile(talk, status=False)
    talk.send("2025-03-01")
    talk.send(choice="r:ur:layoff")
    talk.send(choice="r:n")
    assert talk.ids() == ["registration.summary.title"], talk.ids()


def employed_summary(talk: Talk, number: str) -> None:
    fill_identity(talk, "employed", number)
    talk.send("济南某物业公司")
    talk.send(choice="r:ef:unit")
    talk.send("2025-03-01")
    talk.send("2027-02-28")
    talk.send("保安")
    talk.send(choice="r:j:4-07-05-01")
    assert talk.ids() == ["registration.summary.title"], talk.ids()


def submit_job_seeker(talk: Talk, number: str | None = None) -> None:
    job_seeker_summary(talk, number or id_number())
    talk.send(choice="r:submit")


def submit_unemployed(talk: Talk, number: str | None = None) -> None:
    unemployed_summary(talk, number or id_number())
    talk.send(choice="r:submit")
    assert talk.ids() == ["registration.pledge.frame"]
    talk.send(choice="r:pl:y")


def latest(runtime: Runtime) -> Registration:
    with runtime.db.transaction() as session:
        found = session.exec(select(Registration).order_by(col(Registration.id).desc())).first()
    assert found is not None
    return found


@pytest.fixture
def resident(runtime: Runtime) -> Talk:
    return Talk(runtime, user="resident-1")


@pytest.fixture
def community(runtime: Runtime) -> StaffChat:
    return staff_chat(runtime, "jfq-wang", Role.COMMUNITY, COMMUNITY)


@pytest.fixture
def street(runtime: Runtime) -> StaffChat:
    return staff_chat(runtime, "jfl-li", Role.STREET, STREET)
