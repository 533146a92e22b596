"""A half-finished registration survives a restart and cancel, and can be resumed or discarded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from core.delivery.scheduler import tick
from core.registration.models import RegistrationDraft
from core.registration.sla import DraftRetention
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Conversation
from core.timeutil import utcnow
from tests.registration.conftest import PHONE, fill_identity
from tests.registration.helpers import id_number
from tests.talk import Talk

NUMBER = id_number("19880808", seq="246")


@pytest.fixture
def restart(settings: Settings, db: Database) -> Iterator[Callable[[], Runtime]]:
    """Starts a new process on the same database: nothing kept in memory."""
    started: list[Runtime] = []

    def start() -> Runtime:
        started.append(build_runtime(settings, db=Database(db.url, schema=db.schema)))
        return started[-1]

    yield start
    for runtime in started:
        runtime.close()


def _idle_for(runtime: Runtime, user: str, hours: int) -> None:
    with runtime.db.transaction() as session:
        session.execute(
            sa.update(Conversation)
            .where(Conversation.external_id == user)  # type: ignore[arg-type]
            .values(last_inbound_at=utcnow() - timedelta(hours=hours))
        )


def test_restart_mid_flow_continues_with_the_next_answer(
    runtime: Runtime, restart: Callable[[], Runtime]
) -> None:
    fill_identity(Talk(runtime, user="r"), "job_seeker", NUMBER)
    again = Talk(restart(), user="r")
    again.send(choice="r:edu:30")
    assert again.ids() == ["registration.ask.status"]


def test_coming_back_after_a_restart_offers_resume_or_discard(
    runtime: Runtime, restart: Callable[[], Runtime]
) -> None:
    fill_identity(Talk(runtime, user="r"), "job_seeker", NUMBER)
    later = restart()
    _idle_for(later, "r", hours=5)
    talk = Talk(later, user="r")
    talk.send("登记")
    assert talk.ids() == ["system.idle_restart", "registration.resume.ask"]
    talk.send(choice="r:resume")
    assert talk.ids() == ["registration.ask.education"]
    talk.send(choice="r:edu:30")
    talk.send(choice="r:st:graduate")
    talk.send(choice="r:skip")
    talk.send("保洁")
    talk.send("1")
    talk.send(choice="r:j:done")
    talk.send(choice="r:a:any")
    talk.send(choice="r:skip")
    talk.send(choice="r:n")
    assert talk.ids() == ["registration.summary.title"]
    assert any("138****5678" in str(o.label.params) for o in talk.last.messages[0].options)  # type: ignore[union-attr]


def test_cancel_keeps_the_draft_and_discard_deletes_it(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "unemployed", NUMBER)
    resident.send("取消")
    assert resident.ids() == ["registration.paused", "menu.title"]
    resident.send("我的")
    assert "registration.mine.title" in resident.ids()
    resident.send("登记")
    assert resident.ids() == ["registration.resume.ask"]
    resident.send(choice="r:discard")
    assert resident.ids() == ["registration.dropped", "registration.choose.ask"]
    with runtime.db.transaction() as session:
        assert session.exec(select(RegistrationDraft)).all() == []


def test_discarding_at_the_summary_deletes_everything(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "employed", NUMBER)
    resident.send("某公司")
    resident.send(choice="r:ef:flexible")
    resident.send("2025-01-01")
    resident.send(choice="r:skip")
    resident.send("快递")
    resident.send("1")
    resident.send(choice="r:drop")
    assert resident.ids() == ["registration.dropped", "menu.title"]
    with runtime.db.transaction() as session:
        assert session.exec(select(RegistrationDraft)).all() == []


def test_drafts_and_chat_state_hold_no_personal_value_in_clear(
    runtime: Runtime, resident: Talk
) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    with runtime.db.engine.connect() as conn:
        drafts = conn.execute(sa.text("SELECT * FROM registration_draft")).mappings().all()
        chats = conn.execute(sa.text("SELECT data, history FROM conversation")).all()
    dumped = json.dumps([dict(r) for r in drafts], default=str, ensure_ascii=False)
    dumped += json.dumps([list(map(str, c)) for c in chats], ensure_ascii=False)
    assert NUMBER not in dumped and PHONE not in dumped and "张小明" not in dumped


def test_drafts_untouched_past_retention_are_deleted(runtime: Runtime, resident: Talk) -> None:
    fill_identity(resident, "job_seeker", NUMBER)
    now = utcnow()
    tick(runtime.db, runtime.content, runtime.vault, [DraftRetention()], now + timedelta(days=29))
    with runtime.db.transaction() as session:
        assert len(session.exec(select(RegistrationDraft)).all()) == 1
    tick(runtime.db, runtime.content, runtime.vault, [DraftRetention()], now + timedelta(days=31))
    with runtime.db.transaction() as session:
        assert session.exec(select(RegistrationDraft)).all() == []
    resident.send(choice="r:edu:20")
    assert resident.ids() == ["registration.draft_gone", "menu.title"]


def _to_jobs(talk: Talk) -> None:
    fill_identity(talk, "job_seeker", NUMBER)
    talk.send(choice="r:edu:20")
    talk.send(choice="r:st:unemployed")
    talk.send(choice="r:skip")
    assert talk.ids() == ["registration.ask.jobs"]


def _confirm_guard(talk: Talk) -> None:
    talk.send("保安")
    talk.send("1")
    assert talk.ids() == ["registration.jobs.more"]


def test_confirmed_jobs_survive_leaving_and_resuming_the_draft(
    runtime: Runtime, resident: Talk
) -> None:
    _to_jobs(resident)
    _confirm_guard(resident)
    resident.send("菜单")
    resident.send("登记")
    resident.send(choice="r:resume")
    assert resident.ids() == ["registration.jobs.more"]
    resident.send(choice="r:j:more")
    resident.send("保洁")
    resident.send("1")
    resident.send(choice="r:j:done")
    with runtime.db.transaction() as session:
        draft = session.exec(select(RegistrationDraft)).one()
    assert [w["code"][:1] for w in draft.details["jobs"]] == ["4", "4"]
    assert len({w["code"] for w in draft.details["jobs"]}) == 2


def test_confirmed_jobs_survive_a_restarted_chat_after_a_long_pause(
    runtime: Runtime, restart: Callable[[], Runtime]
) -> None:
    _to_jobs(Talk(runtime, user="r"))
    _confirm_guard(Talk(runtime, user="r"))
    later = restart()
    _idle_for(later, "r", hours=5)
    talk = Talk(later, user="r")
    talk.send("登记")
    talk.send(choice="r:resume")
    assert talk.ids() == ["registration.jobs.more"]
    talk.send(choice="r:j:more")
    talk.send("保洁")
    said = talk.say("1")[0]
    assert talk.ids() == ["registration.jobs.more"]
    assert "保安员" in said and "保洁员" in said


def test_candidates_on_screen_survive_leaving_the_form(runtime: Runtime, resident: Talk) -> None:
    _to_jobs(resident)
    resident.send("保安")
    shown = resident.options()
    resident.send("取消")
    resident.send("登记")
    resident.send(choice="r:resume")
    assert resident.ids() == ["registration.jobs.confirm"] and resident.options() == shown


def test_the_same_occupation_twice_is_kept_once(runtime: Runtime, resident: Talk) -> None:
    _to_jobs(resident)
    _confirm_guard(resident)
    resident.send(choice="r:j:more")
    resident.send("保安")
    resident.send("1")
    assert resident.ids() == ["registration.jobs.already", "registration.jobs.more"]
    resident.send(choice="r:j:done")
    with runtime.db.transaction() as session:
        draft = session.exec(select(RegistrationDraft)).one()
    assert len(draft.details["jobs"]) == 1


@pytest.mark.parametrize("said", ["没有了", "就这些", "不用了", "没有。"])
def test_no_more_jobs_said_in_words_ends_the_list(resident: Talk, said: str) -> None:
    _to_jobs(resident)
    _confirm_guard(resident)
    resident.send(said)
    assert resident.ids() == ["registration.ask.desired_area"]


def test_more_jobs_said_in_words_asks_for_the_next_and_a_job_typed_there_is_taken(
    resident: Talk,
) -> None:
    _to_jobs(resident)
    _confirm_guard(resident)
    resident.send("还有")
    assert resident.ids() == ["registration.ask.jobs"]
    resident.send("保洁")
    assert resident.ids() == ["registration.jobs.confirm"]
    resident.send("1")
    resident.send("叉车")  # the next job typed straight at "还有别的吗？"
    assert resident.ids() == ["registration.jobs.confirm"]


def test_no_more_jobs_said_when_asked_for_the_next_one_ends_the_list(resident: Talk) -> None:
    _to_jobs(resident)
    _confirm_guard(resident)
    resident.send(choice="r:j:more")
    assert resident.ids() == ["registration.ask.jobs"]
    resident.send("没有了")
    assert resident.ids() == ["registration.ask.desired_area"]
