"""The vocabulary-free layer: character unigram + bigram BM25 over several fields.

Every opening is a document with fields (title, tags, employer, description), each with a
weight. A query's characters and character pairs are scored with BM25 per field and summed,
so a word the vocabulary does not know (皮肤科, 生信, C1, 包吃住) still finds and ranks the
openings that carry it, and rare characters count more than common ones. Generic head words
(主管, 经理, 员, 工 …) are down-weighted on the query side: they say what kind of post it is,
not which job.

Built with numpy in a few vectorised passes (a sorted key array per field, CSR postings), so
100k openings index in about a second and a query touches only the postings of its grams.
The score is returned normalised by what a title equal to the query would score (0..1), so
the search can blend it with the vocabulary layer's 0..100 qualities and apply one threshold.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import cast

import numpy as np
import numpy.typing as npt

from core.matching.normalize import fold_chars, generic_positions, head_spans, normalize_text

K1 = 1.2
B = 0.75
_SHIFT = 21  # code points fit 21 bits: bigram key = first << 21 | second (>= 1 << 21)
_DOC_BITS = 21  # up to 2M openings per index
MAX_DOCS = 1 << _DOC_BITS
HEAD_WEIGHT = 0.3
PAIR_FIELD_WEIGHT = 0.5  # fields from this weight up (title, tags) count for shared pairs
CHAR_FIELD_WEIGHT = 0.3  # ... and these (title, tags, employer) for shared characters

FloatArray = npt.NDArray[np.float32]


def release_memory() -> None:
    """Hand the build's freed temporaries back to the OS (glibc keeps them otherwise).

    The build's sort temporaries are large and short-lived; once freed, glibc raises its
    mmap threshold and keeps later ones on the heap, so a server holding the index would
    carry ~150 MB of free heap at 100k openings. ``malloc_trim`` returns it; where the C
    library has no such call this does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (OSError, AttributeError):
        return None


@lru_cache(maxsize=50_000)
def fold(text: str) -> str:
    """Width, script and case folded; punctuation as single spaces (no decoration removed)."""
    return normalize_text(text)


_TABLE_SIZE = 0x10000


@cache
def _tables() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Per BMP code point: its folded code point (NFKC where that is one character,
    traditional -> simplified, lower case), and whether a folded one is part of a word
    (letters, digits, hanzi). Built once, on the first index build (about 0.1 s)."""
    fold_to = np.arange(_TABLE_SIZE, dtype=np.int64)
    word = np.zeros(_TABLE_SIZE, dtype=np.bool_)
    for cp in range(_TABLE_SIZE):
        ch = chr(cp)
        folded = fold_chars(ch) if cp >= 0x80 else ch.lower()
        if len(folded) == 1:
            fold_to[cp] = ord(folded)
        word[cp] = ch.isalnum()
    return fold_to, word


def _code_points(texts: Sequence[str], limit: int | None) -> npt.NDArray[np.int64]:
    """The texts folded (see ``_tables``) as code points, punctuation and spaces as 0, each
    text followed by a 0 of its own; one vectorised pass over the joined texts."""
    fold_to, word = _tables()
    joined = "".join(f"{t[:limit] if limit else t}\x00" for t in texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    bmp = cps < _TABLE_SIZE
    cps[bmp] = fold_to[cps[bmp]]
    ends = np.zeros(len(cps), dtype=np.bool_)
    sizes = np.fromiter((len(t[:limit] if limit else t) + 1 for t in texts), np.int64, len(texts))
    ends[np.cumsum(sizes) - 1] = True
    cps[~ends & bmp & ~word[np.minimum(cps, _TABLE_SIZE - 1)]] = 0
    cps[ends] = -1
    return cps


def query_grams(text: str) -> dict[int, float]:
    """Gram keys of a (folded) query with their weights; head and seniority words weigh
    HEAD_WEIGHT."""
    return _query_grams(text)[0]


def _query_grams(text: str) -> tuple[dict[int, float], set[int], list[frozenset[int]]]:
    """``query_grams``, the distinctive keys (characters outside head and seniority words,
    and pairs of two such characters) and, per head word of two or more characters, its
    pairs (管理员: 管理 and 理员; 护理员 holds 理员 but not 管理员)."""
    weights: dict[int, float] = {}
    distinct: set[int] = set()
    heads: list[frozenset[int]] = []
    for part in text.split():
        generic = generic_positions(part)
        for start, stop in head_spans(part):
            word = part[start:stop]
            heads.append(frozenset((ord(a) << _SHIFT) | ord(b) for a, b in pairwise(word)))
        for i, ch in enumerate(part):
            weight = HEAD_WEIGHT if generic[i] else 1.0
            key = ord(ch)
            weights[key] = max(weights.get(key, 0.0), weight)
            if not generic[i]:
                distinct.add(key)
            if i + 1 < len(part):
                pair = (ord(ch) << _SHIFT) | ord(part[i + 1])
                both = HEAD_WEIGHT if generic[i] and generic[i + 1] else 1.0
                weights[pair] = max(weights.get(pair, 0.0), both)
                if not generic[i] and not generic[i + 1]:
                    distinct.add(pair)
    return weights, distinct, heads


@dataclass
class _Field:
    """One field's postings: sorted gram keys, CSR offsets, documents and BM25 parts."""

    weight: float
    keys: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    docs: npt.NDArray[np.int32]
    parts: FloatArray  # weight * tf*(k1+1)/(tf + k1*(1-b+b*len/avg)), idf applied at query
    idf: FloatArray
    avg_len: float

    @classmethod
    def build(cls, weight: float, texts: Sequence[str], limit: int | None) -> _Field:
        n = len(texts)
        cps = _code_points(texts, limit)
        ends = cps < 0  # the mark after every text
        owner: npt.NDArray[np.int64] = np.cumsum(ends) - ends  # the text of each code point
        cps[ends] = 0
        chars = cps != 0
        pairs = chars[:-1] & chars[1:]
        keys = np.concatenate([cps[chars], (cps[:-1][pairs] << _SHIFT) | cps[1:][pairs]])
        owners = np.concatenate([owner[chars], owner[:-1][pairs]])
        combined, tf = np.unique((keys << _DOC_BITS) | owners, return_counts=True)
        del keys, owners
        gram = combined >> _DOC_BITS
        docs = (combined & (MAX_DOCS - 1)).astype(np.int32)
        doc_len = np.bincount(owner[chars], minlength=n).astype(np.float32)
        avg = float(doc_len.mean()) if n and doc_len.any() else 1.0
        tf32 = tf.astype(np.float32)
        norm = K1 * (1 - B + B * doc_len[docs] / avg)
        parts = (weight * tf32 * (K1 + 1) / (tf32 + norm)).astype(np.float32)
        first = np.concatenate(([0], np.flatnonzero(gram[1:] != gram[:-1]) + 1))
        unique_keys = gram[first] if len(gram) else gram
        starts = np.append(first, len(gram)).astype(np.int64)
        df = np.diff(starts).astype(np.float64)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        return cls(weight, unique_keys, starts, docs, parts, idf, avg)

    def lookup(self, key: int) -> int:
        """Position of a gram key, or -1."""
        at = int(np.searchsorted(self.keys, key))
        return at if at < len(self.keys) and int(self.keys[at]) == key else -1

    def unseen_idf(self, n: int) -> float:
        return math.log1p((n + 0.5) / 0.5)


class LexicalIndex:
    """BM25 over character unigrams and bigrams of weighted fields (see the module docstring)."""

    def __init__(self, fields: Sequence[_Field], size: int) -> None:
        self.fields = tuple(fields)
        self.size = size

    @classmethod
    def build(
        cls, fields: Sequence[tuple[float, Sequence[str], int | None]], size: int
    ) -> LexicalIndex:
        """``fields``: (weight, one text per document, characters kept or None)."""
        if size >= MAX_DOCS:
            raise ValueError(f"the lexical index holds at most {MAX_DOCS - 1} documents")
        return cls([_Field.build(w, texts, limit) for w, texts, limit in fields], size)

    def char_idf(self, char: str) -> float:
        """How rare a (folded) character is among titles; 0 when no title has it."""
        if not self.fields:
            return 0.0
        title = self.fields[0]
        at = title.lookup(ord(fold(char)[:1] or " "))
        return float(title.idf[at]) if at >= 0 else 0.0

    def scores(self, query: str) -> FloatArray | None:
        """Per document, the BM25 score over a title equal to the query (0..1); None when the
        query has no grams."""
        found = self.match(query)
        return None if found is None else found.coverage

    def match(self, query: str, core: str = "") -> LexicalMatch | None:
        """Coverage of the whole query, and of its ``core`` (the job words, without extra
        words such as 包吃住 that should raise openings but not make them answers)."""
        grams = _query_grams(fold(query))[0]
        if not grams or not self.fields or self.size == 0:
            return None
        core_weights, distinct, head_words = _query_grams(fold(core or query))
        core_grams = {k: grams[k] for k in core_weights if k in grams} or grams
        if not core_grams.keys() & core_weights.keys():
            _weights, distinct, head_words = _query_grams(fold(query))
        head_pairs: dict[int, npt.NDArray[np.bool_]] = {
            key: np.zeros(self.size, dtype=np.bool_) for word in head_words for key in word
        }
        distinctive = {key for key in core_grams if key >> _SHIFT and key in distinct}
        singles = {key for key in core_grams if not key >> _SHIFT and key in distinct}
        split = len(core_grams) < len(grams)
        pairs = np.zeros(self.size, dtype=np.bool_)
        chars = np.zeros(self.size, dtype=np.uint8)
        out = np.zeros(self.size, dtype=np.float32)
        core_out = np.zeros(self.size, dtype=np.float32) if split else out
        title = self.fields[0]
        ideal = core_ideal = 0.0
        for key, weight in grams.items():
            gram_idf = 0.0  # as in titles; else as in the field that has it; else unseen
            in_core = key in core_grams
            has = np.zeros(self.size, dtype=np.bool_) if key in singles else None
            for field in self.fields:
                at = field.lookup(key)
                if at < 0:
                    continue
                idf = float(field.idf[at])
                if field is title or gram_idf == 0.0:
                    gram_idf = idf
                lo, hi = int(field.starts[at]), int(field.starts[at + 1])
                docs, gained = field.docs[lo:hi], (idf * weight) * field.parts[lo:hi]
                out[docs] += gained
                if split and in_core:
                    core_out[docs] += gained
                if field.weight >= PAIR_FIELD_WEIGHT:
                    if key in distinctive:
                        pairs[docs] = True
                    elif key in head_pairs:
                        head_pairs[key][docs] = True
                if has is not None and field.weight >= CHAR_FIELD_WEIGHT:
                    has[docs] = True
            if has is not None:
                chars += has
            if gram_idf == 0.0:
                gram_idf = title.unseen_idf(self.size)
            ideal += weight * gram_idf * title.weight
            core_ideal += weight * gram_idf * title.weight if in_core else 0.0
        if ideal <= 0:
            return None
        coverage = _normalised(out, ideal * _ideal_tf(query, title))
        need = min(2, len(singles))
        if split:
            core_coverage = _normalised(core_out, core_ideal * _ideal_tf(core, title))
        else:
            core_coverage = coverage
        heads = np.zeros(self.size, dtype=np.bool_)
        for word in head_words:  # every pair of the head word: the whole word is shared
            heads |= np.logical_and.reduce([head_pairs[key] for key in word])
        return LexicalMatch(coverage, core_coverage, pairs, chars >= need, chars >= 1, heads)


@dataclass(frozen=True)
class LexicalMatch:
    coverage: FloatArray  # per document, 0..1 of what a title equal to the query scores
    core: FloatArray  # the same for the query's job words alone
    pairs: npt.NDArray[np.bool_]  # title or tags share a distinctive pair with the job words
    # title, tags or employer hold two distinctive characters of the job words (one when
    # they have only one): a single shared character (会 of 会计 in 会议) is not enough
    chars: npt.NDArray[np.bool_]
    shared: npt.NDArray[np.bool_]  # ... hold at least one distinctive character of them
    heads: npt.NDArray[np.bool_]  # title or tags share a head word of two or more characters


def _ideal_tf(text: str, title: _Field) -> float:
    """The BM25 term-frequency part of a title as long as ``text`` holding each gram once."""
    return (K1 + 1) / (1 + K1 * (1 - B + B * len(fold(text)) / title.avg_len))


def _normalised(scores: FloatArray, ideal: float) -> FloatArray:
    if ideal > 0:
        scores /= ideal
    np.minimum(scores, 1.0, out=scores)
    return scores
