"""Hostile and broken requests get a 4xx, never a 500, and change nothing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from wechatpy.crypto import WeChatCrypto

from bots.wechat.signing import signature
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from tests.bots.wechat.conftest import (
    AES_KEY,
    APP_ID,
    TOKEN,
    WeChatPoster,
    app_client,
    counts,
    payload,
    wechat_settings,
)

pytestmark = pytest.mark.anyio

TEXT = payload("text.xml")
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><ToUserName>gh_3a9f7c1e2b4d</ToUserName><FromUserName>oQx1s5Jd8rKp2VhL6mN4bT0yZwEa</FromUserName>
<CreateTime>1767225600</CreateTime><MsgType>text</MsgType><Content>&lol2;</Content>
<MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = TEXT.replace(
    "<xml>", '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>'
).replace("<![CDATA[菜单]]>", "&x;")
BAD_BODIES = {
    "malformed": TEXT.replace("</xml>", ""),
    "not_xml": "menu please",
    "empty": "",
    "dtd": '<!DOCTYPE xml SYSTEM "http://attacker.test/x.dtd">' + TEXT,
    "entity_expansion": BILLION_LAUGHS,
    "external_entity": EXTERNAL_ENTITY,
    "undeclared_entity": TEXT.replace("<![CDATA[菜单]]>", "&nbsp;"),
    "processing_instruction": TEXT.replace("<xml>", '<?xml-stylesheet href="x"?><xml>'),
    "duplicated_field": TEXT.replace("<MsgId>", "<Content>再来</Content><MsgId>"),
    "duplicated_sender": TEXT.replace(
        "<CreateTime>", "<FromUserName>oAnother000000000000000000</FromUserName><CreateTime>"
    ),
    "missing_msgid": TEXT.replace("<MsgId>24412345678901234</MsgId>", ""),
    "missing_sender": TEXT.replace(
        "<FromUserName><![CDATA[oQx1s5Jd8rKp2VhL6mN4bT0yZwEa]]></FromUserName>", ""
    ),
    "missing_type": TEXT.replace("<MsgType><![CDATA[text]]></MsgType>", ""),
    "missing_content": TEXT.replace("<Content><![CDATA[菜单]]></Content>", ""),
    "time_not_a_number": payload("text.xml", CreateTime="yesterday"),
    "msgid_not_a_number": payload("text.xml", MsgId="abc"),
    "sender_with_markup": payload("text.xml", FromUserName="o<script>"),
    "latitude_not_a_number": payload("location.xml", Location_X="north"),
    "field_with_element": TEXT.replace("<![CDATA[菜单]]>", "<b>菜单</b>"),
    "attribute": TEXT.replace("<Content>", '<Content lang="zh">'),
    "other_root": TEXT.replace("<xml>", "<msg>").replace("</xml>", "</msg>"),
    "text_outside_fields": TEXT.replace("<MsgId>", "stray<MsgId>"),
    "event_without_event": payload("click.xml").replace("<Event><![CDATA[CLICK]]></Event>", ""),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
async def test_broken_body_is_refused_with_400_and_changes_nothing(
    wx: WeChatPoster, db: Database, name: str
) -> None:
    before = counts(db)
    response = await wx.post(BAD_BODIES[name])
    assert response.status_code == 400
    assert counts(db) == before


async def test_invalid_utf8_is_refused_with_400(wx: WeChatPoster, db: Database) -> None:
    before = counts(db)
    body = TEXT.encode().replace("菜单".encode(), b"\xff\xfe\xc3")
    assert (await wx.post(body)).status_code == 400
    assert counts(db) == before


async def test_declared_other_encoding_does_not_smuggle_bytes(
    wx: WeChatPoster, db: Database
) -> None:
    before = counts(db)
    body = b'<?xml version="1.0" encoding="GBK"?>' + TEXT.encode("gbk")
    assert (await wx.post(body)).status_code == 400
    assert counts(db) == before


async def test_body_over_64_kib_is_refused_with_413(wx: WeChatPoster, db: Database) -> None:
    before = counts(db)
    huge = payload("text.xml", Content="找" * 30_000)
    assert (await wx.post(huge)).status_code == 413
    assert counts(db) == before


@pytest.mark.parametrize("problem", ["wrong", "missing", "stale", "not_a_time", "repeated"])
async def test_bad_signature_is_refused_with_403_and_changes_nothing(
    wx: WeChatPoster, db: Database, problem: str
) -> None:
    before = counts(db)
    query = wx.query()
    if problem == "wrong":
        query["signature"] = signature("another-token", query["timestamp"], query["nonce"])
    elif problem == "missing":
        del query["signature"]
    elif problem == "stale":
        query["timestamp"] = str(int(time.time()) - 3600)
        query["signature"] = signature(TOKEN, query["timestamp"], query["nonce"])
    elif problem == "not_a_time":
        query["timestamp"] = "soon"
        query["signature"] = signature(TOKEN, "soon", query["nonce"])
    params: list[tuple[str, str]] = list(query.items())
    if problem == "repeated":
        params.append(("signature", "0" * 40))
    response = await wx.client.post("/wechat", params=params, content=TEXT.encode())
    assert response.status_code == (400 if problem == "repeated" else 403)
    assert counts(db) == before


async def test_a_signature_repeated_under_an_escaped_name_is_refused(
    wx: WeChatPoster, db: Database
) -> None:
    before = counts(db)
    query = wx.query()
    raw = "&".join(f"{k}={v}" for k, v in query.items()) + "&sig%6Eature=" + "0" * 40
    response = await wx.client.post(f"/wechat?{raw}", content=TEXT.encode())
    assert response.status_code == 400
    assert counts(db) == before


@pytest.fixture
def safe_runtime(settings: Settings, db: Database) -> Runtime:
    return build_runtime(wechat_settings(settings, wechat_aes_key=AES_KEY), db=db)


@pytest.fixture
async def safe(safe_runtime: Runtime) -> AsyncIterator[WeChatPoster]:
    async for client in app_client(safe_runtime):
        yield WeChatPoster(client, WeChatCrypto(TOKEN, AES_KEY, APP_ID))


async def test_message_encrypted_with_unknown_key_is_refused_with_403(
    safe: WeChatPoster, db: Database
) -> None:
    before = counts(db)
    stranger = WeChatPoster(safe.client, WeChatCrypto(TOKEN, "Q" * 43, APP_ID))
    assert (await stranger.post(TEXT)).status_code == 403
    assert counts(db) == before


async def test_message_for_another_app_is_refused_with_403(
    safe: WeChatPoster, db: Database
) -> None:
    before = counts(db)
    other = WeChatPoster(safe.client, WeChatCrypto(TOKEN, AES_KEY, "wx0000000000000000"))
    assert (await other.post(TEXT)).status_code == 403
    assert counts(db) == before


@pytest.mark.parametrize("garbage", ["AAAA", "bm90IGVuY3J5cHRlZA==", "A" * 64])
async def test_undecryptable_ciphertext_is_refused_with_403(
    safe: WeChatPoster, db: Database, garbage: str
) -> None:
    before = counts(db)
    body = f"<xml><ToUserName>gh_3a9f7c1e2b4d</ToUserName><Encrypt>{garbage}</Encrypt></xml>"
    response = await safe.client.post("/wechat", params=safe.query(garbage), content=body.encode())
    assert response.status_code == 403
    assert counts(db) == before


async def test_bad_msg_signature_is_refused_with_403(safe: WeChatPoster, db: Database) -> None:
    before = counts(db)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    envelope = crypto.encrypt_message(TEXT, "1", str(int(time.time())))
    encrypted = envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    query = safe.query(encrypted)
    query["msg_signature"] = "f" * 40
    response = await safe.client.post("/wechat", params=query, content=body.encode())
    assert response.status_code == 403
    assert counts(db) == before


async def test_encrypted_message_without_a_configured_key_is_refused(
    wx: WeChatPoster, db: Database
) -> None:
    before = counts(db)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    sneaky = WeChatPoster(wx.client, crypto)
    assert (await sneaky.post(TEXT)).status_code == 403
    assert counts(db) == before


async def test_decrypted_body_is_vetted_like_a_plain_one(safe: WeChatPoster, db: Database) -> None:
    before = counts(db)
    assert (await safe.post(BAD_BODIES["entity_expansion"])).status_code == 400
    assert (await safe.post(BAD_BODIES["duplicated_field"])).status_code == 400
    assert counts(db) == before
