"""Replies fit WeChat's text limit, continue on "更多", and never break out of the XML."""

from __future__ import annotations

import pytest

from bots.wechat.render import TEXT_LIMIT_BYTES, passive_xml, split_parts
from bots.wechat.xmlsafe import read_fields
from core.dialog.engine import OnLocked, OnReply
from core.dialog.messages import Incoming, Outgoing, Reply, t
from core.runtime import Runtime
from tests.bots.wechat.conftest import ACCOUNT, OPENID, WeChatPoster, payload

HOSTILE = "]]></Content><MsgType><![CDATA[image]]></MsgType><Content><![CDATA[x"


def hint(runtime: Runtime) -> str:
    return runtime.content.catalog.text(t("wechat.more.hint"), "zh-CN")


def test_long_text_is_split_at_line_ends_under_the_byte_limit(wx_runtime: Runtime) -> None:
    lines = [f"第{i}条：济南市历下区解放路街道招聘保洁员、保安员若干名" for i in range(200)]
    text = "\n".join(lines)
    parts = split_parts(wx_runtime.content.catalog, text, "zh-CN")
    assert len(parts) > 1
    assert all(len(p.encode()) <= TEXT_LIMIT_BYTES for p in parts)
    assert all(p.endswith("\n" + hint(wx_runtime)) for p in parts[:-1])
    bodies = [p.removesuffix("\n" + hint(wx_runtime)) for p in parts]
    assert "\n".join(bodies) == text  # cut only between lines, nothing lost


def test_one_huge_line_is_cut_between_characters(wx_runtime: Runtime) -> None:
    text = "岗😀位" * 1000  # 3- and 4-byte characters, no line end anywhere
    parts = split_parts(wx_runtime.content.catalog, text, "zh-CN")
    assert all(len(p.encode()) <= TEXT_LIMIT_BYTES for p in parts)
    assert "".join(p.removesuffix("\n" + hint(wx_runtime)) for p in parts) == text


def test_short_text_is_one_part(wx_runtime: Runtime) -> None:
    assert split_parts(wx_runtime.content.catalog, "回复 1  找工作", "zh-CN") == ["回复 1  找工作"]


@pytest.mark.parametrize("content", [HOSTILE, "a]]>b", "]]>", "x]]]]>y", "tab\tand\x07bell"])
def test_reply_text_never_breaks_out_of_the_xml(content: str) -> None:
    xml = passive_xml(account=ACCOUNT, openid=OPENID, content=content)
    fields = read_fields(xml.encode())
    assert fields["MsgType"] == "text"
    assert fields["Content"] == content.replace("\x07", "")


def test_passive_reply_is_what_wechatpy_would_write() -> None:
    from wechatpy.replies import TextReply

    content = "“保安”找到 24 个岗位：\n回复 1  保安（夜班）｜槐荫区"
    ours = passive_xml(account=ACCOUNT, openid=OPENID, content=content, now=1796175656)
    theirs = TextReply(source=ACCOUNT, target=OPENID, content=content, time=1796175656)
    assert ours == str(theirs.render())


class LongEngine:
    """Runs the real engine, then answers with a long text (as a long notice would)."""

    def __init__(self, runtime: Runtime, text: str) -> None:
        self.real, self.text = runtime.engine.handle, text
        runtime.engine.handle = self.handle  # type: ignore[method-assign]

    def handle(
        self,
        incoming: Incoming,
        on_reply: OnReply | None = None,
        on_locked: OnLocked | None = None,
    ) -> Reply:
        reply = self.real(incoming, on_reply, on_locked)
        return Reply(reply.lang, (Outgoing(t("wechat.part", text=self.text)),), reply.duplicate)


@pytest.mark.anyio
async def test_reply_more_sends_the_rest_of_a_long_reply(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    text = "\n".join(f"第{i}条政策：就业困难人员认定办法摘要" for i in range(150))
    LongEngine(wx_runtime, text)
    first = await wx.say(payload("text.xml", Content="政策", MsgId="401"))
    assert first is not None and first.endswith(hint(wx_runtime))
    second = await wx.say(payload("text.xml", Content="更多", MsgId="402"))
    again = await wx.say(payload("text.xml", Content="更多", MsgId="402"))  # a re-delivery
    assert second is not None and second == again and second != first
    seen = [first, second]
    for n in range(403, 420):
        part = await wx.say(payload("text.xml", Content="更多", MsgId=str(n)))
        assert part is not None
        if part in seen or part.startswith(text[:10]):
            break  # nothing kept any more: the engine answered again
        seen.append(part)
    joined = "\n".join(p.removesuffix("\n" + hint(wx_runtime)) for p in seen)
    assert joined == text


@pytest.mark.anyio
async def test_user_text_echoed_in_a_reply_stays_inside_the_xml(
    wx: WeChatPoster, wx_runtime: Runtime
) -> None:
    LongEngine(wx_runtime, HOSTILE)
    response = await wx.post(payload("text.xml", Content=HOSTILE.replace("]]>", "")))
    assert wx.content(response) == HOSTILE
