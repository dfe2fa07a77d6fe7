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
from array import array

from ..extract.page import parse_html
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


# SimHash v2 (schema v13): the distinct 3-grams of the text, each hashed by simple
# tabulation: the XOR of one random 64-bit word per (place in the gram, byte of the
# character's UTF-32 code). Tabulation hashing is 3-independent, enough for a SimHash, and
# lets all grams be hashed at once in C: byte p of every gram's hash is the XOR of the text's
# byte streams, shifted by the place in the gram and mapped through bytes.translate; distinct
# grams are distinct hashes (collisions aside), found by a set over the 8-byte rows. v1
# (schema v7 to v12) ran one blake2b per distinct gram, several times the cost; the v13
# migration re-hashes stored bodies.
_KEYS = hashlib.shake_256(b"zxfeed simhash v2").digest(9 * 256 * 8)
# _TABLES[p][k]: translate table giving byte p of the word for key byte k (3 places x 3 bytes).
_TABLES = tuple(
    tuple(bytes(_KEYS[(k * 256 + x) * 8 + p] for x in range(256)) for k in range(9))
    for p in range(8)
)


def _bmp_tables(p: int) -> tuple[bytes, ...]:
    """The 6 tables of the code units' two low bytes, with the plane bytes' words (plane 0)
    folded into the first: the same hashes for text without characters beyond U+FFFF."""
    tables = _TABLES[p]
    planes = tables[0][0] ^ tables[3][0] ^ tables[6][0]
    first = bytes(x ^ planes for x in tables[1])
    return (first, tables[2], tables[4], tables[5], tables[7], tables[8])


_BMP_TABLES = tuple(_bmp_tables(p) for p in range(8))


def simhash(text: str) -> int | None:
    """64-bit SimHash of a body's character 3-grams; ``None`` when the body is too short to judge."""
    text = _NOT_WORD.sub("", text)
    if len(text) < MIN_BODY:
        return None
    text = text[:4000]
    count = len(text) - 2
    packed = text.encode("utf-32-be")  # byte 0 of each code unit is always 0
    streams = [packed[j::4] for j in (1, 2, 3)]
    bmp = not streams[0].strip(b"\x00")
    keys = [streams[j][place : place + count] for place in range(3) for j in ((1, 2) if bmp else (0, 1, 2))]
    rows = bytearray(8 * count)
    for p in range(8):
        column = 0
        for key, table in zip(keys, _BMP_TABLES[p] if bmp else _TABLES[p], strict=True):
            column ^= int.from_bytes(key.translate(table), "big")
        rows[p::8] = column.to_bytes(count, "big")
    distinct = array("Q", set(memoryview(rows).cast("Q"))).tobytes()
    grams = len(distinct) // 8
    # Majority vote per bit without a Python step per gram and bit: byte p of every row as
    # one big integer, bit b of each of its bytes counted by popcount under a 0x0101… mask.
    ones = int.from_bytes(b"\x01" * grams, "big")
    half = grams / 2
    value = 0
    for p in range(8):
        column = int.from_bytes(distinct[p::8], "big")
        for b in range(8):
            if ((column >> b) & ones).bit_count() > half:
                value |= 1 << (8 * (7 - p) + b)
    # SQLite integers are signed 64-bit.
    return value - (1 << 64) if value >= 1 << 63 else value


def content_simhash(content: str | None, attachments: bool = False) -> int | None:
    """The SimHash of a stored body, read back from its sanitized HTML (re-hashing stored items).

    The hash sees word characters only, and cleaning keeps every word of a body but those
    of forms and selects; the attachment list that cleaning appends (when the item has
    attachments) is cut off again.
    """
    if not content:
        return None
    if attachments:
        cut = content.rfind("<p>附件：</p><ul>")
        content = content[:cut] if cut >= 0 else content
    return simhash("".join(parse_html(content, "http://localhost/").root.itertext()))


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
