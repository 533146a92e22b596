"""A database that is not there (PostgreSQL down, a closed port): every API answers 503,
the way a platform or console knows to try again, and recovers when the database is back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bots.web.app import create_app
from core.runtime import build_runtime
from core.settings import Settings
from core.storage.db import Database

NOWHERE = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=2"
ROUTES = [
    ("GET", "/api/openings"),
    ("GET", "/api/openings/OP-1"),
    ("GET", "/api/staff/registrations"),
    ("GET", "/api/staff/registrations/1"),
    ("POST", "/api/staff/registrations/1/accept"),
    ("POST", "/api/staff/openings/import"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_apis_answer_503_when_the_database_is_unreachable(
    settings: Settings, method: str, path: str
) -> None:
    runtime = build_runtime(settings, db=Database(NOWHERE), check_schema=False)
    headers = {"Authorization": "Bearer some-token"}
    with TestClient(create_app(settings, runtime=runtime), raise_server_exceptions=False) as c:
        response = c.request(method, path, headers=headers)
    assert response.status_code == 503, response.text
    assert "Retry-After" in response.headers


def test_postgresql_connections_cut_mid_run_are_unavailable_then_recover(
    settings: Settings, db: Database
) -> None:
    """The server drops every connection of the pool (a restart, a failover): the next
    request may see the dead connection; it answers 503, never 500, and the one after works."""
    if db.is_sqlite:
        pytest.skip("PostgreSQL backends")
    url = sa.make_url(db.url).update_query_dict({"application_name": "jobbot-fault-test"})
    own = Database(url.render_as_string(hide_password=False), schema=db.schema)
    runtime = build_runtime(settings, db=own)
    with TestClient(create_app(settings, runtime=runtime)) as client:
        assert client.get("/api/openings").status_code == 200
        admin = sa.create_engine(db.url)
        with admin.begin() as conn:  # only this test's own backends: other runs share the server
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                    "AND application_name = :name"
                ),
                {"name": "jobbot-fault-test"},
            )
        admin.dispose()
        assert client.get("/api/openings").status_code in (200, 503)
        assert client.get("/api/openings").status_code == 200
        assert client.get("/healthz").status_code == 200
    own.dispose()
