"""The access token is shared through the database and fetched once, even under a rush."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from bots.wechat.api import build_api
from bots.wechat.token import TokenUnavailable
from core.runtime import build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.timeutil import utcnow
from tests.bots.wechat.conftest import wechat_settings
from tests.bots.wechat.fake_api import FakeServer, FakeWeChat


def test_many_processes_asking_at_once_fetch_one_token(settings: Settings, db: Database) -> None:
    fake = FakeWeChat(delay=0.3)
    with FakeServer(fake) as server:
        cfg = build_runtime(wechat_settings(settings, server.base), db=db).settings.wechat
        assert cfg is not None
        clients = [build_api(cfg, db).client for _ in range(6)]  # six "processes"
        with ThreadPoolExecutor(6) as pool:
            tokens = list(pool.map(lambda c: c.access_token, clients))
    assert tokens == ["TOKEN-1"] * 6
    assert fake.paths() == ["/cgi-bin/token"]


def test_old_token_is_used_while_another_process_refreshes(
    settings: Settings, db: Database
) -> None:
    fake = FakeWeChat()
    with FakeServer(fake) as server:
        cfg = build_runtime(wechat_settings(settings, server.base), db=db).settings.wechat
        assert cfg is not None
        assert build_api(cfg, db).client.access_token == "TOKEN-1"
        soon = lambda: utcnow() + timedelta(seconds=7000)  # noqa: E731
        refresher = build_api(cfg, db, clock=soon).client
        assert refresher.tokens._claim("TOKEN-1") is not None  # holds the lease, no fetch yet
        bystander = build_api(cfg, db, clock=soon).client
        assert bystander.access_token == "TOKEN-1"  # still valid for 200 s: no second fetch
    assert fake.paths() == ["/cgi-bin/token"]


def test_unreachable_token_api_raises_token_unavailable(settings: Settings, db: Database) -> None:
    cfg = build_runtime(wechat_settings(settings, "http://127.0.0.1:9/"), db=db).settings.wechat
    assert cfg is not None
    client = build_api(cfg, db, timeout=0.5).client
    with pytest.raises(TokenUnavailable):
        client.access_token  # noqa: B018
    with pytest.raises(TokenUnavailable):  # the lease was released: the next try fetches again
        client.access_token  # noqa: B018
