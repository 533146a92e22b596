"""Statements of the per-message hot path, compiled once and run on the driver's cursor.

SQLAlchemy's ``Connection.execute`` spends 40-70 µs per statement on cache keys, events
and result wrapping; the engine runs five statements per message, which was a third of
the CPU a WeChat message cost. A ``Prepared`` statement is still written with SQLAlchemy
and converts values with the columns' own types (``TypeEngine.dialect_impl`` and its bind
and result processors, all public API), so SQLite and PostgreSQL see exactly what the
ORM would send; it only skips the per-call machinery. It runs inside the caller's
transaction, on the same DBAPI connection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


class Prepared:
    def __init__(self, statement: sa.ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self._driver_error: type[Exception] = dialect.loaded_dbapi.Error
        self.sql = compiled.string
        # Each parameter under the name it has in the SQL (anonymous ones become "status_1").
        binds = {name: bind for bind, name in compiled.bind_names.items()}
        # Positional drivers (sqlite3's qmark) take values in this order; others a dict.
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if dialect.positional else None
        )
        self.binds: dict[str, Processor] = {
            name: _bind(bind.type, dialect) for name, bind in binds.items()
        }
        # Values written into the statement itself (``status == "held"``).
        self.fixed = {name: bind.value for name, bind in binds.items() if not bind.required}
        # What ``execute`` walks: each name the driver takes (in order, for a positional
        # driver) with its processor, so the values are converted straight into what the
        # driver is given.
        self._plan = tuple(
            (name, self.binds[name]) for name in (self.order if self.order is not None else binds)
        )
        columns: Sequence[sa.ColumnElement[Any]] = (
            list(statement.selected_columns) if isinstance(statement, sa.Select) else []
        )
        self.names = tuple(str(c.key) for c in columns)
        self.results: tuple[Processor, ...] = tuple(_result(c.type, dialect) for c in columns)

    def execute(self, dbapi_conn: Any, params: Mapping[str, Any]) -> Any:
        given = {**self.fixed, **params} if self.fixed else params
        values: list[Any] | dict[str, Any]
        if self.order is not None:
            values = [given[n] if p is None else p(given[n]) for n, p in self._plan]
        else:
            values = {n: given[n] if p is None else p(given[n]) for n, p in self._plan}
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(self.sql, values)
        except self._driver_error as exc:
            cursor.close()
            # As SQLAlchemy would raise it (IntegrityError, OperationalError …), so callers
            # handle one family of errors whichever path ran the statement.
            raise sa.exc.DBAPIError.instance(
                self.sql, values, exc, self._driver_error, hide_parameters=True
            ) from exc
        return cursor

    def first(self, dbapi_conn: Any, params: Mapping[str, Any]) -> dict[str, Any] | None:
        """The first row as a dict keyed by column name, values converted by their types."""
        cursor = self.execute(dbapi_conn, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return {
            name: value if proc is None or value is None else proc(value)
            for name, proc, value in zip(self.names, self.results, row, strict=True)
        }

    def run(self, dbapi_conn: Any, params: Mapping[str, Any]) -> int:
        """Runs a write; returns the number of rows it touched."""
        cursor = self.execute(dbapi_conn, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()


def _bind(type_: sa.types.TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).bind_processor(dialect)


def _result(type_: sa.types.TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).result_processor(dialect, None)


class PreparedSet:
    """Statements compiled on first use for each dialect they run on."""

    def __init__(self, **statements: sa.ClauseElement) -> None:
        self._statements = statements
        self._compiled: dict[tuple[str, str], Prepared] = {}

    def get(self, name: str, dialect: Dialect) -> Prepared:
        key = (name, dialect.name)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = Prepared(self._statements[name], dialect)
        return found


def driver_connection(conn: sa.Connection) -> Any:
    """The DBAPI connection under ``conn`` (in ``conn``'s transaction)."""
    return conn.connection.driver_connection
