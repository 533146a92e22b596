"""WeChat fixtures: settings with WeChat on, the ASGI app, a WeChat-like poster, a fake API."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel
from wechatpy.crypto import WeChatCrypto

from bots.web.app import create_app
from bots.wechat.signing import signature
from bots.wechat.xmlsafe import read_fields
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from tests.bots.wechat.fake_api import FakeServer, FakeWeChat

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "wechat"
TOKEN = "jobbotTestToken2026"
APP_ID = "wx5f3c2a1b0e9d8c7b"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OLD_AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
OPENID = "oQx1s5Jd8rKp2VhL6mN4bT0yZwEa"
ACCOUNT = "gh_3a9f7c1e2b4d"


def payload(name: str, **fields: str) -> str:
    """A recorded payload with some fields replaced (``Content="找工作"``)."""
    xml = (FIXTURES / name).read_text(encoding="utf-8")
    for tag, value in fields.items():
        xml, found = re.subn(
            rf"<{tag}>.*?</{tag}>",
            lambda _m, t=tag, v=value: (
                f"<{t}><![CDATA[{v}]]></{t}>" if not v.isdigit() else f"<{t}>{v}</{t}>"
            ),
            xml,
            flags=re.S,
        )
        assert found == 1, f"{name} has no <{tag}>"
    return xml


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_wechat() -> Iterator[tuple[FakeWeChat, FakeServer]]:
    fake = FakeWeChat()
    with FakeServer(fake) as server:
        yield fake, server


def wechat_settings(
    settings: Settings, api_base: str = "http://127.0.0.1:9/", **changes: object
) -> Settings:
    values: dict[str, object] = {
        "wechat_token": TOKEN,
        "wechat_app_id": APP_ID,
        "wechat_app_secret": "s3cr3t",
        "wechat_api_base": api_base,
    }
    values.update(changes)
    return settings.model_copy(update=values)


@pytest.fixture
def wx_runtime(settings: Settings, db: Database) -> Runtime:
    return build_runtime(wechat_settings(settings), db=db)


class WeChatPoster:
    """Posts to /wechat as WeChat's servers do: signed query, plain or AES body."""

    def __init__(self, client: httpx.AsyncClient, crypto: WeChatCrypto | None = None) -> None:
        self.client, self.crypto = client, crypto

    def query(self, body_encrypted: str | None = None, **extra: str) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), "1357924680"
        query = {
            "signature": signature(TOKEN, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            "openid": OPENID,
        }
        if body_encrypted is not None:
            query["encrypt_type"] = "aes"
            query["msg_signature"] = signature(TOKEN, timestamp, nonce, body_encrypted)
        query.update(extra)
        return query

    async def post(self, xml: str | bytes, **extra: str) -> httpx.Response:
        body = xml.encode() if isinstance(xml, str) else xml
        if self.crypto is None:
            return await self.client.post("/wechat", params=self.query(**extra), content=body)
        envelope = self.crypto.encrypt_message(body.decode(), "1357924680", str(int(time.time())))
        encrypted = read_fields(envelope.encode())["Encrypt"]
        outer = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return await self.client.post(
            "/wechat", params=self.query(encrypted, **extra), content=outer.encode()
        )

    def content(self, response: httpx.Response) -> str | None:
        """The text of a passive reply (decrypted in safe mode); None for "success"."""
        assert response.status_code == 200, response.text
        if response.text == "success":
            return None
        xml = response.text
        if self.crypto is not None:
            fields = read_fields(xml.encode())
            xml = self.crypto.decrypt_message(
                fields, fields["MsgSignature"], fields["TimeStamp"], fields["Nonce"]
            )
        fields = read_fields(xml.encode())
        assert fields["ToUserName"] == OPENID and fields["FromUserName"] == ACCOUNT
        return fields["Content"]

    async def say(self, xml: str) -> str | None:
        return self.content(await self.post(xml))


async def app_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://jobbot.test") as client:
        client.app = app  # type: ignore[attr-defined]
        yield client
        await app.state.wechat.replies.drain()


@pytest.fixture
async def wx(wx_runtime: Runtime) -> AsyncIterator[WeChatPoster]:
    async for client in app_client(wx_runtime):
        yield WeChatPoster(client)


def counts(db: Database) -> dict[str, int]:
    """Rows in every table: a rejected request must leave all of them as they were."""
    with db.engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in SQLModel.metadata.sorted_tables
        }
