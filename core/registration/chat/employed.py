"""就业登记: employment registration (employer, form of employment, start date, job).

```mermaid
stateDiagram-v2
    [*] --> privacy
    privacy --> [*]: declined (nothing stored)
    privacy --> name: accepted (version and time recorded, draft starts)
    name --> id_number --> phone --> area --> employer --> form
    form --> start_date --> contract_end: (after the start, or none)
    contract_end --> job --> summary
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
    EMPLOYER = Field.EMPLOYER.value
    FORM = Field.FORM.value
    START_DATE = Field.START_DATE.value
    CONTRACT_END = Field.CONTRACT_END.value
    JOB = Field.JOB.value
    SUMMARY = "summary"


class EmployedFlow(FormFlow):
    name = "reg_employed"
    kind = Kind.EMPLOYED
    order = tuple(Field(s.value) for s in Step if s not in (Step.PRIVACY, Step.SUMMARY))
