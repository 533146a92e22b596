"""我的: the resident's tickets and where each stands."""

from __future__ import annotations

from core.complaints import routing
from core.complaints.chat.texts import state_text
from core.complaints.models import ComplaintTicket
from core.complaints.tickets import own_tickets
from core.dialog.flow import Ctx
from core.dialog.messages import Outgoing, Text, t
from core.registration.notify import stacked, when


def complaints_section(ctx: Ctx) -> Outgoing | None:
    rows = own_tickets(ctx.session, ctx.channel, ctx.user_id)
    if not rows:
        return None
    return Outgoing(t("complaints.mine.title", lines=stacked([_line(r) for r in rows])))


def _line(ticket: ComplaintTicket) -> Text:
    due = ticket.due_at if ticket.status == routing.ANSWERED else ticket.answer_due_at
    return t(
        "complaints.mine.line",
        number=ticket.number,
        kind=t(f"complaints.kind.{ticket.kind}"),
        state=state_text(ticket),
        due=when(due) if ticket.status in routing.OPEN else "-",
    )
