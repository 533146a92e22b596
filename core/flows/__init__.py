"""Dialog flows, one module each; ``default_flows`` is the registry the engine runs."""

from __future__ import annotations

from core.dialog.flow import Flow
from core.openings.catalogue import Catalogue


def default_flows(catalogue: Catalogue) -> dict[str, Flow]:
    from core.notices.chat import NoticesFlow
    from core.openings.chat.jobs import JobsFlow
    from core.openings.chat.subscriptions import SubscribeFlow, UnsubscribeFlow
    from core.registration.chat import registration_flows

    flows: list[Flow] = [NoticesFlow(), JobsFlow(catalogue), SubscribeFlow(), UnsubscribeFlow()]
    flows += registration_flows()
    return {flow.name: flow for flow in flows}
