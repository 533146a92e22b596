"""The staff API for the day (same tokens and area rules as registration) and the hall's
queue screen (numbers only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bots.web.app import create_app
from core.people.staff import Role, add_staff
from core.people.staff_tokens import issue_token
from core.runtime import Runtime
from core.settings import Settings
from tests.booking.conftest import COMMUNITY_OFFICE, STREET_OFFICE, Clock, book_guidance, bookings
from tests.registration.helpers import COMMUNITY, OTHER_COMMUNITY, STREET, pushes
from tests.talk import Talk

PATH = "/api/staff/bookings"


def _token(runtime: Runtime, username: str, role: Role, area: str) -> str:
    with runtime.db.transaction() as session:
        staff = add_staff(
            session, vault=runtime.vault, username=username, name="赵六", role=role, area_code=area
        )
        return issue_token(session, staff)


@pytest.fixture
def client(settings: Settings, runtime: Runtime, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(settings, runtime=runtime)) as test_client:
        yield test_client


@pytest.fixture
def auth(runtime: Runtime) -> dict[str, dict[str, str]]:
    tokens = {
        "community": _token(runtime, "c", Role.COMMUNITY, COMMUNITY),
        "street": _token(runtime, "s", Role.STREET, STREET),
        "neighbour": _token(runtime, "n", Role.COMMUNITY, OTHER_COMMUNITY),
    }
    return {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


@pytest.fixture
def booked_today(runtime: Runtime, clock: Clock) -> None:
    """Two residents at the community desk this afternoon; it is now 14:05."""
    book_guidance(
        Talk(runtime, user="r1"),
        office=COMMUNITY_OFFICE,
        day=clock.now.date(),
        start="14:00",
        name="欧阳娜娜",
    )
    book_guidance(
        Talk(runtime, user="r2"),
        office=COMMUNITY_OFFICE,
        day=clock.now.date(),
        start="15:00",
        name="李雷",
    )
    clock.now = clock.now.replace(hour=14, minute=5)


def test_staff_api_runs_the_day(
    client: TestClient, runtime: Runtime, auth: dict[str, dict[str, str]], booked_today: None
) -> None:
    listed = client.get(PATH, params={"office": COMMUNITY_OFFICE}, headers=auth["community"])
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(i["queue_no"], i["start"]) for i in items] == [("A001", "14:00"), ("A002", "15:00")]
    assert "欧阳娜娜" not in listed.text and items[0]["name"].startswith("欧")
    called = client.post(
        f"{PATH}/call", json={"office": COMMUNITY_OFFICE}, headers=auth["community"]
    )
    assert called.status_code == 200 and called.json()["called"]["queue_no"] == "A001"
    assert pushes(runtime, "r1") == ["booking.push.call"]
    first = called.json()["called"]["id"]
    done = client.post(f"{PATH}/{first}/done", json={"note": "已指导"}, headers=auth["community"])
    assert (done.status_code, done.json()["status"], done.json()["note"]) == (200, "done", "已指导")
    second = client.post(f"{PATH}/call", json={"office": COMMUNITY_OFFICE}, headers=auth["street"])
    gone = client.post(f"{PATH}/{second.json()['called']['id']}/no-show", headers=auth["street"])
    assert gone.json()["status"] == "no_show"
    nobody = client.post(
        f"{PATH}/call", json={"office": COMMUNITY_OFFICE}, headers=auth["community"]
    )
    assert nobody.json() == {"called": None}


def test_staff_api_refusals_change_nothing(
    client: TestClient, runtime: Runtime, auth: dict[str, dict[str, str]], booked_today: None
) -> None:
    booking_id = bookings(runtime)[0].id
    assert client.get(PATH, params={"office": COMMUNITY_OFFICE}).status_code == 401
    bad_token = {"Authorization": "Bearer nope"}
    assert client.post(f"{PATH}/{booking_id}/done", json={}, headers=bad_token).status_code == 401
    neighbour = auth["neighbour"]
    assert (
        client.get(PATH, params={"office": COMMUNITY_OFFICE}, headers=neighbour).status_code == 403
    )
    assert (
        client.post(
            f"{PATH}/call", json={"office": COMMUNITY_OFFICE}, headers=neighbour
        ).status_code
        == 403
    )
    assert client.post(f"{PATH}/{booking_id}/no-show", headers=neighbour).status_code == 403
    assert (
        client.get(PATH, params={"office": "370102009999"}, headers=auth["street"]).status_code
        == 404
    )
    assert client.get(PATH, params={"office": "x"}, headers=auth["street"]).status_code == 422
    assert client.post(f"{PATH}/999999/done", json={}, headers=auth["street"]).status_code == 404
    assert client.post(f"{PATH}/0/done", json={}, headers=auth["street"]).status_code == 422
    window = {"office": COMMUNITY_OFFICE, "window": 7}
    assert client.post(f"{PATH}/call", json=window, headers=auth["community"]).status_code == 422
    long_note = {"note": "很" * 501}
    assert (
        client.post(
            f"{PATH}/{booking_id}/done", json=long_note, headers=auth["community"]
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{PATH}/{booking_id}/done", content=b"{", headers=auth["community"]
        ).status_code
        == 422
    )
    assert [b.status for b in bookings(runtime)] == ["booked", "booked"]
    assert pushes(runtime, "r1") == []


def test_finishing_twice_is_refused(
    client: TestClient, runtime: Runtime, auth: dict[str, dict[str, str]], booked_today: None
) -> None:
    booking_id = bookings(runtime)[0].id
    assert (
        client.post(f"{PATH}/{booking_id}/done", json={}, headers=auth["community"]).status_code
        == 200
    )
    again = client.post(f"{PATH}/{booking_id}/no-show", headers=auth["community"])
    assert again.status_code == 422
    assert bookings(runtime)[0].status == "done"


def test_queue_screen_shows_numbers_and_windows_never_names(
    client: TestClient, auth: dict[str, dict[str, str]], booked_today: None
) -> None:
    client.post(f"{PATH}/call", json={"office": COMMUNITY_OFFICE}, headers=auth["community"])
    data = client.get("/screen/queue.json", params={"office": COMMUNITY_OFFICE}).json()
    assert data["serving"] == [{"queue_no": "A001", "window": 1}]
    assert data["waiting"] == ["A002"]
    page = client.get("/screen/queue", params={"office": COMMUNITY_OFFICE})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert (
        'http-equiv="refresh"' in page.text and "A001" in page.text and "请到 1 号窗口" in page.text
    )
    for name in ("欧阳", "娜娜", "李雷", "李*", "欧*"):
        assert name not in page.text and name not in str(data)
    assert client.get("/screen/queue", params={"office": "370102009999"}).status_code == 404
    assert client.get("/screen/queue", params={"office": "<script>"}).status_code == 422
    empty = client.get("/screen/queue.json", params={"office": STREET_OFFICE}).json()
    assert empty["serving"] == [] and empty["waiting"] == []
