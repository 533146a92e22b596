"""UTCDateTime's quick SQLite conversions store and read exactly what SQLAlchemy's own would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import TypeDecorator

from core.storage.models import UTCDateTime

BEIJING = timezone(timedelta(hours=8))
SOME = [
    datetime(2026, 11, 26, 8, 30, 15, 123456, tzinfo=UTC),
    datetime(2026, 11, 26, 8, 30, 15, tzinfo=UTC),  # no microseconds
    datetime(2027, 1, 1, 7, 59, 59, 999999, tzinfo=BEIJING),  # the day before in UTC
    datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC),  # a year of three digits
]


def _both(dialect: sqlite.dialect) -> tuple[object, object, object, object]:
    impl = UTCDateTime().dialect_impl(dialect)
    return (
        impl.bind_processor(dialect),
        impl.result_processor(dialect, None),
        TypeDecorator.bind_processor(impl, dialect),  # the general way, for comparison
        TypeDecorator.result_processor(impl, dialect, None),
    )


@pytest.mark.parametrize("value", SOME)
def test_sqlite_text_and_value_read_back_as_sqlalchemy_would(value: datetime) -> None:
    fast_bind, fast_result, bind, result = _both(sqlite.dialect())
    stored = fast_bind(value)  # type: ignore[operator]
    assert stored == bind(value)  # type: ignore[operator]
    read = fast_result(stored)  # type: ignore[operator]
    assert read == result(stored) == value  # type: ignore[operator]
    assert read.tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-11-26 08:30:15", "2026-11-26", "2026-11-26 08:30:15.5"])
def test_sqlite_text_of_another_shape_is_read_by_sqlalchemys_parser(text: str) -> None:
    _, fast_result, _, result = _both(sqlite.dialect())
    assert fast_result(text) == result(text)  # type: ignore[operator]


def test_naive_datetimes_are_refused_everywhere() -> None:
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        impl = UTCDateTime().dialect_impl(dialect)
        bind = impl.bind_processor(dialect)
        assert bind is not None
        with pytest.raises(ValueError, match="naive"):
            bind(datetime(2026, 1, 1))
