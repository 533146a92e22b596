"""政策资讯 by chat: words typed at the list find the notices about them."""

from __future__ import annotations

from sqlmodel import select

from core.runtime import Runtime
from core.storage.models import Conversation
from tests.talk import Talk


def test_words_typed_at_the_list_show_the_notices_about_them(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    shown = talk.say("失业金怎么领")[0]
    assert talk.ids() == ["notices.list_about"]
    assert "失业" in shown and "对我们的服务不满意怎么办" not in shown  # 怎么 alone is no topic
    assert "n:all" in talk.options()
    talk.send("1")
    assert talk.ids() == ["notices.detail"]
    talk.send("返回列表")
    assert talk.ids() == ["notices.list_about"]  # back to the same selection
    talk.send(choice="n:all")
    assert talk.ids() == ["notices.list"]


def test_words_about_nothing_published_say_so_and_list_everything(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("宇航员")
    assert talk.ids() == ["notices.nothing_about", "notices.list"]


def test_a_phone_number_typed_at_the_list_is_neither_kept_nor_shown_back(
    runtime: Runtime,
) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    shown = "\n".join(talk.say("失业 13912345678"))
    assert talk.ids() == ["notices.nothing_about", "notices.list"]
    assert "13912345678" not in shown and "139****5678" in shown
    with runtime.db.reading() as session:
        state = str(session.exec(select(Conversation.data)).all())
    assert "13912345678" not in state


def test_another_services_request_typed_at_the_list_goes_there(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("预约 职业指导")
    assert not any(i.startswith("notices.") for i in talk.ids()), talk.ids()
    assert any(i.startswith("booking.") for i in talk.ids()), talk.ids()


def test_a_topic_that_titles_a_notice_stays_in_the_notices(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send(choice="m:notices")
    talk.send("失业登记")  # registration's words too, but notices are titled so
    assert talk.ids() == ["notices.list_about"]
