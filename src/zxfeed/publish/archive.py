"""RFC 5005 archived feeds: fixed pages of a feed's items in the order they were stored.

Page *n* of a feed holds its items number (n-1)·size … n·size-1 by storage order
(SQLite rowid: append-only), so a page, once full, is written once and never changes;
it links the page before it (``prev-archive``) and the current feed (``current``). The
current document links the newest full page, so a reader that was away walks back only
as far as it needs to.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..models import Item
from ..store import Store
from .formats import MEDIA_TYPES
from .formats.atom import render_atom

if TYPE_CHECKING:
    from .publisher import FeedSpec, Publisher


def archive_path(spec: FeedSpec, page: int) -> str:
    """``archive/all/3.atom``, ``archive/region/山东省/3.atom`` …: relative to the feeds folder."""
    return f"archive/{spec.path.removesuffix('.atom')}/{page}.atom"


def full_pages(store: Store, spec: FeedSpec, size: int,
               counts: dict[tuple[str | None, str | None], int] | None = None) -> int:
    """How many full archive pages a feed has (``counts``: answers already read this round)."""
    key = (spec.region, spec.source_id)
    if counts is not None and key in counts:
        return counts[key] // size
    count = store.archive_count(spec.region, spec.source_id)
    if counts is not None:
        counts[key] = count
    return count // size


def archive_links(publisher: Publisher, spec: FeedSpec, size: int) -> list[tuple[str, str, str]]:
    """The current document's link to its newest full archive page (none before the first)."""
    pages = _written(full_pages(publisher.store, spec, size, publisher.round_counts))
    if not pages:
        return []
    return [("prev-archive", _url(publisher, archive_path(spec, pages)), MEDIA_TYPES[".atom"])]


# Pages read from the store in one query when many are missing (a first start on a big store):
# one OFFSET scan per page made writing N pages cost N scans of the whole archive.
PAGES_PER_QUERY = 20


def write_archives(publisher: Publisher, spec: FeedSpec, size: int) -> list[Path]:
    """Write the full pages not written yet; pages already on disk are left as they are."""
    written = []
    pages = _written(full_pages(publisher.store, spec, size, publisher.round_counts))
    missing = []
    for page in range(pages, 0, -1):
        if (publisher.directory / archive_path(spec, page)).exists():
            break  # older pages were written before this one
        missing.append(page)
    for start in range(0, len(missing), PAGES_PER_QUERY):
        chunk = missing[start : start + PAGES_PER_QUERY]  # newest first
        low = chunk[-1]
        rows = publisher.store.archive_slice((low - 1) * size, size * len(chunk), spec.region,
                                             spec.source_id)
        for page in chunk:
            part = rows[(page - low) * size : (page - low + 1) * size]
            written.append(_write_page(publisher, spec, page, list(reversed(part))))
    return written


def _write_page(publisher: Publisher, spec: FeedSpec, page: int, items: list[Item]) -> Path:
    """One archive page of ``items`` (newest first), linked to its neighbours and the feed."""
    path = publisher.directory / archive_path(spec, page)
    entries = publisher.entries(items, {} if spec.region is None and spec.source_id is None else None)
    current = publisher.feed_info(spec, entries)
    links = [("current", current.urls[".atom"], MEDIA_TYPES[".atom"])]
    if page > 1:
        links.append(("prev-archive", _url(publisher, archive_path(spec, page - 1)),
                      MEDIA_TYPES[".atom"]))
    else:
        # The first page links forward: an archive document links another (RFC 5005 §4).
        links.append(("next-archive", _url(publisher, archive_path(spec, 2)), MEDIA_TYPES[".atom"]))
    feed = replace(current, title=f"{current.title}（存档 {page}）",
                   urls={".atom": _url(publisher, archive_path(spec, page))},
                   links=links, archive=True, hub=None)
    from .publisher import _write

    rel = archive_path(spec, page)
    _write(path, render_atom(feed, entries, stylesheet="../" * rel.count("/") + "feed.xsl"))
    return path


def _written(full: int) -> int:
    """Pages written: the first waits for the second, which it links as ``next-archive``."""
    return full if full >= 2 else 0


def _url(publisher: Publisher, rel: str) -> str:
    return f"{publisher.base_url}/feeds/{quote(rel)}"
