"""The HTTP front: health check, body limit, and no 500 on malformed requests."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bots.web.app import create_app
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database


def test_healthz_checks_the_database(settings: Settings, runtime: Runtime) -> None:
    with TestClient(create_app(settings, runtime=runtime)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_healthz_reports_unreachable_database(settings: Settings) -> None:
    nowhere = Database("postgresql://nobody@127.0.0.1:9/none?connect_timeout=2")
    runtime = build_runtime(settings, db=nowhere, check_schema=False)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503


def test_oversized_body_gets_413(settings: Settings, runtime: Runtime) -> None:
    app = create_app(settings, runtime=runtime)

    @app.post("/echo-size")
    async def echo_size(payload: dict[str, str]) -> dict[str, int]:
        return {"keys": len(payload)}

    with TestClient(app) as client:
        big = b'{"a": "' + b"x" * (64 * 1024) + b'"}'
        assert client.post("/echo-size", content=big).status_code == 413

        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(80):
                yield b"x" * 1024

        assert client.post("/echo-size", content=chunks()).status_code == 413
        assert client.post("/echo-size", json={"a": "b"}).status_code == 200


def test_malformed_requests_get_4xx(settings: Settings, runtime: Runtime) -> None:
    with TestClient(create_app(settings, runtime=runtime), raise_server_exceptions=False) as c:
        assert c.get("/no-such-route").status_code == 404
        assert c.post("/healthz").status_code == 405
        bad_length = c.post("/healthz", headers={"content-length": "abc"}, content=b"")
        assert bad_length.status_code in (400, 405)


def test_serve_runs_on_the_fast_http_stack() -> None:
    """uvicorn[standard] is a dependency: `jobbot serve` parses with httptools on uvloop."""
    from fastapi import FastAPI

    from bots.web.server import server_config

    config = server_config(FastAPI(), "127.0.0.1", 0)
    config.load()
    assert config.http_protocol_class.__name__ == "HttpToolsProtocol"
    assert config.loop == "uvloop"


def test_root_says_what_the_server_is_and_links_the_docs(
    settings: Settings, runtime: Runtime
) -> None:
    with TestClient(create_app(settings, runtime=runtime)) as client:
        chinese = client.get("/")
        english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
        wrong_method = client.post("/", content=b"x")
    assert chinese.status_code == 200 and chinese.headers["content-type"].startswith("text/html")
    assert "微信公众号" in chinese.text and 'href="/docs"' in chinese.text
    assert "WeChat official account" in english.text and 'href="/healthz"' in english.text
    assert wrong_method.status_code == 405


def test_docs_page_works_without_a_cdn(settings: Settings, runtime: Runtime) -> None:
    with TestClient(create_app(settings, runtime=runtime)) as client:
        page = client.get("/docs")
        script = client.get("/docs/assets/swagger-ui-bundle.js")
        schema = client.get("/openapi.json").json()
        escape = client.get("/docs/assets/..%2F..%2Fcore.py")
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert script.status_code == 200 and len(script.content) > 100_000
    assert "/api/staff/registrations" in schema["paths"] and "/api/openings" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert escape.status_code == 404
