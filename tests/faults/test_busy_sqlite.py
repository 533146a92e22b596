"""A SQLite file held by another writer: every entry point answers "try again", nothing is
lost, nothing half-stored, and the retry after the lock is gone is answered as usual."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bots.web.app import create_app
from core.dialog.messages import Incoming
from core.people.staff import Role, add_staff
from core.people.staff_tokens import issue_token
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import UNAVAILABLE, Database
from tests.bots.telegram.conftest import SECRET, TOKEN, update
from tests.bots.telegram.fake_api import FakeBotApi
from tests.bots.wechat.conftest import WeChatPoster, app_client, payload, wechat_settings
from tests.faults.conftest import busy, rows, write_lock_held

pytestmark = pytest.mark.usefixtures("sqlite_only")


def test_locked_database_is_unavailable_not_a_bare_driver_error(
    runtime: Runtime, db: Database
) -> None:
    engine_db = busy(db, 0.1)
    rt = build_runtime(runtime.settings, db=engine_db)
    before = rows(db)
    with write_lock_held(db), pytest.raises(UNAVAILABLE):
        rt.engine.handle(Incoming("wechat", "o-busy", text="菜单", message_id="m-1"))
    assert rows(db) == before
    engine_db.dispose()


def test_health_check_answers_while_another_process_writes(
    settings: Settings, runtime: Runtime, db: Database
) -> None:
    rt = build_runtime(settings, db=busy(db, 0.1))
    with TestClient(create_app(settings, runtime=rt)) as client, write_lock_held(db):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_wechat_message_on_a_locked_file_gets_503_then_its_retry_is_answered(
    settings: Settings, db: Database
) -> None:
    rt = build_runtime(wechat_settings(settings, wechat_reply_budget_seconds=2.0), db=busy(db))
    async for client in app_client(rt):
        wx = WeChatPoster(client)
        xml = payload("text.xml", Content="菜单", MsgId="9001")
        before = rows(db)
        with write_lock_held(db):
            response = await wx.post(xml)
        assert response.status_code == 503  # WeChat sends it again; never "success"
        assert rows(db) == before
        retried = await wx.say(xml)
        assert retried is not None and "政策资讯" in retried


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_wechat_message_still_waiting_for_the_lock_at_the_deadline_is_not_lost(
    settings: Settings, db: Database
) -> None:
    """The budget runs out while the engine waits for the file: no "success" for a message
    the database does not have; the late run rolls back; WeChat's retry is answered."""
    rt = build_runtime(wechat_settings(settings, wechat_reply_budget_seconds=0.3), db=busy(db, 5))
    async for client in app_client(rt):
        wx = WeChatPoster(client)
        xml = payload("text.xml", Content="菜单", MsgId="9002")
        before = rows(db)
        with write_lock_held(db):
            response = await wx.post(xml)
        assert response.status_code == 503
        await client.app.state.wechat.replies.drain()  # type: ignore[attr-defined]
        assert rows(db) == before  # the run that got the lock later stored nothing
        retried = await wx.say(xml)
        assert retried is not None and "政策资讯" in retried


def test_telegram_update_on_a_locked_file_gets_503_and_is_answered_on_redelivery(
    settings: Settings, db: Database, fake_server: tuple[FakeBotApi, str]
) -> None:
    api, base = fake_server
    api.reset()
    cfg = settings.model_copy(
        update={
            "telegram_token": TOKEN,
            "telegram_webhook_secret": SECRET,
            "telegram_api_base": base,
        }
    )
    rt = build_runtime(cfg, db=busy(db))
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    body = update("message_text")
    with TestClient(create_app(cfg, runtime=rt)) as client:
        api.calls.clear()
        before = rows(db)
        with write_lock_held(db):
            response = client.post("/telegram/webhook", json=body, headers=headers)
        assert response.status_code == 503
        assert rows(db) == before and api.sent_texts == []
        again = client.post("/telegram/webhook", json=body, headers=headers)
        assert again.status_code == 200 and api.sent_texts


def test_staff_api_on_a_locked_file_answers_503(settings: Settings, db: Database) -> None:
    rt = build_runtime(settings, db=busy(db))
    with rt.db.transaction() as session:
        staff = add_staff(
            session,
            vault=rt.vault,
            username="c",
            name="赵六",
            role=Role.COMMUNITY,
            area_code="370102001001",
        )
        token = issue_token(session, staff)
    with TestClient(create_app(settings, runtime=rt), raise_server_exceptions=False) as client:
        with write_lock_held(db):
            response = client.get(
                "/api/staff/registrations", headers={"Authorization": f"Bearer {token}"}
            )
        assert response.status_code == 503 and response.headers["retry-after"]
        after = client.get("/api/staff/registrations", headers={"Authorization": f"Bearer {token}"})
        assert after.status_code == 200
