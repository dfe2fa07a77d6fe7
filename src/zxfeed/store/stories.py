"""Story ties in the store: the SimHash band index and which story an item joins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..models import Item
from ..normalize.reprints import (
    BANDS,
    MAX_DISTANCE,
    MIN_TITLE_OVERLAP,
    UNRELATED,
    WINDOW_DAYS,
    bands,
    distance,
    specific_title,
    title_overlap,
)
from .base import Connection


def index_simhash(db: Connection, item_id: str, value: int | None) -> None:
    """(Re)write an item's rows in the band index."""
    db.execute("DELETE FROM simhash_bands WHERE item_id=?", (item_id,))
    if value is not None:
        db.executemany("INSERT INTO simhash_bands (band, value, item_id) VALUES (?, ?, ?)",
                       [(b, v, item_id) for b, v in bands(value)])



def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _similar(db: Connection, it: Item) -> list[str]:
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


def revisit_story(db: Connection, it: Item) -> None:
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


def assign_story(db: Connection, it: Item) -> str:
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
