"""The contract every registered flow keeps, checked in every step the walk reaches.

The walk starts at each menu item and at the commands that start a flow (as a resident,
and as a staff member linked to a community with cases waiting), follows every option
offered and, at a free-text question, the first typical answer it takes. Every (flow,
step) it reaches is remembered with the messages that lead there, and each check replays
them for a fresh identity, so no check depends on another. In each reached step:

- nonsense re-asks the same question (a step whose question takes any text says so with
  ``free_text``; there only blank input must re-ask), and nothing raises;
- 取消 and 菜单 end at the main menu, 帮助 answers and stays, 返回 goes back (to a step of
  the same flow, the flow it was opened from, or the menu);
- every text id said exists in both languages and renders in both.

A stored state whose step the flow does not know restarts the flow with a notice. New
flows get all of this by being registered; nothing here names a flow.
"""

from __future__ import annotations

import itertools
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from core.content.catalog import LANGS
from core.demo import load_demo_openings
from core.dialog.menu import MENU_PREFIX
from core.dialog.messages import Reply, Text
from core.people.staff import Role
from core.runtime import Runtime, build_runtime
from core.settings import Settings
from core.storage.db import Database
from core.storage.models import Conversation
from core.timeutil import utcnow
from tests.complaints.conftest import file_complaint
from tests.conftest import TEST_SECRET
from tests.registration.conftest import submit_job_seeker
from tests.registration.helpers import STREET, id_number, staff_chat
from tests.talk import Talk

# Answers a resident might type at a free-text question; the walk tries them in order.
ANSWERS = (
    "张小明",
    id_number(),
    "13812345678",
    "解放桥社区",
    "电焊",
    "保安",
    "3000-5000",
    "2025-03-01",
    "请补充材料",
    "历下",
)
NONSENSE = "＃＄％ qwzx"
# Flows that start from a global command rather than a menu item.
STARTS = (({"text": "订阅"},), ({"text": "订阅 保洁"}, {"text": "退订"}))
MAX_STATES = 200
WIDTH = 6
# Distinct screens walked per step (a place is picked in up to three rounds).
ROUNDS = 3
AFTER = 3  # finished walks per start that the second pass builds on
CASES = 40
COMPLAINTS = 5  # a day's limit per resident is 5; one each from the first applicants
Recipe = tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Reached:
    """A (flow, step) and the messages that reach it from the menu, for a fresh identity."""

    flow: str
    step: str
    staff: bool
    recipe: Recipe


@dataclass
class Walk:
    runtime: Runtime
    reached: dict[tuple[str, str], Reached] = field(default_factory=dict)
    fresh: Iterator[int] = field(default_factory=itertools.count)

    def talk(self, staff: bool) -> Talk:
        """A new identity; staff ones are linked to the street whose cases wait (with no
        community staff, the street holds every step: registrations, complaints, bookings)."""
        n = next(self.fresh)
        if staff:
            return staff_chat(self.runtime, f"walker-{n}", Role.STREET, STREET).talk
        return Talk(self.runtime, user=f"walker-{n}")

    def replay(self, reached: Reached) -> Talk:
        return self.follow(reached.staff, reached.recipe)

    def follow(self, staff: bool, recipe: Recipe) -> Talk:
        talk = self.talk(staff)
        for step in recipe:
            if "option" in step:
                self.send(talk, choice=_same_kind(talk, step["option"]))
            else:
                self.send(talk, **step)
        return talk

    def send(self, talk: Talk, text: str | None = None, choice: str | None = None) -> Reply:
        reply = talk.send(text, choice=choice)
        assert reply.messages, f"no answer to {text or choice}"
        _check_texts(self.runtime, reply)
        return reply


def _same_kind(talk: Talk, option: str) -> str:
    """``option`` if it is on screen, else the first of its kind (``s:o:registration:7``
    handled meanwhile by another walker: the first registration still waiting)."""
    offered = [o.id for m in (talk.last.messages if talk.last else ()) for o in m.options]
    if option in offered:
        return option
    parts = option.split(":")
    for cut in range(len(parts) - 1, 1, -1):  # b:t:13:30 -> b:t:13: -> b:t:
        kind = ":".join(parts[:cut]) + ":"
        same = next((o for o in offered if o.startswith(kind)), None)
        if same is not None:
            return same
    return option


def _text_ids(item: Any) -> Iterator[str]:
    if isinstance(item, Text):
        yield item.id
        for value in item.params.values():
            yield from _text_ids(value)
    elif isinstance(item, list | tuple):
        for value in item:
            yield from _text_ids(value)


def _check_texts(runtime: Runtime, reply: Reply) -> None:
    catalog = runtime.content.catalog
    for message in reply.messages:
        said = [*_text_ids(message.text), *(i for o in message.options for i in _text_ids(o.label))]
        for text_id in said:
            assert catalog.has(text_id), f"unknown text id {text_id}"
        for lang in LANGS:
            catalog.render(message, lang)  # raises on a missing parameter


def _state(runtime: Runtime, talk: Talk) -> tuple[str | None, str | None]:
    with runtime.db.transaction() as session:
        conv = session.exec(select(Conversation).where(Conversation.external_id == talk.user)).one()
        return conv.flow, conv.step


def _walk(runtime: Runtime) -> Walk:
    walk = Walk(runtime)
    menu = runtime.engine.parts.menu
    queue: deque[tuple[bool, Recipe]] = deque()
    for staff in (False, True):
        # Every menu item, those reached by their words only (我的预约) too.
        queue.extend((staff, ({"choice": f"{MENU_PREFIX}{item.id}"},)) for item in menu)
        queue.extend((staff, start) for start in STARTS)
    # Recipes that finished something (back at the menu after a flow): the menu items not
    # reached yet are walked again after the longest few of them per start, so a flow that
    # needs something done first (我的预约 needs a booking) is reached too.
    finished: list[tuple[bool, Recipe]] = []
    _explore(walk, queue, finished)
    by_start: dict[str, list[Recipe]] = {}
    for staff, done in finished:  # residents' only: staff ones would use up waiting cases
        if not staff:
            by_start.setdefault(str(done[0]), []).append(done)
    walked = {flow for flow, _ in walk.reached}
    unreached = [item for item in menu if item.flow not in walked]
    for done_list in by_start.values():
        for done in sorted(done_list, key=len, reverse=True)[:AFTER]:
            queue.extend((False, (*done, {"choice": f"{MENU_PREFIX}{i.id}"})) for i in unreached)
    _explore(walk, queue, [])
    return walk


def _explore(
    walk: Walk, queue: deque[tuple[bool, Recipe]], finished: list[tuple[bool, Recipe]]
) -> None:
    runtime = walk.runtime
    # A step may ask in several rounds (a place picked level by level), so what was seen is
    # the step together with the options on screen.
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    rounds: Counter[tuple[str, str]] = Counter()
    while queue and len(seen) < MAX_STATES:
        staff, recipe = queue.popleft()
        talk = walk.follow(staff, recipe)
        flow, step = _state(runtime, talk)
        offered = tuple(o.id for m in (talk.last.messages if talk.last else ()) for o in m.options)
        if flow is None and len(recipe) > 2:
            finished.append((staff, recipe))
        if flow is None or step is None or (flow, step, offered) in seen:
            continue
        if rounds[(flow, step)] >= ROUNDS:
            continue
        rounds[(flow, step)] += 1
        seen.add((flow, step, offered))
        walk.reached.setdefault((flow, step), Reached(flow, step, staff, recipe))
        picked = [offered[n - 1] for n in _some(len(offered))]
        queue.extend((staff, (*recipe, {"option": option})) for option in picked)
        queue.extend(_answers(walk, staff, recipe, (flow, step)))  # a search box has buttons too


def _some(count: int) -> list[int]:
    """Which of ``count`` numbered options to follow: all of a few, else the first few and
    the last (a list's "next page" or "back" is last), so long lists stay cheap to walk."""
    if count <= WIDTH:
        return list(range(1, count + 1))
    return [*range(1, WIDTH), count]


def _answers(
    walk: Walk, staff: bool, recipe: Recipe, where: tuple[str, str]
) -> list[tuple[bool, Recipe]]:
    """The first typical answer this question takes; else the choices one of them offers.

    An answer the question does not take leaves the conversation where it was, so the
    answers are tried one after another in the same conversation."""
    talk = walk.follow(staff, recipe)
    tried: list[dict[str, str]] = []
    offering: list[tuple[bool, Recipe]] = []
    for answer in ANSWERS:
        reply = walk.send(talk, answer)
        tried.append({"text": answer})
        then = (*recipe, *tried)
        if _state(walk.runtime, talk) != where:
            return [(staff, then)]
        picks = sum(len(m.options) for m in reply.messages)
        if picks and not offering:
            ids = [o.id for m in reply.messages for o in m.options]
            offering = [(staff, (*then, {"option": ids[n - 1]})) for n in _some(picks)]
    return offering


@pytest.fixture(scope="module")
def walk(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Walk:
    """Walked once for the module (it is the expensive part); every check replays from it."""
    with database.engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        database_url=database.url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        var_dir=tmp_path_factory.mktemp("var"),
    )
    runtime = build_runtime(settings, db=database)
    load_demo_openings(runtime.db, runtime.content, now=utcnow())  # so searches find some
    for n in range(CASES):  # 待办 keeps cases to open while the walk handles some
        applicant = Talk(runtime, user=f"applicant-{n}")
        submit_job_seeker(applicant, id_number(seq=f"{101 + 2 * n:03d}"))
        if n < COMPLAINTS:
            file_complaint(applicant)
    return _walk(runtime)


def _free_text(runtime: Runtime, flow: str, step: str) -> bool:
    """Steps whose question takes any text (a search keyword, a note) declare so."""
    return step in getattr(runtime.engine.parts.flows[flow], "free_text", frozenset())


def test_the_walk_reaches_every_registered_flow(walk: Walk) -> None:
    runtime = walk.runtime
    assert set(runtime.engine.parts.flows) <= {flow for flow, _ in walk.reached}


def test_every_reached_step_is_declared_by_its_flow(walk: Walk) -> None:
    runtime = walk.runtime
    flows = runtime.engine.parts.flows
    assert [(f, s) for f, s in walk.reached if s not in flows[f].steps] == []


def _at(walk: Walk, reached: Reached) -> tuple[Talk, tuple[str, str]] | None:
    """Replays ``reached`` for a fresh identity and says where that got to. The walk shares
    one database (slots fill, cases get handled), so a replay may stop at a neighbouring
    step; each check holds for whichever step that is."""
    talk = walk.replay(reached)
    flow, step = _state(walk.runtime, talk)
    return None if flow is None or step is None else (talk, (flow, step))


def test_nonsense_re_asks_the_same_question(walk: Walk) -> None:
    runtime = walk.runtime
    moved = []
    for reached in walk.reached.values():
        for nonsense in (NONSENSE, "   "):
            found = _at(walk, reached)
            if found is None:
                continue
            talk, where = found
            if nonsense == NONSENSE and _free_text(runtime, *where):
                continue
            walk.send(talk, nonsense)
            if _state(runtime, talk) != where:
                moved.append((*where, nonsense, _state(runtime, talk)))
    assert moved == [], "\n".join(map(str, moved))


def test_global_commands_work_in_every_step(walk: Walk) -> None:
    runtime = walk.runtime
    for reached in walk.reached.values():
        for word in ("取消", "菜单"):
            found = _at(walk, reached)
            if found is None:
                continue
            talk, where = found
            reply = walk.send(talk, word)
            assert _state(runtime, talk) == (None, None), (where, word)
            assert "menu.title" in [m.text.id for m in reply.messages], (where, word)
        found = _at(walk, reached)
        if found is None:
            continue
        talk, where = found
        reply = walk.send(talk, "帮助")
        assert reply.messages[0].text.id == "help.commands", where
        assert _state(runtime, talk) == where
        walk.send(talk, "返回")
        flow, _step = _state(runtime, talk)
        parent = getattr(runtime.engine.parts.flows[where[0]], "parent", None)
        assert flow in (None, where[0], parent), (where, flow)


def test_an_unknown_stored_step_restarts_the_flow_with_a_notice(walk: Walk) -> None:
    runtime = walk.runtime
    done: set[str] = set()
    for reached in walk.reached.values():
        found = _at(walk, reached)
        if found is None or found[1][0] in done:
            continue
        talk, (flow, _step) = found
        done.add(flow)
        with runtime.db.transaction() as session:
            conv = session.exec(
                select(Conversation).where(Conversation.external_id == talk.user)
            ).one()
            conv.step = "no-such-step"
            session.add(conv)
        reply = walk.send(talk, NONSENSE)
        assert reply.messages[0].text.id == "system.flow_restarted", flow
        assert _state(runtime, talk)[1] != "no-such-step", flow
    assert done == {flow for flow, _ in walk.reached}
