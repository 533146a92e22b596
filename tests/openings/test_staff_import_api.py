"""Staff import openings over HTTP with the same rules as the CLI; refusals change nothing."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

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


STREET = "370102001000"  # 解放路街道, 历下区, 济南


def _opening(runtime: Runtime, ref: str) -> Opening | None:
    with runtime.db.transaction() as session:
        return session.exec(select(Opening).where(Opening.ref == ref)).first()


def _audits(runtime: Runtime) -> list[AuditEntry]:
    with runtime.db.transaction() as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.action).like("openings.%"))
                .order_by(col(AuditEntry.id))
            )
        )


def test_street_staff_rows_outside_their_area_are_refused_by_row_number(
    runtime: Runtime, client: TestClient
) -> None:
    street = _token(runtime, "street", Role.STREET, STREET)
    rows = [
        ["S-1", "保安", "某物业", "历下区 解放路街道", "", "", "", "", "", "", "", ""],
        ["S-2", "保洁", "某物业", "历下区", "", "", "", "", "", "", "", ""],  # the county
        ["S-3", "司机", "某物流", "市南区", "", "", "", "", "", "", "", ""],  # another city
        ["S-4", "厨师", "某餐馆", "解放桥社区", "", "", "", "", "", "", "", ""],  # inside
    ]
    refused = client.post(PATH, content=_csv(rows), headers={**street, "content-type": "text/csv"})
    assert refused.status_code == 422
    assert [(e["row"], "outside your area" in e["reason"]) for e in refused.json()["errors"]] == [
        (2, True),
        (3, True),
    ]
    assert _count(runtime) == 0
    kept = client.post(
        PATH + "?skip_invalid=true",
        content=_csv(rows),
        headers={**street, "content-type": "text/csv"},
    )
    assert kept.status_code == 200 and kept.json()["created"] == 2 and kept.json()["invalid"] == 2
    assert _opening(runtime, "S-3") is None


def test_community_token_cannot_change_an_opening_of_another_area(
    runtime: Runtime, client: TestClient, auth: dict[str, str]
) -> None:
    """The attack of the issue: rewrite another city's opening's contact, or pull it into
    one's own area; neither may pass, and the opening stays as it was."""
    assert (
        client.post(PATH, content=_csv(ROWS), headers={**auth, "content-type": "text/csv"}).json()[
            "created"
        ]
        == 4
    )
    community = _token(runtime, "community", Role.COMMUNITY, "370102001002")
    qingdao = list(ROWS[1])  # 市南区, Qingdao
    qingdao[HEADER.index("contact")] = "请先转账押金到 6222…"
    moved = list(qingdao)
    moved[HEADER.index("area")] = "解放桥社区"
    for row in (qingdao, moved):
        response = client.post(
            PATH + "?skip_invalid=true",
            content=_csv([row]),
            headers={**community, "content-type": "text/csv"},
        )
        assert response.status_code == 200 and response.json()["created"] == 0
        assert response.json()["updated"] == 0
        assert response.json()["errors"][0]["row"] == 1
    opening = _opening(runtime, "A-2")
    assert opening is not None and opening.contact == "0532-00000000"
    assert opening.area_code != "370102001002"


def test_admin_may_import_anywhere_and_the_audit_row_names_what_changed(
    runtime: Runtime, client: TestClient, auth: dict[str, str]
) -> None:
    client.post(PATH, content=_csv(ROWS[:2]), headers={**auth, "content-type": "text/csv"})
    rows = [list(r) for r in ROWS]
    rows[0][HEADER.index("salary_max")] = "4800"
    response = client.post(PATH, content=_csv(rows), headers={**auth, "content-type": "text/csv"})
    assert response.json() | {"errors": []} == {
        "applied": True,
        "created": 2,
        "updated": 1,
        "unchanged": 1,
        "invalid": 0,
        "errors": [],
    }
    last = _audits(runtime)[-1]
    assert last.action == "openings.import" and last.channel == "web"
    assert "added=2 [A-3, A-4]" in last.detail and "changed=1 [A-1]" in last.detail
    assert "removed=0" in last.detail


def test_refused_import_is_audited_too(runtime: Runtime, client: TestClient) -> None:
    community = _token(runtime, "community", Role.COMMUNITY, "370102001002")
    client.post(PATH, content=_csv(ROWS), headers={**community, "content-type": "text/csv"})
    [entry] = _audits(runtime)
    assert entry.action == "openings.import_refused" and "invalid=4" in entry.detail


@pytest.mark.parametrize(
    ("kind", "body", "reason"),
    [
        ("text/csv", _csv([["Z-1", "保安\x00", "某物业", "历下区"] + [""] * 8]), "NUL"),
        ("text/csv", _csv([["Z-1", "保安", "某物业", "历下区", str(2**63)] + [""] * 7]), "at most"),
        (
            "text/csv",
            _csv([["Z-1", "保安", "某物业", "历下区"] + [""] * 6 + ["9999-12-31", ""]]),
            "year",
        ),
        (
            "application/json",
            b'[{"id": "Z-1", "title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
            "nested",
        ),
    ],
    ids=["nul", "huge-integer", "year-9999", "json-100000-deep"],
)
def test_hostile_rows_get_422_with_the_row_never_500(
    runtime: Runtime, client: TestClient, auth: dict[str, str], kind: str, body: bytes, reason: str
) -> None:
    for query in ("", "?skip_invalid=true"):
        response = client.post(PATH + query, content=body, headers={**auth, "content-type": kind})
        assert response.status_code == (422 if not query else 200), response.text
        [error] = response.json()["errors"]
        assert error["row"] == 1 and reason in error["reason"]
    assert _count(runtime) == 0
