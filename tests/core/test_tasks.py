"""待办 is one list across features: oldest deadline first, each item opening in its
feature's flow, and one query per feature however many items there are."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.dialog.flow import IDLE, Ctx, Input, State, TaskItem, TaskSource, Transition
from core.dialog.messages import Outgoing, t
from core.features import Feature
from core.installed import FEATURES
from core.people.staff import Role, StaffView
from core.registration.models import Registration
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.timeutil import utcnow
from tests.registration.conftest import submit_job_seeker
from tests.registration.helpers import COMMUNITY, STREET, id_number, staff_chat
from tests.talk import Talk

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SOON, LATER = timedelta(days=1), timedelta(days=3)


def _visits(ctx: Ctx, staff: StaffView) -> Sequence[TaskItem]:
    now = utcnow()
    return (
        TaskItem("late", t("visits.line", ref="late"), now + LATER),
        TaskItem("undated", t("visits.line", ref="undated"), None),
        TaskItem("soon", t("visits.line", ref="soon"), now + SOON),
    )


class VisitFlow:
    """Stands in for a feature still to come (走访): opens the item it is started with."""

    name = "visit"
    steps = frozenset({"open"})

    def start(self, ctx: Ctx, arg: str) -> Transition:
        return Transition(
            State(self.name, "open", {"ref": arg}), (Outgoing(t("visits.opened", ref=arg)),)
        )

    def advance(self, ctx: Ctx, state: State, given: Input) -> Transition:
        return Transition(IDLE, ())

    def prompt(self, ctx: Ctx, state: State) -> tuple[Outgoing, ...]:
        return (Outgoing(t("visits.opened", ref=state.data["ref"])),)


VISITS = Feature(
    name="visits",
    flows=lambda deps: [VisitFlow()],
    tasks=(TaskSource("visits", "visit", _visits),),
    texts=("visits",),
)


@pytest.fixture
def with_visits(settings: Settings, db: Database, tmp_path: Path) -> Runtime:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    for lang, word in (("zh-CN", "走访"), ("en", "Visit")):
        (content / "messages" / f"{lang}.visits.yaml").write_text(
            f'tasks:\n  feature:\n    visits: {word}\nvisits:\n  line: "{word} {{ref}}"\n'
            f'  opened: "{word} {{ref}} opened"\n',
            encoding="utf-8",
        )
    changed = settings.model_copy(update={"content_dir": content})
    return build_runtime(changed, db=db, features=[*FEATURES, VISITS])


def _due_in(runtime: Runtime, delta: timedelta) -> None:
    with runtime.db.transaction() as session:
        for reg in session.exec(sa.select(Registration)).scalars():
            reg.due_at = utcnow() + delta
            session.add(reg)


def test_tasks_of_every_feature_in_one_list_oldest_deadline_first(with_visits: Runtime) -> None:
    submit_job_seeker(Talk(with_visits, user="applicant"))
    _due_in(with_visits, timedelta(days=2))
    staff = staff_chat(with_visits, "wang", Role.COMMUNITY, COMMUNITY).talk
    staff.send("待办")
    assert staff.ids() == ["tasks.list"]
    [listing] = staff.last.messages if staff.last else []
    assert [o.id.split(":")[2] for o in listing.options] == [
        "visits",
        "registration",
        "visits",
        "visits",
    ]
    assert [o.id.rsplit(":", 1)[1] for o in listing.options][0::2] == ["soon", "late"]
    assert listing.options[-1].id == "s:o:visits:undated"


def test_an_item_opens_in_its_own_features_flow(with_visits: Runtime) -> None:
    staff = staff_chat(with_visits, "wang", Role.COMMUNITY, COMMUNITY).talk
    staff.send("待办")
    staff.send("1")
    assert staff.ids() == ["visits.opened"]
    assert staff.last is not None and staff.last.messages[0].text.params["ref"] == "soon"


def test_back_from_a_case_returns_to_the_task_list(runtime: Runtime) -> None:
    submit_job_seeker(Talk(runtime, user="applicant"))
    staff = staff_chat(runtime, "wang", Role.COMMUNITY, COMMUNITY).talk
    staff.send("待办")
    staff.send("1")
    assert staff.ids()[0] == "staff_tasks.case"
    staff.send("返回")
    assert staff.ids() == ["tasks.list"]


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def _statements_for_list(runtime: Runtime, applicants: range) -> int:
    for n in applicants:
        submit_job_seeker(Talk(runtime, user=f"applicant-{n}"), id_number(seq=f"{101 + 2 * n:03d}"))
    _due_in(runtime, -timedelta(days=1))  # overdue: the street sees community items too
    street = staff_chat(runtime, f"li-{applicants.start}", Role.STREET, STREET).talk
    staff_chat(runtime, f"wang-{applicants.start}", Role.COMMUNITY, COMMUNITY)
    with _counting(runtime.db) as seen:
        street.send("待办")
    listed = street.last.messages[0].options if street.last else ()
    assert len(listed) == applicants.stop, street.ids()
    return len(seen)


def test_the_task_list_costs_the_same_queries_for_three_items_or_nine(runtime: Runtime) -> None:
    few = _statements_for_list(runtime, range(0, 3))
    many = _statements_for_list(runtime, range(3, 9))
    assert few == many


def test_a_forged_staff_menu_button_from_a_resident_opens_nothing(runtime: Runtime) -> None:
    talk = Talk(runtime, user="curious")
    talk.send("菜单")
    for forged in ("m:tasks", "m:booking_day"):
        talk.send(choice=forged)
        assert talk.ids()[0] == "system.stale_choice", forged
        assert talk.state_flow() is None
