"""Every staff route × every kind of caller: own area, another area, admin, no token,
a deactivated account, an expired token. A refusal is 401/403 and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from bots.web.app import create_app
from core.people.staff import Role, add_staff, deactivate
from core.people.staff_tokens import issue_token
from core.registration.models import Registration, RegistrationEvent
from core.runtime import Runtime
from core.storage.models import AuditEntry, OutboxMessage
from core.timeutil import utcnow
from tests.registration.conftest import latest, submit_job_seeker
from tests.registration.helpers import COMMUNITY, OTHER_COMMUNITY, OTHER_STREET, STREET
from tests.talk import Talk

DISTRICT = "370102000000"
CALLERS = {
    # name: (role, area, how the token is spoiled)
    "own_community": (Role.COMMUNITY, COMMUNITY, None),
    "own_street": (Role.STREET, STREET, None),
    "other_community": (Role.COMMUNITY, OTHER_COMMUNITY, None),
    "other_street": (Role.STREET, OTHER_STREET, None),
    "admin": (Role.ADMIN, DISTRICT, None),
    "deactivated": (Role.STREET, STREET, "deactivated"),
    "expired": (Role.STREET, STREET, "expired"),
    "no_token": (None, None, None),
}
OWN = ("own_community", "own_street")
ELSEWHERE = ("other_community", "other_street", "admin")
SHUT_OUT = ("deactivated", "expired", "no_token")

# (method, path after /api/staff/registrations, body, what the own area gets)
ROUTES: list[tuple[str, str, dict[str, Any] | None, dict[str, set[int]]]] = [
    ("GET", "/{id}", None, {"own_community": {200}, "own_street": {200}}),
    ("GET", "/{id}?unmasked=true", None, {"own_community": {200, 403}, "own_street": {200}}),
    ("POST", "/{id}/accept", None, {"own_community": {200}, "own_street": {200}}),
    ("POST", "/{id}/return", {"items": ["phone"], "note": "请补充"}, {n: {200} for n in OWN}),
    ("POST", "/{id}/reject", {"reason": "非本辖区居民"}, {n: {200} for n in OWN}),
    ("POST", "/{id}/approve", None, {n: {200, 422} for n in OWN}),
]


def _token(runtime: Runtime, name: str) -> str | None:
    role, area, spoiled = CALLERS[name]
    if role is None:
        return None
    with runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=runtime.vault, username=name, name="赵六", role=role, area_code=area
        )
        issued_at = utcnow() - timedelta(days=120) if spoiled == "expired" else None
        token = issue_token(session, staff, now=issued_at)
        if spoiled == "deactivated":
            # the token is kept on the row here, to show deactivation alone shuts it out
            deactivate(session, staff, actor="test", now=utcnow())
            staff.api_token_hash = _hash(token)
            staff.api_token_expires_at = utcnow() + timedelta(days=30)
            session.add(staff)
        return token


def _hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


def _snapshot(runtime: Runtime) -> tuple[Any, ...]:
    with runtime.db.transaction() as session:
        regs = tuple((r.id, r.status, r.note) for r in session.exec(select(Registration)))
        counts = tuple(
            session.exec(select(func.count()).select_from(t)).one()
            for t in (RegistrationEvent, OutboxMessage)
        )
        views = session.exec(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "registration.view_unmasked")
        ).one()
    return regs, counts, views


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def reg_id(runtime: Runtime) -> int:
    submit_job_seeker(Talk(runtime, user="resident-matrix"))
    found = latest(runtime).id
    assert found is not None
    return found


@pytest.mark.parametrize("caller", list(CALLERS))
@pytest.mark.parametrize(("method", "path", "body", "own"), ROUTES)
def test_registration_routes_for_every_caller(
    runtime: Runtime,
    client: TestClient,
    reg_id: int,
    caller: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    own: dict[str, set[int]],
) -> None:
    token = _token(runtime, caller)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    before = _snapshot(runtime)
    url = "/api/staff/registrations" + path.format(id=reg_id)
    response = client.request(method, url, headers=headers, json=body)
    if caller in SHUT_OUT:
        expected = {401}
    elif caller in ELSEWHERE:
        expected = {403}
    else:
        expected = own[caller]
    assert response.status_code in expected, (caller, url, response.text)
    if response.status_code != 200:
        assert _snapshot(runtime) == before


@pytest.mark.parametrize("caller", list(CALLERS))
def test_the_pending_list_shows_only_the_callers_area(
    runtime: Runtime, client: TestClient, reg_id: int, caller: str
) -> None:
    token = _token(runtime, caller)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.get("/api/staff/registrations", headers=headers)
    if caller in SHUT_OUT:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert (reg_id in ids) == (caller in OWN)


@pytest.mark.parametrize("caller", SHUT_OUT)
def test_openings_import_shuts_out_callers_without_a_valid_token(
    runtime: Runtime, client: TestClient, caller: str
) -> None:
    token = _token(runtime, caller)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        "/api/staff/openings/import", headers=headers, content=b"title\n", params={"format": "csv"}
    )
    assert response.status_code == 401
