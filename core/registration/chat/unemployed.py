"""失业登记: unemployment registration. The written pledge (书面承诺, 人社厅发〔2020〕79号)
replaces every document; nothing but the answers below is asked for.

```mermaid
stateDiagram-v2
    [*] --> privacy
    privacy --> [*]: declined (nothing stored)
    privacy --> name: accepted (version and time recorded, draft starts)
    name --> id_number: (age 16 to pension age checked here)
    id_number --> phone --> area --> education --> skills --> jobs
    jobs --> desired_area --> salary --> training
    training --> unemployed_since --> reason --> ui_claim --> summary
    summary --> name: change field N (… any field, then back to summary)
    summary --> pledge: submit
    pledge --> summary: not signed
    pledge --> [*]: signed (registration submitted)
    summary --> [*]: discard
```
"""

from __future__ import annotations

from enum import StrEnum

from core.registration.answers import Field
from core.registration.chat.form import FormFlow
from core.registration.rules import Kind


class Step(StrEnum):
    PRIVACY = "privacy"
    NAME = Field.NAME.value
    ID_NUMBER = Field.ID_NUMBER.value
    PHONE = Field.PHONE.value
    AREA = Field.AREA.value
    EDUCATION = Field.EDUCATION.value
    SKILLS = Field.SKILLS.value
    JOBS = Field.JOBS.value
    DESIRED_AREA = Field.DESIRED_AREA.value
    SALARY = Field.SALARY.value
    TRAINING = Field.TRAINING.value
    UNEMPLOYED_SINCE = Field.UNEMPLOYED_SINCE.value
    REASON = Field.REASON.value
    UI_CLAIM = Field.UI_CLAIM.value
    SUMMARY = "summary"
    PLEDGE = "pledge"


_NOT_QUESTIONS = (Step.PRIVACY, Step.SUMMARY, Step.PLEDGE)


class UnemployedFlow(FormFlow):
    name = "reg_unemployed"
    kind = Kind.UNEMPLOYED
    order = tuple(Field(s.value) for s in Step if s not in _NOT_QUESTIONS)
