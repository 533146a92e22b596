"""Prepared hot-path statements send and read exactly what the ORM would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from core.storage.db import Database
from core.storage.models import Conversation, OutboxMessage
from core.storage.prepared import Prepared, driver_connection

_CONV = Conversation.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
WHEN = datetime(2026, 11, 26, 8, 30, 15, 123456, tzinfo=UTC)
BEIJING = timezone(timedelta(hours=8))


def _insert() -> sa.Insert:
    names = ("channel", "external_id", "lang", "data", "history", "last_options")
    return _CONV.insert().values(
        {n: sa.bindparam(n, type_=_CONV.c[n].type) for n in (*names, "reachable")}
        | {n: sa.bindparam(n, type_=_CONV.c[n].type) for n in ("created_at", "updated_at")}
    )


def test_values_written_by_a_prepared_statement_read_back_through_the_orm(db: Database) -> None:
    with db.engine.begin() as conn:
        Prepared(_insert(), conn.dialect).run(
            driver_connection(conn),
            {
                "channel": "wechat",
                "external_id": "o-1",
                "lang": "zh-CN",
                "data": {"关键词": "保安", "page": 2},
                "history": ["start"],
                "last_options": [["m:jobs", "找工作"]],
                "reachable": False,
                "created_at": WHEN,
                "updated_at": WHEN.astimezone(BEIJING),
            },
        )
    with db.transaction() as session:
        row = session.exec(select(Conversation)).one()
    assert row.data == {"关键词": "保安", "page": 2}
    assert row.last_options == [["m:jobs", "找工作"]]
    assert row.reachable is False
    assert row.created_at == WHEN and row.updated_at == WHEN  # stored as UTC either way


def test_a_prepared_select_reads_what_the_orm_wrote(db: Database) -> None:
    with db.transaction() as session:
        session.add(
            Conversation(
                channel="telegram",
                external_id="42",
                data={"step": "问"},
                reachable=True,
                last_inbound_at=WHEN,
            )
        )
    statement = sa.select(_CONV).where(_CONV.c.external_id == sa.bindparam("who"))
    with db.engine.begin() as conn:
        found = Prepared(statement, conn.dialect).first(driver_connection(conn), {"who": "42"})
        missing = Prepared(statement, conn.dialect).first(driver_connection(conn), {"who": "x"})
    assert found is not None and missing is None
    assert found["data"] == {"step": "问"}
    assert found["reachable"] is True
    assert found["last_inbound_at"] == WHEN and found["last_inbound_at"].tzinfo is not None


def test_literal_values_inside_a_statement_are_sent(db: Database) -> None:
    statement = sa.select(sa.func.count()).where(
        _OUTBOX.c.status == "held", _OUTBOX.c.recipient == sa.bindparam("who")
    )
    with db.engine.begin() as conn:
        prepared = Prepared(statement, conn.dialect)
        assert prepared.fixed == {"status_1": "held"}
        row = prepared.first(driver_connection(conn), {"who": "o-1"})
    assert row is not None and list(row.values()) == [0]


def test_a_naive_datetime_is_refused_as_by_the_orm(db: Database) -> None:
    with db.engine.begin() as conn, pytest.raises(ValueError, match="naive"):
        Prepared(_insert(), conn.dialect).run(
            driver_connection(conn),
            {
                "channel": "wechat",
                "external_id": "o-2",
                "lang": "zh-CN",
                "data": {},
                "history": [],
                "last_options": [],
                "reachable": True,
                "created_at": datetime(2026, 11, 26, 8, 0),
                "updated_at": WHEN,
            },
        )


def test_a_driver_error_arrives_as_sqlalchemys_integrity_error(db: Database) -> None:
    row = {
        "channel": "wechat",
        "external_id": "o-3",
        "lang": "zh-CN",
        "data": {},
        "history": [],
        "last_options": [],
        "reachable": True,
        "created_at": WHEN,
        "updated_at": WHEN,
    }
    with db.engine.begin() as conn:
        Prepared(_insert(), conn.dialect).run(driver_connection(conn), row)
    with pytest.raises(sa.exc.IntegrityError) as raised, db.engine.begin() as conn:
        Prepared(_insert(), conn.dialect).run(driver_connection(conn), row)
    # Error messages reach logs: SQLAlchemy adds no values to them (PostgreSQL's own DETAIL
    # line may name the key; the log filter masks personal data in it).
    assert "parameters hidden" in str(raised.value)
    with db.transaction() as session:
        assert len(session.exec(select(Conversation)).all()) == 1


def test_orm_errors_do_not_carry_the_parameters_either(db: Database) -> None:
    def add() -> None:
        with db.transaction() as session:
            session.add(Conversation(channel="wechat", external_id="o-13800138000"))

    add()
    with pytest.raises(sa.exc.IntegrityError) as raised:
        add()
    assert "parameters hidden" in str(raised.value)


def test_json_columns_store_what_json_dumps_would(db: Database) -> None:
    """The fast JSON codec keeps json.dumps' meaning: non-string keys become strings."""
    probe = sa.Table(
        "json_probe",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("value", sa.JSON),
    )
    probe.create(db.engine)
    try:
        value = {"保安": [1, 2.5, None, True], 3: {"note": "全角，标点。"}}
        with db.engine.begin() as conn:
            conn.execute(probe.insert().values(id=1, value=value))
            stored = conn.execute(sa.select(probe.c.value)).scalar_one()
        assert stored == json.loads(json.dumps(value))
    finally:
        probe.drop(db.engine)
