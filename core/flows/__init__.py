"""Dialog flows, one module each; ``default_flows`` is the registry the engine runs."""

from __future__ import annotations

from core.dialog.flow import Flow


def default_flows() -> dict[str, Flow]:
    from core.flows.notices import NoticesFlow

    flows: list[Flow] = [NoticesFlow()]
    return {flow.name: flow for flow in flows}
