"""Test-side helpers: valid ID numbers, staff linked by chat, and pushes read from the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from core.people.staff import Role, add_staff, issue_link_code
from core.registration.idcard import check_character
from core.runtime import Runtime
from core.storage.models import OutboxMessage
from core.timeutil import utcnow
from tests.talk import Talk

COMMUNITY = "370102001002"  # 历下区 解放路街道 解放桥社区
OTHER_COMMUNITY = "370102001003"  # 历山路社区, same street
STREET = "370102001000"  # 解放路街道
OTHER_STREET = "370102002000"  # 千佛山街道


def id_number(birth: str = "19900307", region: str = "370102", seq: str = "123") -> str:
    """A valid 18-character number (odd ``seq`` = male)."""
    first = region + birth + seq
    return first + check_character(first)


@dataclass
class StaffChat:
    talk: Talk
    staff_id: int


def staff_chat(
    runtime: Runtime, username: str, role: Role, area: str, talk_class: type[Talk] = Talk
) -> StaffChat:
    """A staff member created and linked to a chat identity of the same name."""
    with runtime.db.transaction() as session:
        staff = add_staff(
            session,
            vault=runtime.vault,
            username=username,
            name="王小红",
            role=role,
            area_code=area,
        )
        code = issue_link_code(session, staff=staff, now=utcnow(), minutes=30)
        staff_id = staff.id
    talk = talk_class(runtime, user=f"{username}-chat")
    talk.send(f"绑定 {code}")
    assert talk.ids()[0] == "staff.linked"
    assert staff_id is not None
    return StaffChat(talk, staff_id)


def pushes(runtime: Runtime, recipient: str) -> list[str]:
    """Text ids of every push waiting for (or sent to) ``recipient``, oldest first."""
    with runtime.db.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
            .order_by(col(OutboxMessage.id))
        ).all()
        return [m["text"]["id"] for row in rows for m in row.payload["messages"]]


def push_params(runtime: Runtime, recipient: str) -> list[dict[str, object]]:
    with runtime.db.transaction() as session:
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == recipient)
            .order_by(col(OutboxMessage.id))
        ).all()
        return [m["text"]["params"] for row in rows for m in row.payload["messages"]]
