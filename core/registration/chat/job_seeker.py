"""求职登记: a job seeker's registration.

```mermaid
stateDiagram-v2
    [*] --> privacy
    privacy --> [*]: declined (nothing stored)
    privacy --> name: accepted (version and time recorded, draft starts)
    name --> id_number --> phone --> area --> education --> status --> skills
    skills --> jobs --> desired_area --> salary --> training --> summary
    summary --> name: change field N (… any field, then back to summary)
    summary --> [*]: submit (registration submitted) / discard
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
    STATUS = Field.STATUS.value
    SKILLS = Field.SKILLS.value
    JOBS = Field.JOBS.value
    DESIRED_AREA = Field.DESIRED_AREA.value
    SALARY = Field.SALARY.value
    TRAINING = Field.TRAINING.value
    SUMMARY = "summary"


class JobSeekerFlow(FormFlow):
    name = "reg_job_seeker"
    kind = Kind.JOB_SEEKER
    order = tuple(Field(s.value) for s in Step if s not in (Step.PRIVACY, Step.SUMMARY))
