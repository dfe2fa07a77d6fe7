"""Telling reprints apart: a title key, a body SimHash, and when two items are one story.

CPPCC news travels national → provincial → municipal and through aggregators;
the same story appears under many URLs. Copies are tied by, in order: an
explicit original link, the same normalized title within a few days, or a
near-duplicate body (SimHash over character 3-grams, Hamming distance ≤ 3).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

WINDOW_DAYS = 3
MAX_DISTANCE = 4
UNRELATED = 20  # same title but bodies this far apart: two events, not one story
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
MIN_BODY = 80


def title_key(title: str) -> str:
    """Title without spaces, punctuation or case: "“融”“荣”与共 同心同行" and "融荣与共同心同行" meet."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title)).lower()


def simhash(text: str) -> int | None:
    """64-bit SimHash of a body's character 3-grams; ``None`` when the body is too short to judge."""
    text = _NOT_WORD.sub("", text)
    if len(text) < MIN_BODY:
        return None
    text = text[:4000]
    grams = {text[i : i + 3] for i in range(len(text) - 2)}
    rows = [format(int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "big"),
                   "064b") for g in grams]
    # Column-wise majority vote, transposed so the counting runs in C.
    half = len(rows) / 2
    bits = "".join("1" if column.count("1") > half else "0" for column in zip(*rows, strict=True))
    value = int(bits, 2)
    # SQLite integers are signed 64-bit.
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    """Hamming distance between two SimHashes."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def story_head(copies: list) -> object:
    """The copy that stands for a story: the one others name as original, else the earliest."""
    named = {c.original_id for c in copies if getattr(c, "original_id", None)}
    for c in copies:
        if c.id in named:
            return c
    for c in copies:
        if c.id == c.story_id:
            return c
    return min(copies, key=lambda c: (c.published or c.first_seen, c.first_seen))
