"""The search index over live openings, rebuilt when the openings' version changes.

Each process keeps its own index (a cache that is safe to lose). It checks the version in
the database at most once per ``check_every`` seconds and rebuilds in a background thread,
serving the previous index meanwhile, so an import by another process shows up within a
few seconds without slowing anyone's request. The live openings themselves are kept beside
the index, so a result list or an opening's details is shown without a query: the list
already comes from this snapshot, and its details are as fresh as the list.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlmodel import select

from core.content.areas import AreaTree
from core.matching.search import OpeningDoc, SearchIndex, SearchResult
from core.matching.vocabulary import Vocabulary, load_vocabulary
from core.openings.models import Opening
from core.openings.store import current_version
from core.storage.db import Database
from core.timeutil import utcnow

log = logging.getLogger(__name__)
RESULTS_KEPT = 1024  # remembered searches (a result page is a few hundred bytes)


@lru_cache(maxsize=4)
def vocabulary_for(content_dir: Path) -> Vocabulary:
    """Occupations + synonyms, loaded once per content directory."""
    return load_vocabulary(content_dir)


def doc(opening: Opening) -> OpeningDoc:
    return OpeningDoc(
        ref=opening.ref,
        title=opening.title,
        employer=opening.employer,
        area_code=opening.area_code,
        area_name=opening.area_name,
        posted_at=opening.posted_at,
        expires_at=opening.expires_at,
        tags=tuple(opening.tags),
        description=opening.description,
    )


class Catalogue:
    def __init__(
        self,
        db: Database,
        content_dir: Path,
        *,
        check_every: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db, self.content_dir, self.check_every, self.clock = (
            db,
            content_dir,
            check_every,
            clock,
        )
        self._index: SearchIndex | None = None
        self._openings: dict[str, Opening] = {}
        self._results: dict[tuple[object, ...], SearchResult] = {}
        self._results_of: SearchIndex | None = None
        self._version = -1
        self._checked = 0.0
        self._lock = threading.Lock()
        self._building = False

    def index(self) -> SearchIndex:
        """The freshest index available without waiting (waits only for the very first one)."""
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._rebuild()
            assert self._index is not None
            return self._index
        if time.monotonic() - self._checked >= self.check_every:
            self._maybe_refresh()
        return self._index

    def opening(self, ref: str) -> Opening | None:
        """The opening as of the index in use (None when it is not live there); callers
        must not change it."""
        self.index()
        return self._openings.get(ref)

    def search(
        self, query: str, *, areas: AreaTree, limit: int, offset: int, now: datetime
    ) -> SearchResult:
        """The index's search, remembered for the index in use and the current minute:
        返回 and 下一页 repeat a resident's query, and residents repeat each other's (保安,
        保洁, 司机). ``now`` counts to the minute, so an opening may be listed for up to a
        minute after it expired; opening it checks the exact time."""
        index = self.index()
        minute = now.replace(second=0, microsecond=0)
        if self._results_of is not index:
            self._results, self._results_of = {}, index
        key = (query, limit, offset, minute, id(areas))
        found = self._results.get(key)
        if found is None:
            found = index.search(query, areas=areas, limit=limit, offset=offset, now=minute)
            if len(self._results) >= RESULTS_KEPT:
                self._results.pop(next(iter(self._results)), None)  # the oldest
            self._results[key] = found
        return found

    def refresh_now(self) -> None:
        """Rebuilds synchronously (after an import in this process, and in tests)."""
        with self._lock:
            self._rebuild()

    def _maybe_refresh(self) -> None:
        self._checked = time.monotonic()
        with self.db.reading() as session:
            version = current_version(session)
        if version == self._version or self._building:
            return
        self._building = True
        threading.Thread(target=self._background, name="opening-index", daemon=True).start()

    def _background(self) -> None:
        try:
            with self._lock:
                self._rebuild()
        except Exception:
            log.exception("rebuilding the openings index failed; keeping the previous one")
        finally:
            self._building = False

    def _rebuild(self) -> None:
        now = self.clock()
        with self.db.reading() as session:
            version = current_version(session)
            rows = session.exec(select(Opening)).all()
            live = [o for o in rows if o.expires_at is None or o.expires_at > now]
            session.expunge_all()  # plain objects from here on, shared by every request
        index = SearchIndex.build([doc(o) for o in live], vocabulary_for(self.content_dir))
        self._index, self._openings = index, {o.ref: o for o in live}
        self._version, self._checked = version, time.monotonic()
