"""Every step of both flows answers nonsense, 取消, 返回, 菜单 and 帮助, also from a state
that lost its data, and every text it shows exists in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import col

from core.complaints.chat.file import Step as FileStep
from core.complaints.chat.staff import Step as CaseStep
from core.dialog.messages import Reply, Text
from core.runtime import Runtime
from core.storage.models import Conversation
from tests.complaints.conftest import Member, file_complaint, latest
from tests.talk import Talk

INPUTS = ("随便说点什么", "😀", "2026-12-10", "取消", "返回", "菜单", "帮助")


def _ids(value: Any) -> Iterator[str]:
    if isinstance(value, Text):
        yield value.id
        for param in value.params.values():
            yield from _ids(param)
    elif isinstance(value, tuple):
        for item in value:
            yield from _ids(item)


def _texts(reply: Reply) -> set[str]:
    found: set[str] = set()
    for message in reply.messages:
        found.update(_ids(message.text))
        for option in message.options:
            found.update(_ids(option.label))
    return found


def _put(runtime: Runtime, talk: Talk, flow: str, step: str, data: dict[str, Any]) -> None:
    with runtime.db.transaction() as session:
        session.execute(
            sa.update(Conversation)
            .where(col(Conversation.external_id) == talk.user)
            .values(flow=flow, step=step, data=data, history=[], last_options=[])
        )


def _check(runtime: Runtime, talk: Talk, flow: str, step: str, data: dict[str, Any]) -> None:
    catalog = runtime.content.catalog
    for typed in INPUTS:
        _put(runtime, talk, flow, step, data)
        reply = talk.send(typed)
        assert reply.messages, (flow, step, typed)
        missing = {i for i in _texts(reply) if not catalog.has(i)}
        assert not missing, (flow, step, typed, missing)


@pytest.mark.parametrize("step", list(FileStep))
def test_resident_flow_steps_survive_anything(
    runtime: Runtime, resident: Talk, step: FileStep
) -> None:
    resident.send("菜单")
    _check(runtime, resident, "complaint", step.value, {})


@pytest.mark.parametrize("step", list(CaseStep))
def test_staff_flow_steps_survive_anything(
    runtime: Runtime, resident: Talk, street: Member, step: CaseStep
) -> None:
    file_complaint(resident)
    ticket_id = latest(runtime).id
    _check(runtime, street.talk, "complaint_case", step.value, {})
    _check(runtime, street.talk, "complaint_case", step.value, {"ticket": ticket_id})
    sealed = runtime.vault.encrypt("已收到")
    full = {"ticket": ticket_id, "said": sealed, "finding": "verified"}
    _check(runtime, street.talk, "complaint_case", step.value, full)
