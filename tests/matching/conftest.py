"""Fixtures for the search engine tests: the real vocabulary and a tiny fake area lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from core.matching import OpeningDoc, SearchIndex, Vocabulary, load_vocabulary

CONTENT = Path(__file__).resolve().parents[2] / "content"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

JINAN, LIXIA, LIXIA_JIEFANGLU = "370100000000", "370102000000", "370102001000"
QINGDAO, SHINAN = "370200000000", "370202000000"


class FakeAreas:
    """A few Shandong names with 12-digit codes; containment by code prefix."""

    NAMES: ClassVar[dict[str, str]] = {
        "济南市": JINAN,
        "济南": JINAN,
        "历下区": LIXIA,
        "历下": LIXIA,
        "解放路街道": LIXIA_JIEFANGLU,
        "解放路": LIXIA_JIEFANGLU,
        "青岛市": QINGDAO,
        "青岛": QINGDAO,
        "市南区": SHINAN,
        "市南": SHINAN,
    }

    def find_in_text(self, text: str) -> tuple[list[str], str]:
        codes: list[str] = []
        for name in sorted(self.NAMES, key=len, reverse=True):
            if name in text:
                codes.append(self.NAMES[name])
                text = text.replace(name, " ")
        return codes, text

    def contains(self, ancestor_code: str, code: str) -> bool:
        prefix = {JINAN: "3701", QINGDAO: "3702", LIXIA: "370102", SHINAN: "370202"}
        return code.startswith(prefix.get(ancestor_code, ancestor_code))


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return load_vocabulary(CONTENT)


@pytest.fixture
def areas() -> FakeAreas:
    return FakeAreas()


def opening(
    ref: str,
    title: str,
    area_code: str | None = LIXIA,
    *,
    age_days: int = 10,
    expires_in_days: int = 30,
    tags: tuple[str, ...] = (),
) -> OpeningDoc:
    return OpeningDoc(
        ref=ref,
        title=title,
        employer="济南某物业服务有限公司",
        area_code=area_code,
        area_name="",
        posted_at=NOW - timedelta(days=age_days),
        expires_at=NOW + timedelta(days=expires_in_days),
        tags=tags,
    )


@pytest.fixture
def build(vocabulary: Vocabulary) -> Callable[[Iterable[OpeningDoc]], SearchIndex]:
    def make(docs: Iterable[OpeningDoc]) -> SearchIndex:
        return SearchIndex.build(docs, vocabulary)

    return make
