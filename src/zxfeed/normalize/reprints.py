"""Telling reprints apart: a title key, a body SimHash, and when two items are one story.

CPPCC news travels national → provincial → municipal and through aggregators;
the same story appears under many URLs. Copies are tied by, in order: an
explicit original link, the same normalized title within a few days, or a
near-duplicate body (SimHash over character 3-grams) under a related title.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..models import Item

WINDOW_DAYS = 3
MAX_DISTANCE = 4
UNRELATED = 20  # same title but bodies this far apart: two events, not one story
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
MIN_BODY = 80
MIN_TITLE_OVERLAP = 0.5
# A title alone (bodies not read yet) ties copies only when it says something of its own:
# long, and still this long without the words every committee's notices share.
LONG_TITLE = 14
SPECIFIC_CHARS = 8
_GENERIC = re.compile(r"中国人民政治协商会议|政协|委员会|委员|召开|举行|举办|开展|会议|主席|常委|全体|专题|"
                      r"工作|关于|通知|公告|公示|通报|座谈会|协商|第|届|次|年度?|"
                      r"[0-9一二三四五六七八九十百]+")


def specific_title(key: str) -> bool:
    """Whether a title key is long and specific enough to tie copies without their bodies."""
    return len(key) >= LONG_TITLE and len(_GENERIC.sub("", key)) >= SPECIFIC_CHARS


def title_key(title: str) -> str:
    """Title without spaces, punctuation or case: "“融”“荣”与共 同心同行" and "融荣与共同心同行" meet."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", title)).lower()


def simhash(text: str) -> int | None:
    """64-bit SimHash of a body's character 3-grams; ``None`` when the body is too short to judge."""
    text = _NOT_WORD.sub("", text)
    if len(text) < MIN_BODY:
        return None
    text = text[:4000]
    grams = set(map("".join, zip(text, text[1:], text[2:], strict=False)))
    blake = hashlib.blake2b
    rows = b"".join([blake(g, digest_size=8).digest() for g in map(str.encode, grams)])
    # Majority vote per bit without a Python step per gram and bit: byte p of every row as
    # one big integer, bit b of each of its bytes counted by popcount under a 0x0101… mask.
    ones = int.from_bytes(b"\x01" * len(grams), "big")
    half = len(grams) / 2
    value = 0
    for p in range(8):
        column = int.from_bytes(rows[p::8], "big")
        for b in range(8):
            if ((column >> b) & ones).bit_count() > half:
                value |= 1 << (8 * (7 - p) + b)
    # SQLite integers are signed 64-bit.
    return value - (1 << 64) if value >= 1 << 63 else value


def title_overlap(a: str, b: str) -> float:
    """Share of the shorter title's character pairs found in the other (0 … 1)."""
    pairs_a = {a[i : i + 2] for i in range(len(a) - 1)}
    pairs_b = {b[i : i + 2] for i in range(len(b) - 1)}
    if not pairs_a or not pairs_b:
        return 0.0
    return len(pairs_a & pairs_b) / min(len(pairs_a), len(pairs_b))


# (shift, mask) of the 5 bands the band index (schema v7) keeps of each SimHash: with at
# most MAX_DISTANCE < 5 differing bits, some band of two near-same hashes is equal.
BANDS = ((0, 8191), (13, 8191), (26, 8191), (39, 8191), (52, 4095))


def bands(value: int) -> list[tuple[int, int]]:
    """``(band, value)`` pairs of a SimHash, as stored in ``simhash_bands``."""
    return [(i, (value >> shift) & mask) for i, (shift, mask) in enumerate(BANDS)]


def distance(a: int, b: int) -> int:
    """Hamming distance between two SimHashes."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def story_head(copies: list[Item]) -> Item:
    """The copy that stands for a story: the one others name as original, else the earliest."""
    named = {c.original_id for c in copies if c.original_id}
    for c in copies:
        if c.id in named:
            return c
    for c in copies:
        if c.id == c.story_id:
            return c
    return min(copies, key=lambda c: (c.published or c.first_seen, c.first_seen))
