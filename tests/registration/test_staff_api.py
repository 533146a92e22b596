"""The staff REST API: the review as in chat; refusals are 401/403/404/422, change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from bots.web.app import create_app
from core.people.staff import Role, add_staff
from core.people.staff_tokens import issue_token
from core.registration.models import Registration, RegistrationEvent
from core.runtime import Runtime
from core.settings import Settings
from core.storage.models import AuditEntry, OutboxMessage, Staff
from tests.registration.conftest import (
    employed_summary,
    latest,
    submit_job_seeker,
    submit_unemployed,
)
from tests.registration.helpers import (
    COMMUNITY,
    OTHER_COMMUNITY,
    STREET,
    id_number,
    pushes,
)
from tests.talk import Talk

NUMBER = id_number("19930707", seq="579")


def _token(runtime: Runtime, username: str, role: Role, area: str) -> str:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=runtime.vault, username=username, name="赵六", role=role, area_code=area
        )
        return issue_token(session, staff)


@pytest.fixture
def client(settings: Settings, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def tokens(runtime: Runtime) -> dict[str, str]:
    return {
        "community": _token(runtime, "c", Role.COMMUNITY, COMMUNITY),
        "street": _token(runtime, "s", Role.STREET, STREET),
        "neighbour": _token(runtime, "n", Role.COMMUNITY, OTHER_COMMUNITY),
        "admin": _token(runtime, "a", Role.ADMIN, "370102000000"),
    }


@pytest.fixture
def reg_id(runtime: Runtime) -> int:
    submit_unemployed(Talk(runtime, user="resident-1"), NUMBER)
    found = latest(runtime).id
    assert found is not None
    return found


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _snapshot(runtime: Runtime) -> tuple[Any, ...]:
    """Everything a refused request must leave as it was."""
    with runtime.db.transaction() as session:
        regs = tuple(
            (r.id, r.status, r.note, tuple(r.returned_items))
            for r in session.exec(select(Registration))
        )
        counts = tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (RegistrationEvent, OutboxMessage, AuditEntry)
        )
    return regs, counts


def test_full_review_over_the_api(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int
) -> None:
    listing = client.get("/api/staff/registrations", headers=_auth(tokens["community"]))
    assert listing.status_code == 200
    (item,) = listing.json()["items"]
    assert item["id"] == reg_id and item["name"] == "张*明" and NUMBER not in str(item)
    accepted = client.post(
        f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"])
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    approved = client.post(
        f"/api/staff/registrations/{reg_id}/approve", headers=_auth(tokens["street"])
    )
    body = approved.json()
    assert approved.status_code == 200 and body["status"] == "registered"
    assert [e["action"] for e in body["events"]] == ["submit", "accept", "approve"]
    assert body["id_number"] == "3701**********" + NUMBER[-4:] and not body["unmasked"]
    assert pushes(runtime, "resident-1") == [
        "registration.notice.accepted",
        "registration.notice.registered",
    ]


def test_unmasked_view_is_audited(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int
) -> None:
    got = client.get(
        f"/api/staff/registrations/{reg_id}?unmasked=true", headers=_auth(tokens["street"])
    )
    assert got.status_code == 200
    assert got.json()["id_number"] == NUMBER and got.json()["phone"] == "13812345678"
    with runtime.db.transaction() as session:
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.action == "registration.view_unmasked")
        ).one()
    assert entry.channel == "web" and NUMBER not in entry.detail


def test_return_and_reject_take_their_bodies(
    client: TestClient, runtime: Runtime, tokens: dict[str, str]
) -> None:
    submit_job_seeker(Talk(runtime, user="a"), NUMBER)
    first = latest(runtime).id
    returned = client.post(
        f"/api/staff/registrations/{first}/return",
        json={"items": ["phone", "other"], "note": "请补充"},
        headers=_auth(tokens["community"]),
    )
    assert returned.status_code == 200 and returned.json()["returned_items"] == ["phone", "other"]
    submit_job_seeker(Talk(runtime, user="b"), id_number("19940808", seq="680"))
    second = latest(runtime).id
    rejected = client.post(
        f"/api/staff/registrations/{second}/reject",
        json={"reason": "非本辖区居民"},
        headers=_auth(tokens["community"]),
    )
    assert rejected.status_code == 200 and rejected.json()["note"] == "非本辖区居民"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ],
)
def test_missing_or_bad_token_is_401_and_changes_nothing(
    client: TestClient, runtime: Runtime, reg_id: int, headers: dict[str, str]
) -> None:
    before = _snapshot(runtime)
    for method, path in (
        ("get", "/api/staff/registrations"),
        ("post", f"/api/staff/registrations/{reg_id}/accept"),
    ):
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert _snapshot(runtime) == before


def test_deactivated_staff_token_is_401(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int
) -> None:
    with runtime.db.transaction() as session:
        staff = session.exec(select(Staff).where(Staff.username == "c")).one()
        staff.active = False
        session.add(staff)
    before = _snapshot(runtime)
    response = client.post(
        f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"])
    )
    assert response.status_code == 401 and _snapshot(runtime) == before


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "detail"),
    [
        ("neighbour", "get", "", None, "area"),
        ("neighbour", "post", "/accept", None, "area"),
        ("admin", "get", "?unmasked=true", None, "area"),
        ("community", "post", "/approve", None, "state"),
        ("street", "post", "/reject", {"reason": "x"}, "state"),
    ],
)
def test_out_of_area_or_role_is_refused_and_changes_nothing(
    client: TestClient,
    runtime: Runtime,
    tokens: dict[str, str],
    reg_id: int,
    who: str,
    method: str,
    path: str,
    body: dict[str, str] | None,
    detail: str,
) -> None:
    client.post(f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"]))
    if detail == "state":
        client.post(f"/api/staff/registrations/{reg_id}/approve", headers=_auth(tokens["street"]))
    before = _snapshot(runtime)
    response = client.request(
        method, f"/api/staff/registrations/{reg_id}{path}", json=body, headers=_auth(tokens[who])
    )
    expected = 422 if detail == "state" else 403
    assert (response.status_code, response.json()["detail"]) == (expected, detail)
    assert _snapshot(runtime) == before


def test_community_cannot_take_the_street_step(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int
) -> None:
    client.post(f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"]))
    before = _snapshot(runtime)
    response = client.post(
        f"/api/staff/registrations/{reg_id}/approve", headers=_auth(tokens["community"])
    )
    assert (response.status_code, response.json()["detail"]) == (403, "role")
    assert _snapshot(runtime) == before


@pytest.mark.parametrize("path", ["/999999", "/999999/accept"])
def test_unknown_registration_is_404(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int, path: str
) -> None:
    before = _snapshot(runtime)
    method = "post" if path.endswith("accept") else "get"
    response = client.request(
        method, f"/api/staff/registrations{path}", headers=_auth(tokens["community"])
    )
    assert response.status_code == 404 and _snapshot(runtime) == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/return", {"items": []}),
        ("/return", {"items": ["shoe_size"]}),
        ("/return", {"items": ["other"], "note": "  "}),
        ("/return", {"items": ["phone"], "note": "x" * 501}),
        ("/return", None),
        ("/reject", {"reason": ""}),
        ("/reject", {"reason": "   "}),
        ("/reject", {}),
        ("/accept/extra", None),
    ],
)
def test_bad_bodies_are_422_and_change_nothing(
    client: TestClient,
    runtime: Runtime,
    tokens: dict[str, str],
    reg_id: int,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = _snapshot(runtime)
    response = client.post(
        f"/api/staff/registrations/{reg_id}{path}", json=body, headers=_auth(tokens["community"])
    )
    assert (
        response.status_code in (404, 422)
        if path.endswith("extra")
        else response.status_code == 422
    )
    assert _snapshot(runtime) == before


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", str(2**63)])
def test_malformed_ids_are_422(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], bad_id: str
) -> None:
    response = client.get(f"/api/staff/registrations/{bad_id}", headers=_auth(tokens["community"]))
    assert response.status_code == 422


def test_accepting_twice_is_422_the_second_time(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int
) -> None:
    assert (
        client.post(
            f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"])
        ).status_code
        == 200
    )
    before = _snapshot(runtime)
    again = client.post(
        f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"])
    )
    assert (again.status_code, again.json()["detail"]) == (422, "state")
    assert _snapshot(runtime) == before


def test_street_returns_over_the_api_and_the_case_lists_related_registrations(
    client: TestClient, runtime: Runtime, tokens: dict[str, str], reg_id: int
) -> None:
    resident = Talk(runtime, user="resident-1")
    employed_summary(resident, NUMBER)  # the same person: now in work
    resident.send(choice="r:submit")
    second = latest(runtime).id
    client.post(f"/api/staff/registrations/{reg_id}/accept", headers=_auth(tokens["community"]))
    returned = client.post(
        f"/api/staff/registrations/{reg_id}/return",
        headers=_auth(tokens["street"]),
        json={"items": ["phone"], "note": "请核对手机号"},
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert returned.json()["related"] == [{"id": second, "kind": "employed", "status": "submitted"}]
