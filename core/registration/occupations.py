"""Desired jobs in the resident's words, mapped to occupations of 《职业分类大典》(2022)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.matching import Vocabulary, VocabularyError, load_vocabulary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suggestion:
    code: str
    name: str


@lru_cache(maxsize=4)
def vocabulary(content_dir: Path) -> Vocabulary | None:
    """Loaded once per content directory; None (words kept as said) if it cannot load."""
    try:
        return load_vocabulary(content_dir)
    except (VocabularyError, OSError):
        log.exception("occupation vocabulary did not load; job wishes are kept as typed")
        return None


def suggest(content_dir: Path, text: str, limit: int = 5) -> list[Suggestion]:
    found = vocabulary(content_dir)
    if found is None:
        return []
    return [Suggestion(m.code, m.name) for m in found.match_occupations(text, limit=limit)]
