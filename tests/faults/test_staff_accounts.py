"""Staff accounts can be ended: deactivated, token revoked or expired, chats unlinked, and
link codes cannot be guessed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import Result

from bots.web.app import create_app
from core.people.staff import LINK_TRIES, Role, add_staff, issue_link_code
from core.people.staff_tokens import issue_token
from core.runtime import Runtime
from core.storage.models import AuditEntry, Staff
from core.timeutil import utcnow
from tests.cli import runner
from tests.registration.helpers import COMMUNITY, OTHER_STREET, STREET, staff_chat
from tests.talk import Talk

DISTRICT = "370102000000"


def _member(runtime: Runtime, username: str, role: Role, area: str, **token: object) -> str:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=runtime.vault, username=username, name="赵六", role=role, area_code=area
        )
        return issue_token(session, staff, **token)  # type: ignore[arg-type]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(settings: object, runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client


def _audited(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.transaction() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def test_tokens_expire_after_their_lifetime(runtime: Runtime, client: TestClient) -> None:
    fresh = _member(runtime, "fresh", Role.COMMUNITY, COMMUNITY)
    old = _member(runtime, "old", Role.COMMUNITY, COMMUNITY, now=utcnow() - timedelta(days=91))
    assert client.get("/api/staff/registrations", headers=_auth(fresh)).status_code == 200
    assert client.get("/api/staff/registrations", headers=_auth(old)).status_code == 401
    with runtime.db.transaction() as session:
        staff = session.exec(select(Staff).where(Staff.username == "fresh")).one()
    assert staff.api_token_expires_at is not None
    assert timedelta(days=89) < staff.api_token_expires_at - utcnow() <= timedelta(days=90)


def test_admin_deactivates_a_member_who_loses_api_and_chat_at_once(
    runtime: Runtime, client: TestClient
) -> None:
    chat = staff_chat(runtime, "wang", Role.STREET, STREET)
    chat.talk.send("待办")
    assert chat.talk.ids()[0].startswith("tasks.")
    with runtime.db.transaction() as session:
        staff = session.get(Staff, chat.staff_id)
        assert staff is not None
        token = issue_token(session, staff)
    admin = _member(runtime, "boss", Role.ADMIN, DISTRICT)
    assert client.get("/api/staff/registrations", headers=_auth(token)).status_code == 200

    answer = client.post("/api/staff/members/wang/deactivate", headers=_auth(admin))
    assert answer.status_code == 200
    assert answer.json()["active"] is False and answer.json()["linked_chats"] == 0
    assert client.get("/api/staff/registrations", headers=_auth(token)).status_code == 401
    chat.talk.send("待办")
    assert not chat.talk.ids()[0].startswith("tasks.")  # a resident again
    assert [e.actor for e in _audited(runtime, "staff.deactivate")] == [
        f"staff:{_id(runtime, 'boss')}"
    ]


def _id(runtime: Runtime, username: str) -> int:
    with runtime.db.transaction() as session:
        found = session.exec(select(Staff.id).where(Staff.username == username)).one()
        assert found is not None
        return found


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("community", "street-member", 403),  # not an admin
        ("street", "street-member", 403),
        ("far-admin", "street-member", 403),  # an admin of another area
        ("admin", "nobody", 404),
        ("admin", "admin", 422),  # not oneself
        (None, "street-member", 401),
    ],
)
@pytest.mark.parametrize("action", ["deactivate", "revoke-token", "unlink"])
def test_account_changes_by_anyone_but_an_admin_of_the_area_are_refused(
    runtime: Runtime, client: TestClient, who: str | None, target: str, status: int, action: str
) -> None:
    tokens = {
        "community": _member(runtime, "community", Role.COMMUNITY, COMMUNITY),
        "street": _member(runtime, "street-member", Role.STREET, STREET),
        "admin": _member(runtime, "admin", Role.ADMIN, STREET),
        "far-admin": _member(runtime, "far-admin", Role.ADMIN, OTHER_STREET),
    }
    headers = _auth(tokens[who]) if who else {}
    response = client.post(f"/api/staff/members/{target}/{action}", headers=headers)
    assert response.status_code == status
    assert (
        client.get("/api/staff/registrations", headers=_auth(tokens["street"])).status_code == 200
    )


def invoke(*args: str) -> Result:
    from bots.cli import app

    return runner.invoke(app, list(args))


def test_cli_revokes_unlinks_and_deactivates(cli_env: object) -> None:
    assert invoke("db", "upgrade").exit_code == 0
    added = invoke(
        "staff", "add", "--username", "li", "--name", "李四", "--role", "street", "--area", STREET
    )
    assert added.exit_code == 0, added.output
    issued = invoke("staff", "token", "li")
    assert issued.exit_code == 0 and "Valid until" in issued.output
    revoked = invoke("staff", "revoke-token", "li")
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    unlinked = invoke("staff", "unlink", "li")
    assert unlinked.exit_code == 0 and "Unlinked 0" in unlinked.output
    ended = invoke("staff", "deactivate", "li")
    assert ended.exit_code == 0 and "Deactivated li" in ended.output
    refused = invoke("staff", "token", "li")
    assert refused.exit_code == 2
    assert invoke("staff", "deactivate", "nobody").exit_code == 2


def test_link_code_guessing_is_limited_per_identity_and_audited(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session,
            vault=runtime.vault,
            username="z",
            name="赵六",
            role=Role.STREET,
            area_code=STREET,
        )
        code = issue_link_code(session, staff=staff, now=utcnow(), minutes=120)
    guesser = Talk(runtime, user="guesser")
    for n in range(LINK_TRIES):
        guesser.send(f"绑定 WRONG{n:03d}")
        assert guesser.ids()[0] == "staff.link_failed"
    guesser.send(f"绑定 {code}")  # even the right code waits now
    assert guesser.ids()[0] == "staff.link_wait"
    assert guesser.last is not None
    assert guesser.last.messages[0].text.params["minutes"] >= 1
    assert len(_audited(runtime, "staff.link_failed")) == LINK_TRIES
    assert len(_audited(runtime, "staff.link_blocked")) == 1
    assert all(code not in e.detail for e in _audited(runtime, "staff.link_failed"))

    other = Talk(runtime, user="someone-else")  # the limit is per identity
    other.send("绑定 WRONG999")
    assert other.ids()[0] == "staff.link_failed"

    real_clock = runtime.engine.clock
    runtime.engine.clock = lambda: real_clock() + timedelta(hours=1)
    guesser.send(f"绑定 {code}")
    assert guesser.ids()[0] == "staff.linked"
