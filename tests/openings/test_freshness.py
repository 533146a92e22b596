"""The search index follows imports made by another process, via the version in the database."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from core.openings.catalogue import Catalogue
from core.openings.importing import import_openings
from core.openings.rows import read_rows
from core.runtime import Runtime
from core.storage.db import Database
from tests.openings.conftest import NOW, ROWS


def _wait_for(check: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_import_by_another_process_reaches_this_index(
    runtime: Runtime, write_csv: Callable[..., Path]
) -> None:
    here = Catalogue(runtime.db, runtime.content.directory, check_every=0.0)
    assert here.index().search("保安", areas=runtime.content.areas, now=NOW).total == 0
    elsewhere = Database(runtime.db.url, schema=runtime.db.schema)  # another process's pool
    import_openings(elsewhere, runtime.content, read_rows(write_csv(ROWS)), now=NOW)
    elsewhere.dispose()

    def sees_it() -> bool:
        return here.index().search("保安", areas=runtime.content.areas, now=NOW).total == 1

    assert _wait_for(sees_it)


def test_unchanged_version_keeps_the_same_index(runtime: Runtime) -> None:
    here = Catalogue(runtime.db, runtime.content.directory, check_every=0.0)
    first = here.index()
    assert here.index() is first
