"""Where a registration stands, and what staff may do to it.

```mermaid
stateDiagram-v2
    [*] --> submitted: resident submits (失业登记 with the pledge)
    submitted --> accepted: community accepts and first-reviews (2 levels)
    submitted --> registered: community accepts and decides (1 level)
    submitted --> returned: community returns, all missing items at once
    submitted --> rejected: community rejects with a reason
    returned --> submitted: resident corrects and resubmits
    returned --> withdrawn: resident withdraws
    accepted --> registered: street approves (审核)
    accepted --> returned: street returns, all missing items at once
    accepted --> rejected: street rejects with a reason
```
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    REGISTERED = "registered"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(StrEnum):
    SUBMIT = "submit"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    RETURN = "return"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"


OPEN = (Status.SUBMITTED, Status.RETURNED, Status.ACCEPTED)
WAITING_FOR_STAFF = (Status.SUBMITTED, Status.ACCEPTED)
