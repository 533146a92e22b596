"""招聘信息 as a feature: search and details by chat, 我的匹配, subscriptions to new openings."""

from __future__ import annotations

from collections.abc import Sequence

from core.dialog.flow import Flow, MenuItem
from core.features import Deps, Feature
from core.openings import models
from core.openings.chat.jobs import MATCHES, JobsFlow
from core.openings.chat.subscriptions import SubscribeFlow, UnsubscribeFlow
from core.openings.subscriptions import forget_identity


def _flows(deps: Deps) -> Sequence[Flow]:
    return [JobsFlow(deps.catalogue), SubscribeFlow(), UnsubscribeFlow()]


FEATURE = Feature(
    name="openings",
    flows=_flows,
    menu=(
        MenuItem("jobs", "jobs", order=20),
        MenuItem("matches", "jobs", order=21, hidden=True, start_arg=MATCHES),
    ),
    erase=(forget_identity,),
    tables=(models,),
    texts=("jobs",),
)
