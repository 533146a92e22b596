"""Pushes about a registration: notices to the resident, tasks to staff (all through the outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, select

from core.content.areas import AreaTree
from core.content.worktime import WorkTime
from core.delivery.outbox import enqueue_to_identities, staff_identities
from core.dialog.messages import Outgoing, Text, t
from core.people.personal import Vault, mask_name
from core.registration.models import Registration
from core.storage.models import Conversation, Staff
from core.timeutil import local


def when(moment: datetime | None) -> str:
    return "-" if moment is None else local(moment).strftime("%Y-%m-%d %H:%M")


def due_text(worktime: WorkTime, moment: datetime | None) -> Text:
    """A deadline as people read it: the working day and "下班前" when it falls at closing
    time (as every deadline does, core/registration/routing.py), else the day and time."""
    if moment is None:
        return t("registration.plain", text="-")
    day = local(moment)
    params = {"date": day.strftime("%Y-%m-%d"), "weekday": t(f"weekday.{day.isoweekday()}")}
    if day.time().replace(second=0, microsecond=0) == worktime.closing:
        return t("registration.due.closing", **params)
    return t("registration.due.at", time=day.strftime("%H:%M"), **params)


def note_text(note: str | None) -> str:
    """Staff's words without their closing full stop: the texts around them add one."""
    return (note or "").strip().rstrip("。.！!；;，,")


def joined(items: Sequence[Text]) -> Text:
    """One text listing every item (、 in Chinese, commas in English)."""
    if not items:
        return t("registration.none")
    if len(items) == 1:
        return items[0]
    return t("registration.join", head=items[0], tail=joined(items[1:]))


def stacked(items: Sequence[Text]) -> Text:
    """One text with each item on its own line."""
    if len(items) == 1:
        return items[0]
    return t("registration.lines", head=items[0], tail=stacked(items[1:]))


def area_name(areas: AreaTree, code: str) -> str:
    return areas.full_name(code) if areas.get(code) else code


def short_area(areas: AreaTree, code: str) -> str:
    """The area's own short name (解放桥社区), for lists and pushes read on a phone."""
    area = areas.get(code)
    return area.short if area else code


def kind_text(reg: Registration) -> Text:
    return t(f"registration.kind.{reg.kind}")


def item_texts(items: Sequence[str]) -> list[Text]:
    return [t(f"registration.field.{item}") for item in items]


def resident(session: Session, reg: Registration, key: str, message: Outgoing) -> int:
    """The notice goes to the chat identity that submitted (if it is still with us)."""
    if reg.channel is None or reg.external_id is None:
        return 0
    identities = session.exec(
        select(Conversation)
        .where(Conversation.channel == reg.channel)
        .where(Conversation.external_id == reg.external_id)
    ).all()
    return enqueue_to_identities(
        session,
        key=f"reg:{reg.id}:{key}:resident",
        identities=identities,
        kind="registration",
        messages=(message,),
    )


def staff_task(
    session: Session,
    vault: Vault,
    areas: AreaTree,
    worktime: WorkTime,
    reg: Registration,
    staff: Sequence[Staff],
    *,
    key: str,
    text_id: str,
) -> int:
    """One push per staff member's linked chats; the person's name is masked."""
    message = task_message(vault, areas, worktime, reg, text_id)
    written = 0
    for member in staff:
        assert member.id is not None
        written += enqueue_to_identities(
            session,
            key=f"reg:{reg.id}:{key}:staff:{member.id}",
            identities=staff_identities(session, member.id),
            kind="task",
            messages=(message,),
        )
    return written


def task_message(
    vault: Vault, areas: AreaTree, worktime: WorkTime, reg: Registration, text_id: str
) -> Outgoing:
    return Outgoing(
        t(
            text_id,
            ref=reg.id,
            kind=kind_text(reg),
            name=mask_name(vault.decrypt(reg.name_enc)),
            area=short_area(areas, reg.area_code),
            due=due_text(worktime, reg.due_at),
        )
    )
