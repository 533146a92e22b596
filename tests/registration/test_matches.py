"""我的匹配: openings that fit the job wishes and area a resident registered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.openings.importing import import_openings
from core.openings.rows import read_rows
from core.runtime import Runtime
from tests.openings.conftest import NOW, write_csv  # noqa: F401  (fixture)
from tests.registration.conftest import submit_job_seeker
from tests.talk import Talk


def _openings(runtime: Runtime, write_csv: Callable[..., Path]) -> None:  # noqa: F811
    rows = [
        [
            "W-1",
            "电焊工（持证）",
            "济南某机械厂",
            "历下区",
            "6000",
            "8000",
            "3",
            "",
            "",
            "2026-11-20",
            "2027-01-31",
            "",
        ],
        [
            "W-2",
            "保安员",
            "济南某物业",
            "历下区",
            "3500",
            "4000",
            "2",
            "",
            "",
            "2026-11-20",
            "2027-01-31",
            "",
        ],
    ]
    import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    runtime.catalogue.refresh_now()


def test_my_matches_follow_the_registered_job_wishes(
    runtime: Runtime,
    resident: Talk,
    write_csv: Callable[..., Path],  # noqa: F811
) -> None:
    _openings(runtime, write_csv)
    submit_job_seeker(resident)  # wishes: 焊工 (6-18-02-04), anywhere
    text = "\n".join(resident.say("我的匹配"))
    assert resident.ids() == ["jobs.matches"]
    assert "电焊工（持证）" in text and "保安员" not in text
    assert "济南某机械厂" in resident.say("1")[0]


def test_my_matches_without_registration_offers_to_register(
    runtime: Runtime,
    write_csv: Callable[..., Path],  # noqa: F811
) -> None:
    _openings(runtime, write_csv)
    talk = Talk(runtime, user="not-registered")
    talk.send("我的匹配")
    assert talk.ids() == ["jobs.matches_need_registration"]
    assert "m:register" in talk.options()


def test_find_job_prompt_offers_my_matches(runtime: Runtime) -> None:
    talk = Talk(runtime)
    talk.send("找工作")
    assert talk.options() == ["j:mine"]
