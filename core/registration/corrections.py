"""Correcting a registration staff returned: its answers come back as a draft at the summary."""

from __future__ import annotations

from core.registration import drafts
from core.registration.answers import Answers, Personal
from core.registration.models import Registration
from core.registration.rules import Kind
from core.registration.workflow import Env


def stored_answers(env: Env, reg: Registration) -> Answers:
    personal = Personal(
        name=env.vault.decrypt(reg.name_enc),
        id_number=env.vault.decrypt(reg.id_number_enc),
        phone=env.vault.decrypt(reg.phone_enc),
    )
    return Answers.from_details(reg.details, personal, env.vault)


def draft_from(env: Env, reg: Registration) -> None:
    """The submitter's draft, pointing at ``reg`` so that submitting resubmits it."""
    assert reg.channel is not None and reg.external_id is not None
    drafts.create(
        env.session,
        channel=reg.channel,
        external_id=reg.external_id,
        kind=Kind(reg.kind),
        step="summary",
        privacy_version=reg.privacy_version,
        privacy_accepted_at=reg.privacy_accepted_at,
        now=env.now,
        answers=stored_answers(env, reg),
        vault=env.vault,
        registration_id=reg.id,
    )
