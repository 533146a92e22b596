"""The staff REST API for complaints: the chat steps over HTTP, with the same area rules;
refusals are 401/403/404/422 and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from bots.web.app import create_app
from core.complaints import clocks
from core.complaints.models import ComplaintEvent
from core.complaints.rules import rules_for
from core.people.staff import Role, add_staff
from core.people.staff_tokens import issue_token
from core.runtime import Runtime
from core.settings import Settings
from core.storage.models import AuditEntry
from core.timeutil import local, utcnow
from tests.complaints.conftest import COUNTY, file_complaint, latest
from tests.registration.helpers import COMMUNITY, OTHER_STREET, STREET, pushes
from tests.talk import Talk

BASE = "/api/staff/complaints"


def _member(runtime: Runtime, username: str, name: str, role: Role, area: str) -> tuple[int, str]:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=runtime.vault, username=username, name=name, role=role, area_code=area
        )
        assert staff.id is not None
        return staff.id, issue_token(session, staff)


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def staff(runtime: Runtime) -> dict[str, tuple[int, str]]:
    return {
        "street": _member(runtime, "s", "李建国", Role.STREET, STREET),
        "colleague": _member(runtime, "s2", "周明", Role.STREET, STREET),
        "community": _member(runtime, "c", "王小红", Role.COMMUNITY, COMMUNITY),
        "other": _member(runtime, "o", "孙丽", Role.STREET, OTHER_STREET),
        "admin": _member(runtime, "a", "赵主任", Role.ADMIN, COUNTY),
    }


def _auth(staff: dict[str, tuple[int, str]], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff[who][1]}"}


def _workday(runtime: Runtime) -> date:
    """A working day after today: a deadline the API accepts whenever the suite runs."""
    return clocks.next_workday(runtime.content.worktime, local(utcnow()).date())


def _file(runtime: Runtime, **kw: str) -> int:
    file_complaint(Talk(runtime, user="resident-1"), contact="phone", **kw)
    found = latest(runtime).id
    assert found is not None
    return found


def _events(runtime: Runtime) -> int:
    with runtime.db.transaction() as session:
        return int(session.exec(select(func.count()).select_from(ComplaintEvent)).one())


def test_a_ticket_handled_over_http(
    runtime: Runtime, client: TestClient, staff: dict[str, tuple[int, str]]
) -> None:
    ticket_id = _file(runtime)
    listed = client.get(BASE, headers=_auth(staff, "street")).json()["items"]
    assert [item["id"] for item in listed] == [ticket_id]
    shown = client.get(f"{BASE}/{ticket_id}", headers=_auth(staff, "street")).json()
    assert shown["phone"] == "139****5678" and shown["unmasked"] is False
    full = client.get(f"{BASE}/{ticket_id}?unmasked=true", headers=_auth(staff, "street")).json()
    assert full["phone"] == "13912345678"
    day = _workday(runtime)
    answered = client.post(
        f"{BASE}/{ticket_id}/answer",
        json={"text": "已收到，正在核实", "due_date": day.isoformat()},
        headers=_auth(staff, "street"),
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "answered"
    assert pushes(runtime, "resident-1")[-1] == "complaints.notice.answered"
    later = clocks.next_workday(runtime.content.worktime, day)
    body = {"reason": "需要调查", "due_date": later.isoformat()}
    assert (
        client.post(
            f"{BASE}/{ticket_id}/extend", json=body, headers=_auth(staff, "street")
        ).status_code
        == 200
    )
    again = client.post(f"{BASE}/{ticket_id}/extend", json=body, headers=_auth(staff, "street"))
    assert (again.status_code, again.json()["detail"]) == (422, "extended_once")
    assert (
        client.post(
            f"{BASE}/{ticket_id}/note", json={"text": "电话回访"}, headers=_auth(staff, "street")
        ).status_code
        == 200
    )
    about = {"finding": "verified", "staff_id": staff["community"][0]}
    marked = client.post(f"{BASE}/{ticket_id}/finding", json=about, headers=_auth(staff, "street"))
    assert marked.json()["finding"] == "verified"
    closed = client.post(
        f"{BASE}/{ticket_id}/close", json={"result": "已整改"}, headers=_auth(staff, "street")
    )
    assert closed.json()["status"] == "closed"
    assert [e["action"] for e in closed.json()["events"]] == [
        "submit", "answer", "extend", "note", "finding", "close",
    ]  # fmt: skip
    with runtime.db.transaction() as session:
        actions = set(session.exec(select(AuditEntry.action).where(AuditEntry.channel == "web")))
    assert {"complaint.view_unmasked", "complaint.answer", "complaint.close"} <= actions


def test_the_member_a_complaint_names_cannot_see_or_act_on_it(
    runtime: Runtime, client: TestClient, staff: dict[str, tuple[int, str]]
) -> None:
    ticket_id = _file(runtime, staff="李建国")
    assert client.get(BASE, headers=_auth(staff, "street")).json()["items"] == []
    assert client.get(f"{BASE}/{ticket_id}", headers=_auth(staff, "street")).status_code == 403
    body = {"text": "这是误会", "due_date": _workday(runtime).isoformat()}
    refused = client.post(f"{BASE}/{ticket_id}/answer", json=body, headers=_auth(staff, "street"))
    assert refused.status_code == 403
    # It went above the street: the colleague does not see it either; the admin does.
    assert client.get(f"{BASE}/{ticket_id}", headers=_auth(staff, "colleague")).status_code == 403
    seen = client.get(f"{BASE}/{ticket_id}", headers=_auth(staff, "admin")).json()
    assert seen["level"] == "county" and seen["staff_name"] == "李*国"
    assert latest(runtime).status == "received"


@pytest.mark.parametrize(
    ("who", "status"), [("other", 403), ("community", 403), (None, 401), ("bogus", 401)]
)
def test_outsiders_are_refused(
    runtime: Runtime,
    client: TestClient,
    staff: dict[str, tuple[int, str]],
    who: str | None,
    status: int,
) -> None:
    ticket_id = _file(runtime)
    headers = (
        {}
        if who is None
        else {"Authorization": "Bearer nope"}
        if who == "bogus"
        else _auth(staff, who)
    )
    assert client.get(f"{BASE}/{ticket_id}", headers=headers).status_code == status


def test_bad_requests_change_nothing(
    runtime: Runtime, client: TestClient, staff: dict[str, tuple[int, str]]
) -> None:
    ticket_id = _file(runtime)
    before = _events(runtime)
    auth = _auth(staff, "street")
    too_late = clocks.latest_due(
        runtime.content.worktime, rules_for(runtime.content), utcnow()
    ) + timedelta(days=40)
    saturday = _workday(runtime)
    while runtime.content.worktime.is_workday(saturday):
        saturday += timedelta(days=1)
    cases = [
        ("answer", {"text": "好", "due_date": too_late.isoformat()}, 422),
        ("answer", {"text": "好", "due_date": saturday.isoformat()}, 422),
        ("answer", {"text": "好", "due_date": "2020-01-02"}, 422),
        ("answer", {"text": "好"}, 422),
        ("answer", {"text": "好" * 1001, "due_date": _workday(runtime).isoformat()}, 422),
        ("answer", {"text": "   ", "due_date": _workday(runtime).isoformat()}, 422),
        ("close", {"result": "结果"}, 422),  # not answered yet
        ("extend", {"reason": "x", "due_date": _workday(runtime).isoformat()}, 422),
        ("finding", {"finding": "maybe"}, 422),
        ("note", {"text": ""}, 422),
    ]
    for action, body, status in cases:
        answer = client.post(f"{BASE}/{ticket_id}/{action}", json=body, headers=auth)
        assert answer.status_code == status, (action, body, answer.text)
    assert client.post(f"{BASE}/999999/note", json={"text": "x"}, headers=auth).status_code == 404
    assert client.get(f"{BASE}/0", headers=auth).status_code == 422
    assert client.post(f"{BASE}/{ticket_id}/answer", content=b"{", headers=auth).status_code == 422
    assert _events(runtime) == before
    assert latest(runtime).status == "received"


def test_a_number_inside_the_account_is_masked_unless_unmasked_is_asked(
    runtime: Runtime, client: TestClient, staff: dict[str, tuple[int, str]]
) -> None:
    ticket_id = _file(runtime, text="让我打13812345678问，一直没人接")
    shown = client.get(f"{BASE}/{ticket_id}", headers=_auth(staff, "street")).json()
    assert "13812345678" not in shown["text"] and "138****5678" in shown["text"]
    full = client.get(f"{BASE}/{ticket_id}?unmasked=true", headers=_auth(staff, "street")).json()
    assert "13812345678" in full["text"]  # audited, as the phone is
