"""A registration after an earlier one: the person's checked identity is offered once.

A chat identity linked to a person (their earlier registration went through without a
conflict, or staff checked it in person) is not asked for name, ID number, phone and
residence again: the values are shown masked and taken with one reply. They are checked
again against this kind's rules (a 失业登记 also needs the person below pension age);
anything that no longer passes is asked as usual.
"""

from __future__ import annotations

from sqlmodel import Session

from core.dialog.flow import Ctx
from core.dialog.messages import Option, Outgoing, t
from core.people.personal import Vault, mask_id_number, mask_name, mask_phone
from core.registration.answers import Answers, Field
from core.registration.models import Person
from core.registration.people import linked_person_id
from core.registration.rules import Kind, rules_for
from core.registration.validation import Invalid, parse_id, parse_name, parse_phone
from core.timeutil import local

STEP = "reuse"
USE, RETYPE = "r:ru:y", "r:ru:n"
REUSED = (Field.NAME, Field.ID_NUMBER, Field.PHONE, Field.AREA)


def known_answers(ctx: Ctx, kind: Kind) -> Answers | None:
    """The linked person's identity and residence as answers, if they still pass."""
    person = _person(ctx.session, ctx.channel, ctx.user_id)
    if person is None:
        return None
    vault: Vault = ctx.vault
    try:
        name = parse_name(vault.decrypt(person.name_enc))
        number = parse_id(
            vault.decrypt(person.id_number_enc),
            local(ctx.now).date(),
            rules_for(ctx.content),
            check_pension=kind == Kind.UNEMPLOYED,
        ).value
        phone = parse_phone(vault.decrypt(person.phone_enc))
    except Invalid:
        return None
    areas = ctx.content.areas
    if areas.get(person.area_code) is None or areas.children(person.area_code):
        return None  # no longer a residence the area list knows down to its last level
    return (
        Answers()
        .with_personal(Field.NAME, name)
        .with_personal(Field.ID_NUMBER, number)
        .with_personal(Field.PHONE, phone)
        .answered(Field.AREA, area=person.area_code)
    )


def offer(ctx: Ctx, known: Answers) -> Outgoing:
    p = known.personal
    text = t(
        "registration.reuse.ask",
        name=mask_name(p.name or ""),
        id_number=mask_id_number(p.id_number or ""),
        phone=mask_phone(p.phone or ""),
        area=ctx.content.areas.full_name(known.area or ""),
    )
    options = (
        Option(USE, t("registration.reuse.use")),
        Option(RETYPE, t("registration.reuse.retype")),
    )
    return Outgoing(text, options)


def _person(session: Session, channel: str, external_id: str) -> Person | None:
    person_id = linked_person_id(session, channel, external_id)
    return None if person_id is None else session.get(Person, person_id)
