"""求职/失业/就业登记 as a feature: forms by chat, the two-level review, deadlines, 我的."""

from __future__ import annotations

from collections.abc import Sequence

from core.dialog.flow import Flow, MenuItem, TaskSource
from core.features import Deps, Feature
from core.registration import models
from core.registration.chat.forms import FORMS
from core.registration.chat.mine import registrations_section
from core.registration.chat.register import RegisterFlow
from core.registration.chat.staff_tasks import ReviewFlow, registration_tasks
from core.registration.people import forget_identity
from core.registration.rules import rules_for
from core.registration.sla import DraftRetention, RegistrationDeadlines


def _flows(deps: Deps) -> Sequence[Flow]:
    return [RegisterFlow(), *FORMS.values(), ReviewFlow()]


FEATURE = Feature(
    name="registration",
    flows=_flows,
    menu=(MenuItem("register", "register", order=10, keep_words=True),),
    jobs=(RegistrationDeadlines(), DraftRetention()),
    mine=(registrations_section,),
    tasks=(TaskSource("registration", ReviewFlow.name, registration_tasks),),
    erase=(forget_identity,),
    tables=(models,),
    texts=("registration",),
    content=(rules_for,),
)
