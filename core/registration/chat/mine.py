"""我的: the resident's registrations and where each stands, plus a waiting draft."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select

from core.dialog.flow import Ctx
from core.dialog.messages import Outgoing, Text, t
from core.registration import drafts
from core.registration.models import Registration
from core.registration.notify import item_texts, joined, note_text, stacked
from core.registration.people import linked_person_id
from core.registration.states import Status
from core.timeutil import local

SHOWN = 10


def registrations_section(ctx: Ctx) -> Outgoing | None:
    person = linked_person_id(ctx.session, ctx.channel, ctx.user_id)
    mine = sa.and_(
        col(Registration.channel) == ctx.channel, col(Registration.external_id) == ctx.user_id
    )
    who = sa.or_(mine, col(Registration.person_id) == person) if person else mine
    rows = ctx.session.exec(
        select(Registration).where(who).order_by(col(Registration.id).desc()).limit(SHOWN)
    ).all()
    lines: list[Text] = [_line(r) for r in rows]
    draft = drafts.find(ctx.session, ctx.channel, ctx.user_id)
    if draft is not None:
        lines.append(t("registration.mine.draft", kind=t(f"registration.kind.{draft.kind}")))
    if not lines:
        return None
    return Outgoing(t("registration.mine.title", lines=stacked(lines)))


def _line(reg: Registration) -> Text:
    """Where a registration stands; a returned one says what to correct, a rejected one why."""
    params = {
        "ref": reg.id,
        "kind": t(f"registration.kind.{reg.kind}"),
        "state": t(f"registration.state.{reg.status}"),
        "date": local(reg.updated_at).date().isoformat(),
    }
    note = note_text(reg.note)
    if reg.status == Status.RETURNED:
        told = t("registration.mine.note", note=note) if note else t("registration.plain", text="")
        items = joined(item_texts(reg.returned_items))
        return t("registration.mine.line_returned", items=items, note=told, **params)
    if reg.status == Status.REJECTED and note:
        return t("registration.mine.line_rejected", note=note, **params)
    return t("registration.mine.line", **params)
