"""What one feed entry says, whatever the format: computed once from stored items.

Atom, RSS and JSON Feed render the same :class:`Entry` (same id, text and dates), so a
reader switching formats sees the same entries.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from ...extract.dates import SHANGHAI
from ...extract.text import strip_control
from ...models import Item
from . import feed_filename, feed_urn

CATEGORY_REGION = "urn:zxfeed:region"
CATEGORY_SOURCE = "urn:zxfeed:source"
CONTENT_MODES = ("full", "summary", "none")


@lru_cache(maxsize=4096)
def _urn(key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "zxfeed:item:" + key).urn


def entry_id(item: Item) -> str:
    """A stable id from the item's id (itself from the canonical URL)."""
    return _urn(item.id)


def story_id_urn(item: Item) -> str:
    """The merged feed's id for an item's story: the same whichever copy heads it."""
    return _urn(item.story_id or item.id)


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry's facts as every format shows them."""

    id: str
    title: str
    link: str
    related: tuple[tuple[str, str], ...]           # (href, title) of reprinted copies
    enclosures: tuple[tuple[str, str, str], ...]   # (href, title, mime) of attachments
    source: tuple[str, str, str] | None            # (href, title, feed id) of a story's copy shown
    published: datetime | None
    updated: datetime
    author: str
    categories: tuple[tuple[str, str, str], ...]   # (term, scheme, label)
    summary: str
    content: str | None                            # sanitized HTML

    @property
    def key(self) -> str:
        """Digest of everything the entry shows (reused renderings are matched by it)."""
        return hashlib.blake2b(repr(self).encode("utf-8"), digest_size=12).hexdigest()


def entry_updated(it: Item) -> datetime:
    """The entry's ``updated``: its publish time, unless we learnt something since.

    A item unchanged since it was first seen is as new as the site says it is, not as
    new as our first poll; a repaired title, date or body counts from its repair.
    """
    own = it.published or it.first_seen or it.updated
    assert own is not None
    if it.updated and it.first_seen and it.updated > it.first_seen:
        return max(it.updated, own)
    return own


def placeholder_summary(it: Item, label: str) -> str:
    """Text for an entry whose article nobody has read yet: the source and the day."""
    if it.published:
        return f"{label}，{it.published.astimezone(SHANGHAI):%Y年%-m月%-d日}发布。"
    seen = it.first_seen or it.updated
    return f"{label}，{seen.astimezone(SHANGHAI):%Y年%-m月%-d日}收录。" if seen else label


def make_entry(it: Item, copies: list[Item], label: str, merged: bool, mode: str = "full",
               updated: datetime | None = None) -> Entry:
    """The entry for an item (a story's head in the merged feed, with its copies).

    ``updated``: the time the feed shows (moved off a tie with another entry's).
    """
    summary = it.summary if mode != "none" and it.summary else placeholder_summary(it, label)
    regions = tuple((r, CATEGORY_REGION, r) for r in it.regions)
    return Entry(
        # A story keeps its id when its original turns up after a reprint.
        id=story_id_urn(it) if merged else entry_id(it),
        title=strip_control(it.title),
        link=it.link,
        related=tuple((c.link, strip_control(f"{c.source_name}：{c.title}")) for c in copies),
        enclosures=tuple((u, strip_control(t), m) for u, t, m in it.attachments),
        source=(it.link, strip_control(it.source_name),
                feed_urn(f"source/{feed_filename(it.source_id)}.atom")) if copies else None,
        published=it.published,
        updated=updated or entry_updated(it),
        author=strip_control(it.source_name),
        categories=(*regions, (it.source_id, CATEGORY_SOURCE, strip_control(label))),
        summary=strip_control(summary),
        content=strip_control(it.content) if mode == "full" and it.content else None,
    )
