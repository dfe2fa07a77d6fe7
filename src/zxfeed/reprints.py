"""Telling reprints apart: a title key, a body SimHash, and when two items are one story.

CPPCC news travels national → provincial → municipal and through aggregators;
the same story appears under many URLs. Copies are tied by, in order: an
explicit original link, the same normalized title within a few days, or a
near-duplicate body (SimHash over character 3-grams) under a related title.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from datetime import UTC, datetime, timedelta

from .models import Item

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
    grams = {text[i : i + 3] for i in range(len(text) - 2)}
    rows = [format(int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "big"),
                   "064b") for g in grams]
    # Column-wise majority vote, transposed so the counting runs in C.
    half = len(rows) / 2
    bits = "".join("1" if column.count("1") > half else "0" for column in zip(*rows, strict=True))
    value = int(bits, 2)
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


def index_simhash(db: sqlite3.Connection, item_id: str, value: int | None) -> None:
    """(Re)write an item's rows in the band index."""
    db.execute("DELETE FROM simhash_bands WHERE item_id=?", (item_id,))
    if value is not None:
        db.executemany("INSERT INTO simhash_bands (band, value, item_id) VALUES (?, ?, ?)",
                       [(b, v, item_id) for b, v in bands(value)])


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


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _similar(db: sqlite3.Connection, it: Item) -> list[str]:
    """Stories of stored items with the same title, or a near-same body, within days."""
    found: list[str] = []
    when = it.published or it.first_seen or datetime.now(UTC)
    lo, hi = (_iso(when - timedelta(days=WINDOW_DAYS)), _iso(when + timedelta(days=WINDOW_DAYS)))
    if len(it.title_key) >= 10:
        specific = specific_title(it.title_key)
        for story, other in db.execute(
                "SELECT story_id, simhash FROM items WHERE title_key=? AND sort_time BETWEEN ? AND ? "
                "AND id != ? ORDER BY sort_time LIMIT 20", (it.title_key, lo, hi, it.id)):
            # Generic titles (市政协召开主席会议) repeat across cities: without both bodies only
            # a specific title ties; with both, the bodies must not disagree.
            if it.simhash is None or other is None:
                if specific:
                    found.append(story)
            elif distance(it.simhash, other) <= UNRELATED:
                found.append(story)
    if it.simhash is not None:
        lookups = " UNION ".join(["SELECT item_id FROM simhash_bands WHERE band=? AND value=?"]
                                 * len(BANDS))
        for story, other, key in db.execute(
                f"SELECT story_id, simhash, title_key FROM items WHERE id IN ({lookups}) "
                "AND sort_time BETWEEN ? AND ? ORDER BY sort_time DESC LIMIT 500",
                [x for pair in bands(it.simhash) for x in pair] + [lo, hi]):
            # Templated notices share most of their wording: a near-same body joins a story
            # only under a related title (a reprint may shorten or tag it, not replace it).
            if distance(it.simhash, other) <= MAX_DISTANCE and \
                    title_overlap(it.title_key, key or "") >= MIN_TITLE_OVERLAP:
                found.append(story)
    return list(dict.fromkeys(found))


def revisit_story(db: sqlite3.Connection, it: Item) -> None:
    """After an item's body became known: leave a story whose known bodies all differ, or join one.

    A copy tied by its title alone may turn out to be another committee's notice of the
    same name; one told apart from an original by an explicit link stays where it is.
    """
    row = db.execute("SELECT story_id FROM items WHERE id=?", (it.id,)).fetchone()
    story = row[0] if row else it.id
    others = db.execute("SELECT id, simhash, original_id FROM items WHERE story_id=? AND id != ?",
                        (story, it.id)).fetchall()
    linked = any(o[2] == it.id or o[0] == it.original_id for o in others)
    known = [o for o in others if o[1] is not None]
    if others and it.simhash is not None and known and not linked and \
            all(distance(it.simhash, o[1]) > UNRELATED for o in known):
        if story == it.id:  # the rest of the story is renamed after its next copy
            db.execute("UPDATE items SET story_id=? WHERE story_id=? AND id != ?",
                       (others[0][0], story, it.id))
        db.execute("UPDATE items SET story_id=? WHERE id=?", (it.id, it.id))
        story = it.id
        alone = True
    else:
        alone = not others
    if alone:
        found = assign_story(db, it)
        if found != story:
            db.execute("UPDATE items SET story_id=? WHERE story_id=?", (found, story))


def assign_story(db: sqlite3.Connection, it: Item) -> str:
    """The story a new item belongs to: by original link, same title, or near-same body.

    Stories that turn out to be one (a reprint stored before its original, which also
    matches a third copy by title) are merged into the first.
    """
    found: list[str] = []
    if it.original_url:
        row = db.execute("SELECT story_id FROM items WHERE id=?", (it.original_id,)).fetchone()
        if row:
            found.append(row[0])
    # Reprints stored earlier that named this item as their original.
    found += [r[0] for r in db.execute(
        "SELECT DISTINCT story_id FROM items WHERE original_id=?", (it.id,))]
    found += _similar(db, it)
    if not found:
        # An original not seen yet: reprints wait for it under its id.
        return it.original_id if it.original_url and it.original_id else it.id
    story = found[0]
    for other in set(found[1:]) - {story}:
        db.execute("UPDATE items SET story_id=? WHERE story_id=?", (story, other))
    return story
