"""The public openings API: search, detail, and clear 422s for bad parameters."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bots.web.app import create_app
from core.openings.store import ImportReport
from core.runtime import Runtime


@pytest.fixture
def client(runtime: Runtime, imported: ImportReport) -> TestClient:
    with TestClient(create_app(runtime.settings, runtime=runtime)) as test_client:
        yield test_client  # type: ignore[misc]


def test_search_returns_items_with_scores(client: TestClient) -> None:
    body = client.get("/api/openings", params={"q": "保安", "area": "历下区"}).json()
    assert body["total"] == 1 and body["items"][0]["ref"] == "A-1"
    assert set(body["items"][0]) >= {
        "ref",
        "title",
        "employer",
        "area",
        "salary_min",
        "salary_max",
        "headcount",
        "posted_at",
        "expires_at",
        "tags",
        "score",
    }
    assert body["items"][0]["score"] > 0


def test_listing_without_query_hides_expired(client: TestClient) -> None:
    body = client.get("/api/openings").json()
    assert body["total"] == 3 and "A-4" not in [i["ref"] for i in body["items"]]


def test_area_code_filters(client: TestClient) -> None:
    body = client.get("/api/openings", params={"area": "370202000000"}).json()
    assert [i["ref"] for i in body["items"]] == ["A-2"]


def test_detail_has_contact_and_unknown_is_404(client: TestClient) -> None:
    assert client.get("/api/openings/A-1").json()["contact"] == "0531-00000000"
    assert client.get("/api/openings/A-4").status_code == 404  # expired
    assert client.get("/api/openings/nope").status_code == 404


def test_limit_is_capped(client: TestClient) -> None:
    assert client.get("/api/openings", params={"limit": 5000}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": "x"}, {"offset": -1}, {"area": "火星"}, {"q": "保" * 200}],
)
def test_bad_parameters_get_422_with_a_message(client: TestClient, params: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/api/openings", params=params)
    assert response.status_code == 422 and response.json()["detail"]


@pytest.mark.parametrize("area", ["济南市历下区", "历下区", "历下", "370102000000"])
def test_area_as_the_bot_shows_it_filters(client: TestClient, area: str) -> None:
    body = client.get("/api/openings", params={"q": "保安", "area": area}).json()
    assert [i["ref"] for i in body["items"]] == ["A-1"]


def test_ambiguous_area_name_is_explained(client: TestClient) -> None:
    response = client.get("/api/openings", params={"area": "市中区"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "济南市市中区" in detail and "枣庄市市中区" in detail


def test_nothing_in_the_area_shows_the_citys_openings_marked_as_such(
    client: TestClient,
) -> None:
    body = client.get("/api/openings", params={"q": "配送", "area": "槐荫区"}).json()
    assert [i["ref"] for i in body["items"]] == ["A-3"]
    assert body["widened_to"] == ["370100000000"]


@pytest.mark.parametrize("query", ["保安", "保洁"])
def test_close_matches_are_not_marked_related(client: TestClient, query: str) -> None:
    body = client.get("/api/openings", params={"q": query}).json()
    assert body["items"] and body["related_from"] is None


def test_related_openings_are_marked_where_they_start(client: TestClient) -> None:
    only_related = client.get("/api/openings", params={"q": "安检员"}).json()
    assert only_related["related_from"] == 0
    assert [i["ref"] for i in only_related["items"]] == ["A-1"]  # 保安: the same family
