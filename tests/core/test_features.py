"""The enabled features, as the runtime assembles them from core/installed.py."""

from __future__ import annotations

from sqlmodel import SQLModel, col, select

from core.installed import FEATURES
from core.openings.models import OpeningSubscription
from core.registration.models import RegistrationDraft
from core.runtime import Runtime
from core.storage import models as foundation
from tests.talk import Talk


def test_every_table_belongs_to_the_foundation_or_a_declared_feature() -> None:
    declared = {foundation.__name__} | {m.__name__ for f in FEATURES for m in f.tables}
    owners = {
        mapper.class_.__table__.name: mapper.class_.__module__
        for mapper in SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
    }
    strays = {table: module for table, module in owners.items() if module not in declared}
    assert strays == {}
    assert set(owners) == {t.name for t in SQLModel.metadata.sorted_tables}


def test_features_have_distinct_names_and_their_flows_are_assembled(runtime: Runtime) -> None:
    names = [f.name for f in FEATURES]
    assert len(names) == len(set(names))
    assert {"register", "jobs", "booking", "complaint", "notices", "staff_tasks"} <= set(
        runtime.engine.parts.flows
    )


def test_unfollowing_runs_every_features_eraser(runtime: Runtime) -> None:
    talk = Talk(runtime, user="leaving")
    talk.send("订阅 保洁")
    talk.send("登记")
    talk.send(choice="r:k:job_seeker")
    talk.send(choice="r:pv:y")  # a draft now exists
    with runtime.db.transaction() as session:
        assert session.exec(select(RegistrationDraft)).first() is not None
    assert runtime.engine.forget("console", "leaving")
    with runtime.db.transaction() as session:
        mine = col(OpeningSubscription.external_id) == "leaving"
        assert session.exec(select(OpeningSubscription).where(mine)).first() is None
        assert session.exec(select(RegistrationDraft)).first() is None
