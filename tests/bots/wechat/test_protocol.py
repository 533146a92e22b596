"""URL verification and the three message modes (plain, compatible, safe)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from wechatpy.crypto import WeChatCrypto

from bots.wechat.signing import signature
from core.content.catalog import Catalog
from core.dialog.messages import t
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from tests.bots.wechat.conftest import (
    AES_KEY,
    APP_ID,
    OLD_AES_KEY,
    TOKEN,
    WeChatPoster,
    app_client,
    counts,
    payload,
    wechat_settings,
)

pytestmark = pytest.mark.anyio


def menu_title(catalog: Catalog) -> str:
    return catalog.text(t("menu.title"), "zh-CN")


@pytest.fixture
def safe_runtime(settings: Settings, db: Database) -> Runtime:
    cfg = wechat_settings(settings, wechat_aes_key=AES_KEY, wechat_previous_aes_key=OLD_AES_KEY)
    return build_runtime(cfg, db=db)


@pytest.fixture
async def safe(safe_runtime: Runtime) -> AsyncIterator[WeChatPoster]:
    async for client in app_client(safe_runtime):
        yield WeChatPoster(client, WeChatCrypto(TOKEN, AES_KEY, APP_ID))


async def test_url_verification_echoes_echostr_byte_for_byte(wx: WeChatPoster) -> None:
    echo = "8204839925631172905"
    response = await wx.client.get("/wechat", params=wx.query(echostr=echo))
    assert response.status_code == 200
    assert response.content == echo.encode()


async def test_url_verification_with_bad_signature_is_refused(wx: WeChatPoster) -> None:
    query = wx.query(echostr="123")
    query["signature"] = "0" * 40
    assert (await wx.client.get("/wechat", params=query)).status_code == 403


async def test_url_verification_without_signature_is_refused(wx: WeChatPoster) -> None:
    response = await wx.client.get("/wechat", params={"echostr": "123"})
    assert response.status_code == 403


async def test_plain_text_message_gets_numbered_menu(wx: WeChatPoster, wx_runtime: Runtime) -> None:
    content = await wx.say(payload("text.xml", Content="菜单"))
    assert content is not None
    assert content.startswith(menu_title(wx_runtime.content.catalog))
    assert "回复 1  " in content and "回复 4  政策资讯" in content


async def test_safe_mode_message_gets_encrypted_reply(
    safe: WeChatPoster, safe_runtime: Runtime
) -> None:
    response = await safe.post(payload("text.xml", Content="菜单"))
    assert "<Encrypt>" in response.text and "政策资讯" not in response.text
    content = safe.content(response)
    assert content is not None and content.startswith(menu_title(safe_runtime.content.catalog))


async def test_previous_aes_key_still_decrypts_during_rotation(safe: WeChatPoster) -> None:
    old = WeChatPoster(safe.client, WeChatCrypto(TOKEN, OLD_AES_KEY, APP_ID))
    content = old.content(await old.post(payload("text.xml", Content="菜单")))
    assert content is not None and "政策资讯" in content


async def test_compatible_mode_answers_from_the_encrypted_part(safe: WeChatPoster) -> None:
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    inner = payload("text.xml", Content="菜单")
    encrypted = crypto.encrypt_message(inner, "42", str(int(time.time())))
    enc_value = encrypted.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    # Compatible mode: the plaintext fields and the ciphertext travel together.
    body = payload("text.xml", Content="这段明文会被忽略").replace(
        "</xml>", f"<Encrypt><![CDATA[{enc_value}]]></Encrypt></xml>"
    )
    response = await safe.client.post(
        "/wechat", params=safe.query(enc_value), content=body.encode()
    )
    content = safe.content(response)
    assert content is not None and "政策资讯" in content


async def test_plaintext_message_is_refused_when_an_aes_key_is_set(
    safe: WeChatPoster, db: Database
) -> None:
    before = counts(db)
    plain = WeChatPoster(safe.client)
    response = await plain.post(payload("text.xml"))
    assert response.status_code == 403
    assert counts(db) == before


async def test_reply_is_signed_for_wechat_to_check(safe: WeChatPoster) -> None:
    response = await safe.post(payload("text.xml"))
    text = response.text
    encrypted = text.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    stamp = text.split("<TimeStamp>")[1].split("</TimeStamp>")[0]
    nonce = text.split("<Nonce><![CDATA[")[1].split("]]>")[0]
    given = text.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert given == signature(TOKEN, stamp, nonce, encrypted)


@pytest.mark.parametrize(
    "content",
    ["菜单", "  找工作 \n", "\u3000帮助\u3000", "a<![CDATA[ b ]]>c", " &lt;1&gt; ", "", "   "],
)
def test_text_is_read_from_the_fields_as_wechatpy_reads_it(content: str) -> None:
    from wechatpy import parse_message

    from bots.wechat.inbound import needs_parse, plan
    from bots.wechat.xmlsafe import read_fields

    xml = payload("text.xml").replace(
        payload("text.xml").split("<Content>")[1].split("</Content>")[0], content, 1
    )
    fields = read_fields(xml.encode())
    assert not needs_parse(fields)
    incoming = plan(None, fields, frozenset()).incoming
    assert incoming is not None and incoming.text == (parse_message(xml).content or "")
