"""Staff import openings over HTTP with the same rules as the CLI; refusals change nothing."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bots.web.app import create_app
from core.openings.models import Opening
from core.people.staff import Role, add_staff
from core.people.staff_tokens import issue_token
from core.runtime import Runtime
from core.storage.models import AuditEntry
from tests.openings.conftest import HEADER, ROWS

PATH = "/api/staff/openings/import"


def _csv(rows: list[list[str]]) -> bytes:
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client  # type: ignore[misc]


def _token(runtime: Runtime, username: str, role: Role, area_code: str) -> dict[str, str]:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session,
            vault=runtime.vault,
            username=username,
            name="李娜",
            role=role,
            area_code=area_code,
        )
        return {"Authorization": f"Bearer {issue_token(session, staff)}"}


@pytest.fixture
def auth(runtime: Runtime) -> dict[str, str]:
    """An administrator: the sample rows span two cities."""
    return _token(runtime, "admin", Role.ADMIN, "370102000000")


def _count(runtime: Runtime) -> int:
    with runtime.db.transaction() as session:
        return len(session.exec(select(Opening)).all())


def test_csv_upload_imports_and_is_audited(
    runtime: Runtime, client: TestClient, auth: dict[str, str]
) -> None:
    response = client.post(PATH, content=_csv(ROWS), headers={**auth, "content-type": "text/csv"})
    assert response.status_code == 200 and response.json()["created"] == 4
    again = client.post(PATH, content=_csv(ROWS), headers={**auth, "content-type": "text/csv"})
    assert again.json()["unchanged"] == 4
    with runtime.db.transaction() as session:
        assert "openings.import" in [a.action for a in session.exec(select(AuditEntry))]
    assert client.get("/api/openings", params={"q": "保安"}).json()["total"] == 1


def test_json_upload_imports(runtime: Runtime, client: TestClient, auth: dict[str, str]) -> None:
    body = json.dumps([dict(zip(HEADER, ROWS[0], strict=True))], ensure_ascii=False)
    response = client.post(
        PATH, content=body.encode(), headers={**auth, "content-type": "application/json"}
    )
    assert response.status_code == 200 and _count(runtime) == 1


def test_invalid_rows_get_422_with_row_numbers_and_nothing_stored(
    runtime: Runtime, client: TestClient, auth: dict[str, str]
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][3] = "火星区"
    response = client.post(PATH, content=_csv(rows), headers={**auth, "content-type": "text/csv"})
    assert response.status_code == 422 and response.json()["errors"][0]["row"] == 2
    assert _count(runtime) == 0


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b"id,title,employer,area\n", 401),
        ({"Authorization": "Bearer wrong"}, b"id,title,employer,area\n", 401),
        ({"content-type": "application/xml"}, b"<x/>", 415),
        ({"content-type": "text/csv"}, b"id,title\n1,x\n", 400),
        ({"content-type": "text/csv"}, b"\xff\xfe\x00bad", 400),
        ({"content-type": "application/json"}, b"{not json", 400),
    ],
)
def test_refused_uploads_change_nothing(
    runtime: Runtime,
    client: TestClient,
    auth: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    status: int,
) -> None:
    chosen = headers if "Authorization" in headers or status == 401 else {**auth, **headers}
    assert client.post(PATH, content=body, headers=chosen).status_code == status
    assert _count(runtime) == 0


def test_upload_may_exceed_the_webhook_limit_but_not_its_own(
    runtime: Runtime, client: TestClient, auth: dict[str, str]
) -> None:
    rows = [
        [f"B-{i}", "保洁员", "某物业", "历下区", "", "", "", "x" * 300, "", "", "", ""]
        for i in range(400)
    ]
    body = _csv(rows)
    assert len(body) > runtime.settings.max_body_bytes
    response = client.post(PATH, content=body, headers={**auth, "content-type": "text/csv"})
    assert response.status_code == 200 and response.json()["created"] == 400
    huge = b"x" * (runtime.settings.max_import_bytes + 1)
    assert (
        client.post(PATH, content=huge, headers={**auth, "content-type": "text/csv"}).status_code
        == 413
    )
