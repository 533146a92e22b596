"""政策资讯 as a feature: the notices in content/notices.yaml, browsed by chat."""

from __future__ import annotations

from collections.abc import Sequence

from core.dialog.flow import Flow, MenuItem
from core.features import Deps, Feature
from core.notices.chat import NoticesFlow


def _flows(deps: Deps) -> Sequence[Flow]:
    return [NoticesFlow()]


FEATURE = Feature(name="notices", flows=_flows, menu=(MenuItem("notices", "notices", order=40),))
