"""Routes answered ahead of FastAPI's middleware keep the app's limits and behaviour."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bots.web.direct import JobbotApp

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def echo(request: Request) -> Response:
    return PlainTextResponse(f"direct:{len(await request.body())}")


async def broken(request: Request) -> Response:
    raise RuntimeError("a bug")


def build(limit_first: bool) -> JobbotApp:
    app = JobbotApp()

    @app.get("/hook")
    async def verify() -> PlainTextResponse:
        return PlainTextResponse("fastapi")

    if limit_first:
        app.limit_bodies(100, {})
    app.add_direct_route("/hook", "POST", echo)
    app.add_direct_route("/broken", "POST", broken)
    if not limit_first:
        app.limit_bodies(100, {})
    return app


def client(app: JobbotApp, root_path: str = "") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, root_path=root_path)
    return httpx.AsyncClient(transport=transport, base_url="http://jobbot.test")


@pytest.mark.parametrize("limit_first", [True, False])
async def test_post_goes_direct_and_other_methods_to_fastapi(limit_first: bool) -> None:
    async with client(build(limit_first)) as http:
        assert (await http.post("/hook", content=b"abc")).text == "direct:3"
        assert (await http.get("/hook")).text == "fastapi"
        assert (await http.put("/hook", content=b"abc")).status_code == 405


@pytest.mark.parametrize("limit_first", [True, False])
async def test_the_body_limit_applies_to_direct_routes(limit_first: bool) -> None:
    async with client(build(limit_first)) as http:
        assert (await http.post("/hook", content=b"x" * 100)).status_code == 200
        assert (await http.post("/hook", content=b"x" * 101)).status_code == 413

        async def streamed():  # type: ignore[no-untyped-def]
            for _ in range(3):
                yield b"x" * 60

        assert (await http.post("/hook", content=streamed())).status_code == 413


async def test_direct_routes_are_found_under_a_root_path() -> None:
    async with client(build(True), root_path="/jobbot") as http:
        assert (await http.post("/jobbot/hook", content=b"ab")).text == "direct:2"


async def test_a_crash_in_a_direct_route_is_a_bare_500() -> None:
    async with client(build(True)) as http:
        response = await http.post("/broken", content=b"")
    assert response.status_code == 500
    assert "a bug" not in response.text
