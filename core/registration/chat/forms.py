"""The three registration forms by kind, and the questions each asks in order."""

from __future__ import annotations

from core.registration.answers import Field
from core.registration.chat.employed import EmployedFlow
from core.registration.chat.form import FormFlow
from core.registration.chat.job_seeker import JobSeekerFlow
from core.registration.chat.unemployed import UnemployedFlow
from core.registration.rules import Kind

FORMS: dict[Kind, FormFlow] = {
    Kind.JOB_SEEKER: JobSeekerFlow(),
    Kind.UNEMPLOYED: UnemployedFlow(),
    Kind.EMPLOYED: EmployedFlow(),
}


def questions_of(kind: str) -> tuple[Field, ...]:
    return FORMS[Kind(kind)].order
