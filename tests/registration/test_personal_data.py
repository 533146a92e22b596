"""No personal value in logs or in clear anywhere in the database; every state change audited."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from rich.console import Console
from sqlmodel import SQLModel, col, select

from bots.console.chat import ConsoleSession
from bots.senders import build_senders
from core.delivery.dispatch import Dispatcher
from core.delivery.scheduler import tick
from core.people.staff import Role
from core.registration.sla import RegistrationDeadlines
from core.runtime import Runtime
from core.storage.models import AuditEntry, OutboxMessage
from tests.registration.conftest import PHONE, latest, submit_unemployed
from tests.registration.helpers import COMMUNITY, STREET, id_number, staff_chat
from tests.talk import Talk

NUMBER = id_number("19890909", seq="864")
NAME = "张小明"
_ids = itertools.count(1)


class RecordedTalk(Talk):
    """Sends platform message ids, so every reply is also kept for re-deliveries."""

    def send(self, text: str | None = None, **kw: Any) -> Any:
        kw.setdefault("message_id", f"m{next(_ids)}")
        return super().send(text, **kw)


def _whole_cycle(runtime: Runtime) -> None:
    """Register, accept, remind, approve; then deliver every push."""
    community = staff_chat(runtime, "c", Role.COMMUNITY, COMMUNITY, RecordedTalk)
    street = staff_chat(runtime, "s", Role.STREET, STREET, RecordedTalk)
    resident = RecordedTalk(runtime, user="r")
    submit_unemployed(resident, NUMBER)
    resident.send("我的")
    for staff, action in ((community, "s:acc"), (street, "s:ok")):
        staff.talk.send("待办")
        staff.talk.send("1")
        staff.talk.send(choice=action)
        staff.talk.send(choice="s:yes")
        reg = latest(runtime)
        if reg.due_at is not None:
            tick(
                runtime.db,
                runtime.content,
                runtime.vault,
                [RegistrationDeadlines()],
                reg.due_at + timedelta(seconds=1),
            )
    asyncio.run(Dispatcher(runtime.db, build_senders(runtime), worker_id="serve").run_once())
    for who in ("r", community.talk.user, street.talk.user):  # each sees theirs on opening
        ConsoleSession(runtime, who, None, Console()).open()
    with runtime.db.transaction() as session:
        assert {row.status for row in session.exec(select(OutboxMessage))} == {"sent"}


def test_logs_of_a_whole_registration_hold_no_id_or_phone(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        _whole_cycle(runtime)
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert NUMBER not in logged and PHONE not in logged and NAME not in logged


def test_database_holds_no_personal_value_in_clear(runtime: Runtime) -> None:
    _whole_cycle(runtime)
    found: list[str] = []
    with runtime.db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = conn.execute(sa.select(table)).mappings().all()
            dumped = json.dumps([dict(r) for r in rows], default=str, ensure_ascii=False)
            found += [f"{table.name}:{v}" for v in (NUMBER, PHONE, NAME) if v in dumped]
    assert found == []


def test_every_state_change_has_an_audit_row(runtime: Runtime) -> None:
    _whole_cycle(runtime)
    with runtime.db.transaction() as session:
        rows = session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith("registration."))
            .order_by(col(AuditEntry.id))
        ).all()
    assert [(r.action, r.detail.split()[0]) for r in rows] == [
        ("registration.submit", "-->submitted"),
        ("registration.accept", "submitted->accepted"),
        ("registration.approve", "accepted->registered"),
    ]
    assert all(r.subject and r.subject.startswith("registration:") for r in rows)
