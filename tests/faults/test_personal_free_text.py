"""Personal data typed where it was not asked for (a free answer, a search) stays in the Vault."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bots.web.app import create_app
from core.people.personal import has_personal, personal_spans, redact
from core.people.staff import Role, add_staff
from core.people.staff_tokens import issue_token
from core.registration.ledger import build
from core.registration.workflow import Env
from core.runtime import Runtime
from core.timeutil import utcnow
from tests.registration.conftest import WELDER, fill_identity, latest
from tests.registration.helpers import COMMUNITY, id_number
from tests.talk import Talk

OTHER_ID = id_number("19850505", seq="246")
OTHER_PHONE = "13987654321"
SKILLS = f"电焊证，证号{OTHER_ID}，有事打{OTHER_PHONE[:3]} {OTHER_PHONE[3:7]} {OTHER_PHONE[7:]}"
DIGITS = (OTHER_ID, OTHER_ID[6:14], OTHER_PHONE, OTHER_PHONE[3:7] + " " + OTHER_PHONE[7:])


def _clear_in(text: str) -> list[str]:
    return [d for d in DIGITS if d in text]


def _raw(runtime: Runtime, table: str) -> str:
    """Every row of ``table`` as stored, as one text."""
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
    return json.dumps([[str(v) for v in row] for row in rows], ensure_ascii=False)


@pytest.fixture
def registered(runtime: Runtime) -> Iterator[Talk]:
    talk = Talk(runtime, user="resident-free-text")
    fill_identity(talk, "job_seeker", id_number())
    talk.send(choice="r:edu:20")
    talk.send(choice="r:st:unemployed")
    talk.send(SKILLS)
    assert _clear_in(_raw(runtime, "registration_draft")) == []  # the draft, mid-way
    talk.send("电焊")
    talk.send(choice=f"r:j:{WELDER}")
    talk.send(choice="r:j:done")
    talk.send(choice="r:a:any")
    talk.send("3000-5000")
    talk.send(choice="r:y")
    assert talk.ids() == ["registration.summary.title"], talk.ids()
    talk.send(choice="r:submit")
    yield talk


def test_detector_finds_ids_and_phones_however_written() -> None:
    assert has_personal(SKILLS) and len(personal_spans(SKILLS)) == 2
    assert has_personal("１３８１２３４５６７８") and has_personal("+86 138-1234-5678")
    assert not has_personal("保安 历下 3000-5000元") and not has_personal("电话会联系")
    assert _clear_in(redact(SKILLS)) == []


def test_id_and_phone_in_a_free_answer_are_sealed_at_rest_and_masked_for_staff(
    runtime: Runtime, registered: Talk
) -> None:
    for table in ("registration", "registration_draft", "conversation", "inbound_message"):
        assert _clear_in(_raw(runtime, table)) == [], table
    reg = latest(runtime)
    with runtime.db.transaction() as session:
        staff = add_staff(
            session,
            vault=runtime.vault,
            username="c",
            name="赵六",
            role=Role.COMMUNITY,
            area_code=COMMUNITY,
        )
        token = issue_token(session, staff)
    with TestClient(create_app(runtime.settings, runtime=runtime)) as client:
        view = client.get(
            f"/api/staff/registrations/{reg.id}", headers={"Authorization": f"Bearer {token}"}
        )
    assert view.status_code == 200 and "电焊证" in view.text
    assert _clear_in(view.text) == []
    with runtime.db.transaction() as session:
        env = Env(session, runtime.content, runtime.vault, utcnow())
        masked = build(env, COMMUNITY, unmasked=False, lang="zh-CN", actor="test")
        unmasked = build(env, COMMUNITY, unmasked=True, lang="zh-CN", actor="test")
    assert _clear_in(json.dumps(masked.rows, ensure_ascii=False, default=str)) == []
    assert OTHER_ID in json.dumps(
        unmasked.rows, ensure_ascii=False, default=str
    )  # kept, in the Vault


@pytest.mark.parametrize(
    ("prompted", "said"),
    [(True, OTHER_ID), (True, f"保安{OTHER_ID}"), (False, f"找工作 {OTHER_PHONE}")],
)
def test_search_for_an_id_or_phone_is_refused_not_kept_nor_repeated(
    runtime: Runtime, prompted: bool, said: str
) -> None:
    talk = Talk(runtime, user="resident-search")
    if prompted:
        talk.send("找工作")
    reply = talk.say(said)
    assert talk.ids() == ["jobs.personal"]
    assert _clear_in("\n".join(reply)) == []
    for table in ("conversation", "inbound_message", "opening_subscription"):
        assert _clear_in(_raw(runtime, table)) == [], table


def test_subscription_to_an_id_is_refused_and_not_stored(runtime: Runtime) -> None:
    talk = Talk(runtime, user="resident-subscribe")
    talk.send("订阅")
    reply = talk.say(OTHER_ID)
    assert talk.ids() == ["jobs.personal"] and _clear_in("\n".join(reply)) == []
    assert _clear_in(_raw(runtime, "opening_subscription")) == []


def test_an_id_typed_as_the_wanted_job_is_refused_not_kept(runtime: Runtime) -> None:
    talk = Talk(runtime, user="resident-job-id")
    fill_identity(talk, "job_seeker", id_number())
    talk.send(choice="r:edu:20")
    talk.send(choice="r:st:unemployed")
    talk.send(choice="r:skip")
    reply = talk.say(f"电焊 {OTHER_PHONE}")
    assert talk.ids()[0] == "registration.error.personal_in_job"
    assert _clear_in("\n".join(reply)) == []
    for table in ("conversation", "registration_draft", "inbound_message"):
        assert _clear_in(_raw(runtime, table)) == [], table
    talk.send("电焊")  # and the question goes on
    assert talk.ids() == ["registration.jobs.confirm"]
