"""What the resident's 投诉建议 flow shows at each step, and its notices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.complaints import people, routing
from core.complaints.models import ComplaintTicket
from core.complaints.rules import rules_for
from core.complaints.tickets import ANONYMOUS, CHAT, COMPLAINT, PHONE
from core.dialog.flow import Ctx
from core.dialog.messages import Option, Outgoing, Text, t
from core.people.personal import mask_name, mask_phone, redact
from core.registration.notify import area_name, short_area, when
from core.storage.models import Staff

_PREVIEW = 200
PREVIEW = 30  # characters of an early account shown on its button


def contact_choices(data: Mapping[str, Any]) -> tuple[str, ...]:
    """A suggestion may be anonymous; a complaint needs a way to answer."""
    if data.get("kind") == COMPLAINT:
        return (CHAT, PHONE)
    return (CHAT, PHONE, ANONYMOUS)


def ask(ctx: Ctx, step: str, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    asker = _ASK.get(step)
    return asker(ctx, data) if asker else ()


def _kind(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    options = tuple(
        Option(f"c:k:{k}", t(f"complaints.kind.{k}")) for k in ("complaint", "suggestion")
    )
    return (Outgoing(t("complaints.ask.kind"), options),)


def _category(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    codes = rules_for(ctx.content).categories
    options = tuple(Option(f"c:c:{c}", t(f"complaints.category.{c}")) for c in codes)
    return (
        Outgoing(t("complaints.ask.category", kind=t(f"complaints.kind.{data['kind']}")), options),
    )


def _office(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    areas = ctx.content.areas
    found = [c for c in data.get("found", []) if areas.get(c)]
    if found:
        options = tuple(
            Option(f"c:o:{c}", t("complaints.office.option", area=area_name(areas, c)))
            for c in found
        )
        return (Outgoing(t("complaints.office.pick"), options),)
    home = people.home_area(ctx.session, ctx.channel, ctx.user_id)
    if home and areas.get(home):
        mine = Option("c:o:mine", t("complaints.office.mine", area=short_area(areas, home)))
        return (Outgoing(t("complaints.ask.office_or_mine"), (mine,)),)
    return (Outgoing(t("complaints.ask.office")),)


def service_name(ctx: Ctx, code: str | None) -> Text | str:
    found = next((s for s in ctx.content.services if s.id == code), None)
    if found is None:
        return t("complaints.service.none")
    return found.name.get(ctx.lang) or found.name["zh-CN"]


def _service(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    options = tuple(
        Option(f"c:sv:{s.id}", t("complaints.service.option", name=service_name(ctx, s.id)))
        for s in ctx.content.services
    )
    none = Option("c:sv:none", t("complaints.service.none"))
    return (Outgoing(t("complaints.ask.service"), (*options, none)),)


def _staff(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    areas = ctx.content.areas
    offered = data.get("offered")
    if offered:
        members = [ctx.session.get(Staff, i) for i in offered]
        options = tuple(
            Option(
                f"c:s:{m.id}",
                t(
                    "complaints.who.option_named",
                    name=mask_name(ctx.vault.decrypt(m.name_enc)),
                    area=short_area(areas, m.area_code),
                ),
            )
            for m in members
            if m is not None
        )
        return (Outgoing(t("complaints.who.several"), (*options, _none())),)
    since = people.recent_since(ctx.now, rules_for(ctx.content).recent_days)
    known = people.recent_staff(ctx.session, ctx.vault, ctx.channel, ctx.user_id, since)
    options = tuple(
        Option(
            f"c:s:{k.id}",
            t(
                "complaints.who.option",
                name=k.masked,
                area=short_area(areas, k.area_code),
                kind=t(f"registration.kind.{k.kind}"),
            ),
        )
        for k in known
    )
    return (Outgoing(t("complaints.ask.staff"), (*options, _none())),)


def _none() -> Option:
    return Option("c:s:none", t("complaints.who.none"))


def _text(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    rules = rules_for(ctx.content)
    early = data.get("early")
    if not early:
        return (Outgoing(t("complaints.ask.text", max=rules.max_text)),)
    # The resident's own words back to them, an ID or phone number in them masked.
    account = redact(ctx.vault.decrypt(str(early)))
    preview = account if len(account) <= PREVIEW else account[: PREVIEW - 1] + "…"
    use = Option("c:tx:early", t("complaints.text.use_early", preview=preview))
    return (Outgoing(t("complaints.ask.text_or_early", max=rules.max_text), (use,)),)


def _photos(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    rules = rules_for(ctx.content)
    count = len(data.get("photos", []))
    return (
        Outgoing(
            t("complaints.ask.photos", max=rules.max_photos, count=count),
            (Option("c:next", t("complaints.next")),),
        ),
    )


def _contact(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    options = tuple(
        Option(f"c:ct:{c}", t(f"complaints.contact.{c}")) for c in contact_choices(data)
    )
    intro = (
        "complaints.ask.contact"
        if data.get("kind") == COMPLAINT
        else "complaints.ask.contact_suggestion"
    )
    return (Outgoing(t(intro), options),)


def _phone(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    return (Outgoing(t("complaints.ask.phone")),)


def _summary(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    vault, areas = ctx.vault, ctx.content.areas
    text = redact(vault.decrypt(data["text"]))  # shown masked, stored whole
    member = ctx.session.get(Staff, data["staff"]) if data.get("staff") else None
    if member is not None:
        concerned: Text | str = mask_name(vault.decrypt(member.name_enc))
    elif data.get("named"):
        concerned = mask_name(vault.decrypt(data["named"]))
    else:
        concerned = t("complaints.summary.no_staff")
    contact: Text = t(f"complaints.contact.{data['contact']}")
    if data.get("phone"):
        contact = t("complaints.summary.phone", phone=mask_phone(vault.decrypt(data["phone"])))
    body = t(
        "complaints.summary.body",
        kind=t(f"complaints.kind.{data['kind']}"),
        category=t(f"complaints.category.{data['cat']}"),
        office=area_name(areas, data["area"]),
        service=service_name(ctx, data.get("service")),
        staff=concerned,
        text=text if len(text) <= _PREVIEW else text[:_PREVIEW] + "…",
        photos=len(data.get("photos", [])),
        contact=contact,
    )
    return (Outgoing(body, (Option("c:submit", t("complaints.submit")),)),)


def _rate(ctx: Ctx, data: Mapping[str, Any]) -> tuple[Outgoing, ...]:
    options = tuple(
        Option(f"c:r:{r}", t(f"complaints.rating.{r}"))
        for r in ("satisfied", "basic", "dissatisfied")
    )
    return (Outgoing(t("complaints.ask.rate"), options),)


_ASK = {
    "kind": _kind,
    "category": _category,
    "office": _office,
    "service": _service,
    "staff": _staff,
    "text": _text,
    "photos": _photos,
    "contact": _contact,
    "phone": _phone,
    "summary": _summary,
    "rate": _rate,
}


def filed(ctx: Ctx, ticket: ComplaintTicket) -> Outgoing:
    areas = ctx.content.areas
    platform = area_name(areas, routing.handling_area(areas, ticket))
    text_id = "complaints.filed_anonymous" if ticket.contact == ANONYMOUS else "complaints.filed"
    return Outgoing(
        t(
            text_id,
            kind=t(f"complaints.kind.{ticket.kind}"),
            number=ticket.number,
            platform=platform,
            due=when(ticket.answer_due_at),
        )
    )


def state_text(ticket: ComplaintTicket) -> Text:
    return t(f"complaints.state.{ticket.status}")


def status(ctx: Ctx, ticket: ComplaintTicket) -> Outgoing:
    due = ticket.due_at if ticket.status == routing.ANSWERED else ticket.answer_due_at
    return Outgoing(
        t(
            "complaints.lookup.found",
            number=ticket.number,
            kind=t(f"complaints.kind.{ticket.kind}"),
            state=state_text(ticket),
            received=when(ticket.received_at),
            due=when(due) if ticket.status != routing.CLOSED else "-",
        )
    )


def rated(ctx: Ctx, ticket: ComplaintTicket, reopened: bool) -> Outgoing:
    if reopened:
        return Outgoing(
            t("complaints.rate.reopened", number=ticket.number, due=when(ticket.answer_due_at))
        )
    return Outgoing(t("complaints.rate.thanks", number=ticket.number))
