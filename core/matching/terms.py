"""Matching one query token against the vocabulary's surface forms.

A *surface* is one normalised name, alias or synonym ("保安", "门卫", "网约配送员"). A token
is matched by exact hanzi substrings, by homophones (same toneless pinyin), and for Latin
input by full pinyin, pinyin prefix or initials; fuzzy scoring is the last resort.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from core.matching.normalize import HEAD_WORDS, compact, has_cjk, head_spans, is_ascii_query
from core.matching.pinyin import char_readings, pinyin_forms, reading_variants

MAX_SURFACE_LEN = 16
_PREFIX_LIMIT = 40
_PARTIAL_LIMIT = 12
_PARTIAL_COVERAGE = 0.4
_DISTINCTIVE_RATIO = 66.0  # one slip in three characters; two-character parts must agree
_NEAR_SYLLABLE = 80.0  # ji ~ jie, ca ~ cha, cu ~ chu; not huan ~ ruan, jing ~ jian
_HOMOPHONE_PART = 3  # shortest sound-alike window inside a longer token


@dataclass(frozen=True)
class TermMatch:
    surface: int  # index into TermTable.surfaces
    score: float  # 0..100: how sure we are the token means this surface


class TermTable:
    """Surface strings with pinyin look-ups; built once per vocabulary."""

    def __init__(self, surfaces: Sequence[str]) -> None:
        self.surfaces: tuple[str, ...] = tuple(surfaces)
        self.ids: dict[str, int] = {s: i for i, s in enumerate(self.surfaces)}
        forms = [pinyin_forms(s) for s in self.surfaces]
        self.pinyin: tuple[str, ...] = tuple(f.full for f in forms)
        self.initials: tuple[str, ...] = tuple(f.initials for f in forms)
        self.by_pinyin = _group(self.pinyin)
        self.by_initials = _group(self.initials)
        self._sorted_pinyin = sorted((p, i) for i, p in enumerate(self.pinyin) if p.isalpha())
        self._bigrams: dict[str, list[int]] = {}
        for i, surface in enumerate(self.surfaces):
            for gram in {surface[k : k + 2] for k in range(len(surface) - 1)}:
                self._bigrams.setdefault(gram, []).append(i)

    def match(self, token: str, prior: Sequence[int] | None = None) -> list[TermMatch]:
        """Surfaces the token may mean, best first. ``prior`` (per surface) breaks ties."""
        text = compact(token)
        if not text:
            return []
        found = _ascii_matches(self, text.lower(), prior) if is_ascii_query(text) else []
        if not found and has_cjk(text):
            found = _hanzi_matches(self, text)
            if text not in self.ids:
                found.extend(self._containing(text, prior))
        if not found:
            found = _fuzzy_matches(self, text)
        return _best_per_surface(found)

    def _containing(self, text: str, prior: Sequence[int] | None) -> list[TermMatch]:
        """Surfaces the token is a large part of (油漆 -> 油漆工): a partial job word."""
        if len(text) < 2:
            return []
        grams = [text[k : k + 2] for k in range(len(text) - 1)]
        pool = min((self._bigrams.get(g, []) for g in grams), key=len)
        found = [
            (len(text) / len(self.surfaces[s]), prior[s] if prior is not None else 0, s)
            for s in pool
            if text in self.surfaces[s] and len(text) / len(self.surfaces[s]) >= _PARTIAL_COVERAGE
        ]
        found.sort(reverse=True)
        return [TermMatch(s, 70 + 20 * coverage) for coverage, _p, s in found[:_PARTIAL_LIMIT]]

    def covered(self, token: str) -> list[bool]:
        """Per character of the (compacted) token, whether a known surface holds it exactly
        (淘宝客服 -> 客服 known: False, False, True, True)."""
        text = compact(token)
        out = [False] * len(text)
        for start, stop, _surface in _spans(self, text):
            out[start:stop] = [True] * (stop - start)
        return out

    def prefix_ids(self, prefix: str) -> list[int]:
        start = bisect.bisect_left(self._sorted_pinyin, (prefix, -1))
        out: list[int] = []
        for pinyin, surface in self._sorted_pinyin[start:]:
            if not pinyin.startswith(prefix):
                break
            out.append(surface)
        return out


def _group(keys: Sequence[str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if key:
            grouped.setdefault(key, []).append(i)
    return grouped


def _best_per_surface(matches: list[TermMatch]) -> list[TermMatch]:
    best: dict[int, TermMatch] = {}
    for m in matches:
        if m.surface not in best or m.score > best[m.surface].score:
            best[m.surface] = m
    return sorted(best.values(), key=lambda m: -m.score)


def _spans(table: TermTable, text: str) -> list[tuple[int, int, int]]:
    """Maximal exact surface occurrences (start, stop, surface) of length >= 2 in text; one
    that takes part of a head word is no occurrence (电工 in 强电工程师, 维修工 in
    设备维修工程师: the word there is 工程师)."""
    heads = head_spans(text)  # one-character heads (工) cannot be taken in part
    found: list[tuple[int, int, int]] = []
    for i in range(len(text)):
        for j in range(min(len(text), i + MAX_SURFACE_LEN), i + 1, -1):
            surface = table.ids.get(text[i:j])
            if surface is not None and not any(
                i < b and a < j and not (i <= a and b <= j) and not (a <= i and j <= b)
                for a, b in heads
            ):
                found.append((i, j, surface))
                break
    return [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o != f for o in found)]


def _hanzi_matches(table: TermTable, text: str) -> list[TermMatch]:
    n = len(text)
    exact = _spans(table, text)
    out = [TermMatch(s, 100.0 if j - i == n else 85 + 10 * (j - i) / n) for i, j, s in exact]
    forms = pinyin_forms(text)
    readings = char_readings(text)
    if len(forms.syllables) != n or len(readings) != n:
        return out
    held = [any(a <= k < b for a, b, _s in exact) for k in range(n)]
    if all(held[k] for k in range(len(distinctive_part(text)))):
        return out  # known words hold every distinctive character (报关员 is not 保管员)
    for i, j in _free_windows(n, exact):
        if j - i < min(n, _HOMOPHONE_PART):
            continue  # two characters inside a longer word are too often a real word (施工)
        base = 92.0 if j - i == n else 78 + 10 * (j - i) / n
        usual = forms.window(i, j)
        for spelling in dict.fromkeys([usual, *reading_variants(readings, i, j)]):
            penalty = 0.0 if spelling == usual else 3.0
            for surface in table.by_pinyin.get(spelling, ()):
                out.append(TermMatch(surface, base - penalty))
    return out


def _free_windows(n: int, exact: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """Windows of >= 2 characters that are not (part of) an exact match, longest first.

    A window may contain an exact match whole: 家正服务员 holds 服务员 but reads jiazhengfuwuyuan.
    """
    return [
        (i, j)
        for length in range(min(n, MAX_SURFACE_LEN), 1, -1)
        for i in range(n - length + 1)
        for j in (i + length,)
        if all(j <= a or b <= i or (i <= a and b <= j and (i, j) != (a, b)) for a, b, _ in exact)
    ]


def _ascii_matches(table: TermTable, text: str, prior: Sequence[int] | None) -> list[TermMatch]:
    out: list[TermMatch] = []
    if text in table.ids:
        out.append(TermMatch(table.ids[text], 100.0))
    out.extend(TermMatch(s, 98.0) for s in table.by_pinyin.get(text, ()))
    if 2 <= len(text) <= 5 and text.isalpha():
        out.extend(_ranked(table.by_initials.get(text, ()), prior, low=80.0, high=90.0))
    if len(text) >= 3 and text.isalpha():
        prefixed = [s for s in table.prefix_ids(text) if table.pinyin[s] != text]
        for m in _ranked(prefixed, prior, low=0.0, high=4.0)[:_PREFIX_LIMIT]:
            coverage = len(text) / len(table.pinyin[m.surface])
            out.append(TermMatch(m.surface, 72 + 18 * coverage + m.score))
    return out


def _ranked(
    surfaces: Sequence[int], prior: Sequence[int] | None, *, low: float, high: float
) -> list[TermMatch]:
    """Score surfaces between low and high by their prior (e.g. how many openings use them)."""
    if not surfaces:
        return []
    weights = [prior[s] if prior is not None else 0 for s in surfaces]
    top = max(weights) or 1
    scored = [
        TermMatch(s, low + (high - low) * w / top) for s, w in zip(surfaces, weights, strict=True)
    ]
    return sorted(scored, key=lambda m: -m.score)


def distinctive_part(text: str) -> str:
    """The text without the generic head words it ends with (售前工程师 -> 售前)."""
    stripped = True
    while stripped:
        stripped = False
        for head in HEAD_WORDS:
            if len(text) > len(head) and text.endswith(head):
                text, stripped = text[: -len(head)], True
                break
    return text


def _same_job_part(text: str, surface: str, pinyin: bool) -> bool:
    """A fuzzy match must be a slip in the part that names the job, not a shared head word:
    环境工程师 is not 软件工程师, 网站管理员 is not 网格管理员."""
    mine, theirs = distinctive_part(text), distinctive_part(surface)
    if pinyin:  # every syllable a near sound (保吉 bao ji ~ 保洁 bao jie, 擦车 ~ 叉车), not
        # merely similar letters over the word (强电 qiang dian is not 硬件 ying jian)
        a, b = pinyin_forms(mine).syllables, pinyin_forms(theirs).syllables
        return len(a) == len(b) > 0 and all(
            fuzz.ratio(x, y) >= _NEAR_SYLLABLE for x, y in zip(a, b, strict=True)
        )
    return fuzz.ratio(mine, theirs) >= _DISTINCTIVE_RATIO


def _fuzzy_matches(table: TermTable, text: str) -> list[TermMatch]:
    out: list[TermMatch] = []
    if has_cjk(text) and len(text) >= 3:
        for _s, score, surface in process.extract(
            text, table.surfaces, scorer=fuzz.ratio, score_cutoff=75, limit=5
        ):
            if _same_job_part(text, table.surfaces[surface], pinyin=False):
                out.append(TermMatch(surface, score * 0.9))
    query_pinyin = pinyin_forms(text).full
    if len(query_pinyin) >= 5:
        cutoff = 80 if len(query_pinyin) >= 6 else 86
        cjk = has_cjk(text)
        for _p, score, surface in process.extract(
            query_pinyin, table.pinyin, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
        ):
            if not cjk or _same_job_part(text, table.surfaces[surface], pinyin=True):
                out.append(TermMatch(surface, score * 0.88))
    return out
