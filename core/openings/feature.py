"""招聘信息 as a feature: search and details by chat, 我的匹配, subscriptions to new openings."""

from __future__ import annotations

from collections.abc import Sequence

from core.dialog.flow import Ctx, Flow, MenuItem
from core.features import Deps, Feature
from core.matching.query import query_tokens
from core.openings import models
from core.openings.catalogue import vocabulary_for
from core.openings.chat.jobs import MATCHES, JobsFlow
from core.openings.chat.subscriptions import SubscribeFlow, UnsubscribeFlow
from core.openings.notices import SubscriptionNotices
from core.openings.subscriptions import forget_identity


def _job_word(ctx: Ctx, text: str) -> bool:
    """Whether ``text`` names a job in the search vocabulary (保洁, baojie, 找个保安的活)."""
    vocabulary = vocabulary_for(ctx.content.directory)
    tokens = query_tokens(text, vocabulary.terms.ids)
    return any(match.score >= 90 for token in tokens for match in vocabulary.match_terms(token)[:1])


def _flows(deps: Deps) -> Sequence[Flow]:
    return [JobsFlow(deps.catalogue), SubscribeFlow(), UnsubscribeFlow()]


FEATURE = Feature(
    name="openings",
    flows=_flows,
    menu=(
        MenuItem("jobs", "jobs", order=20),
        MenuItem("matches", "jobs", order=21, hidden=True, start_arg=MATCHES),
    ),
    jobs=(SubscriptionNotices(),),
    erase=(forget_identity,),
    tables=(models,),
    texts=("jobs",),
    job_word=_job_word,
)
