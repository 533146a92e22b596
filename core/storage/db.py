"""Database engine and the one-transaction-per-message unit of work."""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session


def normalise_url(url: str) -> str:
    """Picks psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


# The database cannot be reached or is busy: the platform should deliver the message again.
UNAVAILABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)

# How long a SQLite writer waits for another one before the database counts as busy
# (UNAVAILABLE). Short waits (a checkpoint, another process's message) pass unnoticed; a
# file held longer must fail inside WeChat's reply budget so the platform re-delivers.
SQLITE_BUSY_SECONDS = 3.0


def _sqlite_pragmas(busy_seconds: float) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Autocommit at the driver level so that our own BEGIN IMMEDIATE takes the write
        # lock up front; otherwise two writers deadlock upgrading from a read lock.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    return on_connect


def _sqlite_begin(conn: Any) -> None:
    # Readers (index builds, health checks) must not queue behind writers: in WAL mode a
    # deferred BEGIN reads a consistent snapshot while another connection writes.
    read_only = conn.get_execution_options().get("jobbot_read_only", False)
    statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
    # Straight on the driver: SQLAlchemy does not track BEGIN on SQLite either way, and
    # its execute machinery cost more than the BEGIN itself on every message.
    try:
        conn.connection.driver_connection.execute(statement)
    except sqlite3.Error as exc:
        # SQLAlchemy does not wrap what a "begin" listener raises: wrapped here, a busy
        # file ("database is locked") is an OperationalError, i.e. UNAVAILABLE, like an
        # unreachable PostgreSQL, instead of a bare driver error nobody handles.
        raise sa.exc.DBAPIError.instance(
            statement, None, exc, sqlite3.Error, hide_parameters=True
        ) from exc


def json_text(value: Any) -> str:
    """JSON columns as json.dumps writes them (keys that are not strings become strings),
    with orjson: a tenth of the time for a stored reply, a fifth for conversation state,
    which every message writes."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_JSON = {"json_serializer": json_text, "json_deserializer": orjson.loads}


def create_db_engine(
    url: str, *, schema: str | None = None, busy_seconds: float = SQLITE_BUSY_SECONDS
) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # A directory made here is the owner's only (the default is var/, beside the key).
            Path(parsed.database).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_seconds},
            hide_parameters=True,
            **_JSON,
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_seconds))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    connect_args: dict[str, Any] = {}
    if schema:
        connect_args["options"] = f"-csearch_path={schema}"
    return sa.create_engine(
        url,
        connect_args=connect_args,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        hide_parameters=True,  # error messages (and so logs) never carry personal data
        **_JSON,
    )


class Database:
    """Owns the engine; hands out sessions that commit once or not at all."""

    def __init__(
        self, url: str, *, schema: str | None = None, busy_seconds: float = SQLITE_BUSY_SECONDS
    ) -> None:
        self.url = normalise_url(url)
        self.schema = schema
        self.engine = create_db_engine(url, schema=schema, busy_seconds=busy_seconds)
        self._reader = self.engine.execution_options(jobbot_read_only=True)
        self._local = threading.local()  # the connection a thread keeps (``keeping``)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def joined(self) -> Iterator[tuple[sa.Connection, Session]]:
        """``transaction`` for the per-message hot path: the connection (for prepared
        statements) and a session on it, flushed before the commit. Skipping the session's
        own transaction bookkeeping saves a tenth of what a short message costs.

        Inside ``keeping`` the thread's connection is reused from one message to the next;
        inside ``keeping(group=True)`` the message is a savepoint of the thread's group
        transaction instead (see ``keeping``)."""
        local = self._local
        keep: bool = getattr(local, "keep", False)
        if keep and local.group:
            with self._in_group() as joined:
                yield joined
            return
        conn: sa.Connection | None = getattr(local, "conn", None) if keep else None
        if conn is None:
            conn = self.engine.connect()
            if keep:
                local.conn = conn
        try:
            with conn.begin():
                session = Session(bind=conn, expire_on_commit=False)
                try:
                    yield conn, session
                    if session.in_transaction():  # untouched (most steps): nothing to flush
                        session.flush()
                finally:
                    if session.in_transaction():
                        session.close()
        except BaseException:
            # A connection that failed (busy file, server gone) goes back to the pool, whose
            # pre-ping sorts out a dead one before anybody uses it again.
            if keep:
                local.conn = None
            conn.close()
            raise
        if not keep:
            conn.close()

    @contextmanager
    def keeping(self, group: bool = False) -> Iterator[Callable[[], None]]:
        """While inside, ``joined`` on this thread keeps its connection between messages.

        Taking a connection from the pool and giving it back cost as much as the rest of the
        transaction handling on SQLite, and on PostgreSQL the pool's pre-ping is a round trip
        to the server per message. The engine's lane holds this around a run of messages
        and lets go when it runs out of work, so an idle thread never holds a connection
        and the pre-ping still checks any connection that sat idle in the pool.

        ``group=True`` (SQLite's one writer): the messages of a run share one transaction,
        each in a savepoint of its own, so a failed message is rolled back alone, and the
        yielded ``commit`` makes the group durable. The holder calls it before it tells
        anybody what came of those messages; committing (and, with it, writing the
        write-ahead log) once per group instead of once per message was a fifth of a
        message's cost. Every other unit of work on this thread (``transaction``,
        ``reading``) joins the open group as a savepoint: a separate connection would wait
        for the write lock this thread holds, or not see the group's messages."""
        local = self._local
        local.keep, local.group = True, group and self.is_sqlite
        try:
            yield self._commit_group
        finally:
            local.keep = local.group = False
            try:
                self._end_group(commit=False)  # the holder commits; here only on a failure
            finally:
                conn, local.conn = getattr(local, "conn", None), None
                if conn is not None:
                    conn.close()

    def _commit_group(self) -> None:
        """Makes this thread's group durable; raises (the group rolled back) if it cannot."""
        self._end_group(commit=True)

    def _end_group(self, *, commit: bool) -> None:
        local = self._local
        outer: sa.RootTransaction | None = getattr(local, "outer", None)
        broken: BaseException | None = getattr(local, "broken", None)
        local.outer = local.broken = None
        if outer is None:
            return
        try:
            if commit and broken is None:
                outer.commit()
                return
            outer.rollback()
        except BaseException:
            self._drop_connection()
            raise
        if broken is not None and commit:
            self._drop_connection()
            raise broken

    def _drop_connection(self) -> None:
        conn, self._local.conn = getattr(self._local, "conn", None), None
        if conn is not None:
            conn.close()

    def _group_connection(self) -> sa.Connection:
        """This thread's group transaction, begun (``BEGIN IMMEDIATE``) on first use."""
        local = self._local
        if getattr(local, "broken", None) is not None:
            raise local.broken  # the rest of the group waits for its commit to fail
        conn: sa.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = self.engine.connect()
        if getattr(local, "outer", None) is None:
            try:
                local.outer = conn.begin()
            except BaseException:
                self._drop_connection()
                raise
        return conn

    @contextmanager
    def _in_group(self) -> Iterator[tuple[sa.Connection, Session]]:
        conn = self._group_connection()
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("SAVEPOINT jobbot_unit")
        # Its own savepoint too: a failed flush rolls back the session's work, never the
        # group (the default would roll back the connection's whole transaction).
        session = Session(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield conn, session
            if session.in_transaction():
                session.commit()  # releases the session's savepoint into the unit's
        except BaseException:
            try:
                session.close()
            finally:
                self._undo_unit(driver)
            raise
        driver.execute("RELEASE jobbot_unit")

    def _undo_unit(self, driver: Any) -> None:
        try:
            driver.execute("ROLLBACK TO jobbot_unit")
            driver.execute("RELEASE jobbot_unit")
        except sqlite3.Error as exc:
            # SQLite ended the whole transaction (a full disk, an I/O error): the group's
            # earlier messages are gone too, and its commit must say so.
            self._local.broken = sa.exc.DBAPIError.instance(
                "ROLLBACK TO jobbot_unit", None, exc, sqlite3.Error, hide_parameters=True
            )
            return
        if not driver.in_transaction:
            self._local.broken = sa.exc.OperationalError(
                "ROLLBACK TO jobbot_unit", None, sqlite3.OperationalError("transaction ended")
            )

    def _grouping(self) -> bool:
        local = self._local
        return bool(getattr(local, "keep", False) and getattr(local, "group", False))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back everything on any error."""
        if self._grouping():
            with self._in_group() as (_conn, session):
                yield session
            return
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; on SQLite it never waits for the write lock."""
        if self._grouping() and getattr(self._local, "outer", None) is not None:
            with self._in_group() as (_conn, session):
                yield session
            return
        with Session(self._reader, expire_on_commit=False) as session, session.begin():
            yield session

    def ping(self) -> None:
        """A read-only round trip: a health check never queues for SQLite's write lock."""
        with self._reader.connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def scratch_schema(url: str, prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL schema for one test run or benchmark, dropped afterwards."""
    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = sa.create_engine(normalise_url(url))
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
