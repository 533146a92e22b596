"""投诉建议 as a feature: filing by chat, handling in 待办, the clocks, 我的."""

from __future__ import annotations

from collections.abc import Sequence

from core.complaints import models
from core.complaints.chat.file import RATE_ARG, ComplaintFlow
from core.complaints.chat.mine import complaints_section
from core.complaints.chat.staff import CaseFlow, complaint_tasks
from core.complaints.rules import rules_for
from core.complaints.sla import ComplaintDeadlines
from core.complaints.tickets import forget_identity
from core.dialog.flow import Flow, MenuItem, TaskSource
from core.features import Deps, Feature


def _flows(deps: Deps) -> Sequence[Flow]:
    return [ComplaintFlow(), CaseFlow()]


FEATURE = Feature(
    name="complaints",
    flows=_flows,
    menu=(
        MenuItem("complaint", ComplaintFlow.name, order=50, keep_words=True),
        # 评价 rates the latest result; a ticket number (TS-…) looks one up.
        MenuItem("complaint_rate", ComplaintFlow.name, order=51, hidden=True, start_arg=RATE_ARG),
        MenuItem("complaint_ticket", ComplaintFlow.name, order=52, hidden=True, keep_words=True),
    ),
    jobs=(ComplaintDeadlines(),),
    mine=(complaints_section,),
    tasks=(TaskSource("complaints", CaseFlow.name, complaint_tasks),),
    erase=(forget_identity,),
    tables=(models,),
    texts=("complaints",),
    content=(rules_for,),
)
