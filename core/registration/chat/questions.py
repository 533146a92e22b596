"""Every question of the registration forms, by field."""

from __future__ import annotations

from collections.abc import Mapping

from core.registration.answers import Field
from core.registration.chat.area import AreaQuestion
from core.registration.chat.basic import (
    ChoiceQuestion,
    EndDateQuestion,
    IdNumberQuestion,
    NameQuestion,
    PastDateQuestion,
    PhoneQuestion,
    SalaryQuestion,
    TextQuestion,
    YesNoQuestion,
)
from core.registration.chat.jobs import JobsQuestion
from core.registration.chat.steps import Question

QUESTIONS: Mapping[Field, Question] = {
    Field.NAME: NameQuestion(),
    Field.ID_NUMBER: IdNumberQuestion(),
    Field.PHONE: PhoneQuestion(),
    Field.AREA: AreaQuestion(Field.AREA),
    Field.EDUCATION: ChoiceQuestion(
        Field.EDUCATION, lambda r: r.education, "registration.education", "edu"
    ),
    Field.STATUS: ChoiceQuestion(
        Field.STATUS, lambda r: r.employment_statuses, "registration.status", "st"
    ),
    Field.SKILLS: TextQuestion(Field.SKILLS, limit=200, optional=True),
    Field.JOBS: JobsQuestion(Field.JOBS),
    Field.DESIRED_AREA: AreaQuestion(Field.DESIRED_AREA),
    Field.SALARY: SalaryQuestion(),
    Field.TRAINING: YesNoQuestion(Field.TRAINING),
    Field.UNEMPLOYED_SINCE: PastDateQuestion(Field.UNEMPLOYED_SINCE),
    Field.REASON: ChoiceQuestion(
        Field.REASON, lambda r: r.unemployment_reasons, "registration.reason", "ur"
    ),
    Field.UI_CLAIM: YesNoQuestion(Field.UI_CLAIM),
    Field.EMPLOYER: TextQuestion(Field.EMPLOYER, limit=100),
    Field.FORM: ChoiceQuestion(Field.FORM, lambda r: r.employment_forms, "registration.form", "ef"),
    Field.START_DATE: PastDateQuestion(Field.START_DATE),
    Field.CONTRACT_END: EndDateQuestion(),
    Field.JOB: JobsQuestion(Field.JOB),
}
