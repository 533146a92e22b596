"""A big import never holds the write lock for long: rows are staged in short transactions
(others write in between) and switched in at once (readers see all or nothing)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from core.delivery.scheduler import tick
from core.openings import store
from core.openings.importing import BATCH_ROWS, import_openings
from core.openings.models import Opening, OpeningImport, OpeningStaged, OpeningSubscription
from core.openings.notices import SubscriptionNotices
from core.openings.rows import UnreadableFile, read_rows
from core.runtime import Runtime
from core.storage.models import AuditEntry
from tests.openings.conftest import HEADER, NOW


def _rows(n: int) -> list[list[str]]:
    return [[f"M-{i}", "保洁员", "某物业", "历下区"] + [""] * 8 for i in range(n)]


def _count(runtime: Runtime, table: type) -> int:
    with runtime.db.reading() as session:
        return int(session.exec(select(func.count()).select_from(table)).one())


def test_others_write_between_batches_and_readers_see_nothing_until_the_switch(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    seen: list[tuple[int, int]] = []

    def meanwhile(done: int) -> None:
        # Another connection writes (SQLite: would wait for the lock and fail if the
        # import held it) and reads (must not see a half import).
        with runtime.db.transaction() as session:
            session.add(OpeningSubscription(channel="wechat", external_id=f"w-{done}", keyword="x"))
        seen.append((done, _count(runtime, Opening)))

    report = import_openings(
        runtime.db,
        runtime.content,
        read_rows(write_csv(_rows(BATCH_ROWS * 2 + 100))),
        now=NOW,
        progress=meanwhile,
    )
    assert report.applied and report.created == BATCH_ROWS * 2 + 100
    assert [done for done, _ in seen] == [BATCH_ROWS, BATCH_ROWS * 2, BATCH_ROWS * 2 + 100]
    assert {visible for _, visible in seen} == {0}
    assert _count(runtime, Opening) == BATCH_ROWS * 2 + 100
    assert _count(runtime, OpeningSubscription) == 3
    _sweep(runtime)
    assert _count(runtime, OpeningStaged) == 0


def _sweep(runtime: Runtime) -> None:
    """The worker deletes spent staged rows, a slice per tick."""
    for _ in range(5):
        tick(runtime.db, runtime.content, runtime.vault, [SubscriptionNotices()], NOW)


def test_a_file_that_breaks_off_midway_leaves_nothing_behind(
    runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "broken.csv"
    good = "\n".join(",".join(r) for r in _rows(BATCH_ROWS + 50))
    path.write_bytes((",".join(HEADER) + "\n" + good + "\n").encode() + b"X-1,\xff\xfe,a,b\n")
    with pytest.raises(UnreadableFile, match="not UTF-8"):
        import_openings(runtime.db, runtime.content, read_rows(path), now=NOW)
    assert _count(runtime, Opening) == 0
    with runtime.db.reading() as session:
        assert session.exec(select(OpeningImport.status)).all() == ["failed"]
        [entry] = session.exec(select(AuditEntry)).all()
    assert entry.action == "openings.import_failed" and "not UTF-8" in entry.detail
    _sweep(runtime)
    assert _count(runtime, OpeningStaged) == 0


def test_an_import_that_died_while_staging_is_swept_after_hours(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    def die(done: int) -> None:
        raise SystemExit  # stands in for kill -9: nothing after this line runs

    with pytest.raises(SystemExit):
        import_openings(
            runtime.db,
            runtime.content,
            read_rows(write_csv(_rows(BATCH_ROWS))),
            now=NOW,
            progress=die,
        )
    with runtime.db.transaction() as session:  # as if the process had died before marking
        session.exec(select(OpeningImport)).one().status = "staging"
    assert _count(runtime, OpeningStaged) == BATCH_ROWS
    _sweep(runtime)
    assert _count(runtime, OpeningStaged) == BATCH_ROWS  # it may still be running
    job = SubscriptionNotices()
    tick(runtime.db, runtime.content, runtime.vault, [job], NOW + job.stale + timedelta(minutes=1))
    _sweep(runtime)
    assert _count(runtime, OpeningStaged) == 0


def test_repeated_id_across_batches_is_found(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    rows = _rows(BATCH_ROWS + 10)
    rows.append(list(rows[3]))
    report = import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    assert not report.applied
    assert [(e.row, e.reason) for e in report.errors] == [
        (BATCH_ROWS + 11, "id 'M-3' repeats row 4")
    ]


def test_every_invalid_row_is_counted_the_first_are_listed(
    runtime: Runtime, write_csv: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_ERRORS_LISTED", 3)
    rows = [[f"E-{i}", "", "某物业", "历下区"] + [""] * 8 for i in range(10)]
    report = import_openings(runtime.db, runtime.content, read_rows(write_csv(rows)), now=NOW)
    assert report.invalid == 10 and [e.row for e in report.errors] == [1, 2, 3]


def test_reading_a_large_csv_holds_one_row_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "large.csv"
    line = ",".join(["L-{}", "保洁员", "某物业", "历下区", "", "", "", "长" * 2000] + [""] * 4)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(HEADER) + "\n")
        for i in range(6000):
            handle.write(line.format(i) + "\n")
    assert path.stat().st_size > 30 * 2**20
    tracemalloc.start()
    rows = read_rows(path)
    count = sum(1 for _ in rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 6000 and rows.position == rows.size
    assert peak < 2 * 2**20  # a few rows and buffers, not the 30 MiB file


def test_chat_is_answered_and_stored_between_the_batches_of_a_big_import(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    """A resident writes while a staff import runs: each message is answered from its own
    transaction between two batches (with the old one-transaction import the engine's
    write waited for the whole import, and on SQLite failed after the busy timeout)."""
    from core.dialog.messages import Incoming
    from core.storage.models import InboundMessage

    answered: list[int] = []

    def resident_writes(done: int) -> None:
        reply = runtime.engine.handle(
            Incoming(channel="wechat", user_id="o-resident", text="菜单", message_id=f"m{done}")
        )
        answered.append(len(reply.messages))

    report = import_openings(
        runtime.db,
        runtime.content,
        read_rows(write_csv(_rows(BATCH_ROWS * 4))),
        now=NOW,
        progress=resident_writes,
    )
    assert report.created == BATCH_ROWS * 4 and len(answered) == 4 and all(answered)
    assert _count(runtime, InboundMessage) == 4
