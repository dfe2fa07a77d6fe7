"""RFC 5005 archived feeds: fixed pages of a feed's items in the order they were stored.

Page *n* of a feed holds the ``size`` items stored after the last item of page *n-1* (SQLite
rowid: append-only), so a page, once full, is written once and never changes; it links the
page before it (``prev-archive``) and the current feed (``current``). Pages are written
oldest first, so those on disk are always pages 1 … *w*; the current document links page
*w*, the newest whose chain back to page 1 is complete.

Writing pages is budgeted (:class:`Archives`): a burst of new items or a first start on a
big store fills hundreds of pages, which later rounds write while the current documents
and the polls go on; a current document's link moves on when its pages are written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..models import Item
from .formats import MEDIA_TYPES
from .formats.atom import render_atom

if TYPE_CHECKING:
    from .publisher import FeedSpec, Publisher

# Pages read from the store in one query when many are missing (a first start on a big store).
PAGES_PER_QUERY = 20
# Pages a feed's backlog moves on by before its current document links the newest one.
RELINK_PAGES = 50


def archive_path(spec: FeedSpec, page: int) -> str:
    """``archive/all/3.atom``, ``archive/region/山东省/3.atom`` …: relative to the feeds folder."""
    return f"archive/{spec.path.removesuffix('.atom')}/{page}.atom"


@dataclass(slots=True)
class Chain:
    """One feed's pages on disk: 1 … ``written``; ``last`` is the rowid of page ``written``'s last item."""

    written: int
    last: int
    full: int = 0    # full pages the store holds, as last counted
    linked: int = 0  # the page the current document links, as last rendered
    # Items of the feed counted after ``last``, up to rowid ``seen``: a round counts only the
    # rows stored since (a feed's rows after its newest page may be thousands of reprints).
    seen: int = 0
    after: int = 0
    # Items read ahead for the next pages (one query serves several rounds of a budget).
    ahead: list[tuple[int, Item]] = field(default_factory=list)


class Archives:
    """The archive pages of a publisher's feeds: which exist, which are missing, writing them."""

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        self.chains: dict[str, Chain] = {}
        self.pending: dict[str, FeedSpec] = {}  # feeds with full pages not written yet, oldest first

    @property
    def size(self) -> int:
        return self.publisher.archive_page

    def links(self, spec: FeedSpec) -> list[tuple[str, str, str]]:
        """The current document's link to its newest page whose chain is complete (none before the second)."""
        chain = self.chain(spec)
        chain.linked = chain.written
        if chain.written < 2:
            return []
        return [("prev-archive", self.url(archive_path(spec, chain.written)), MEDIA_TYPES[".atom"])]

    def chain(self, spec: FeedSpec) -> Chain:
        """Which pages of a feed are on disk (read once per folder, then kept up to date)."""
        key = str(self.publisher.directory / archive_path(spec, 0))  # the folder may be changed
        chain = self.chains.get(key)
        if chain is None:
            written = 0
            while (self.publisher.directory / archive_path(spec, written + 1)).exists():
                written += 1
            last = 0
            if written:
                # Where page ``written`` ends: one scan, once per feed and publisher.
                seq = self.publisher.store.archive_seq(written * self.size - 1, spec.region,
                                                       spec.source_id)
                last = seq if seq is not None else 0
            chain = self.chains[key] = Chain(written, last)
        return chain

    def count(self, spec: FeedSpec) -> Chain:
        """Count the full pages the store holds for a feed; note it as pending when some are missing."""
        chain = self.chain(spec)
        store = self.publisher.store
        newest = store.archive_newest()
        if chain.seen < chain.last or newest is None:
            chain.seen, chain.after = chain.last, 0
        if newest is None or newest > chain.seen:
            chain.after += store.archive_count_after(chain.seen, spec.region, spec.source_id, newest)
            chain.seen = newest or chain.seen
        chain.full = chain.written + chain.after // self.size
        if chain.full >= 2 and chain.full > chain.written:
            self.pending.setdefault(spec.path, spec)
        return chain

    def write(self, *, seconds: float | None = None,
              cpu: AbstractContextManager[object] | None = None,
              clock: Callable[[], float] = time.thread_time) -> tuple[list[Path], list[FeedSpec]]:
        """Write missing pages, oldest first, feed after feed, until ``seconds`` of CPU are spent.

        Returns the pages written and the feeds whose current document should link a newer
        page now: those whose missing pages are all written, or which moved on by
        ``RELINK_PAGES`` (rewriting a current document every round of a long backlog would
        cost more than the pages). Without a budget every missing page is written.
        """
        start, done = clock(), 0
        written: list[Path] = []
        moved: list[FeedSpec] = []
        for path, spec in list(self.pending.items()):
            chain = self.chain(spec)
            while chain.written < chain.full:
                # Each round writes something, however small its budget.
                if done and seconds is not None and clock() - start >= seconds:
                    break
                with cpu or nullcontext():
                    new = self._write_next(spec, chain)
                written += new
                done += len(new)
            finished = chain.written >= chain.full
            if chain.written > chain.linked and (finished or chain.written - chain.linked >= RELINK_PAGES):
                moved.append(spec)
            if finished:
                del self.pending[path]
            else:
                break  # budget spent
        return written, moved

    def write_feed(self, spec: FeedSpec) -> list[Path]:
        """Every missing page of one feed."""
        chain, written = self.chain(spec), []
        while chain.written < chain.full:
            written += self._write_next(spec, chain)
        self.pending.pop(spec.path, None)
        return written

    def _write_next(self, spec: FeedSpec, chain: Chain) -> list[Path]:
        """The next page of one feed (page 1 only with page 2, which it links)."""
        need = self.size * (2 if chain.written == 0 else 1)
        if len(chain.ahead) < need:
            # A region's or source's rows are read through all of them: a few pages per query.
            pages = max(need // self.size, min(PAGES_PER_QUERY, chain.full - chain.written))
            after = chain.ahead[-1][0] if chain.ahead else chain.last
            chain.ahead += self.publisher.store.archive_after(
                after, pages * self.size - len(chain.ahead), spec.region, spec.source_id)
        if len(chain.ahead) < need:
            # Fewer items than counted (one became a reprint of a later original): count again.
            chain.full, chain.ahead, chain.seen = chain.written, [], 0
            return []
        out: list[Path] = []
        for _ in range(need // self.size):
            part, chain.ahead = chain.ahead[: self.size], chain.ahead[self.size :]
            page = chain.written + 1
            path = self.publisher.directory / archive_path(spec, page)
            if not path.exists():  # once written, a page never changes
                self._write_page(spec, page, [it for _, it in reversed(part)], path)
                out.append(path)
            chain.written, chain.last = page, part[-1][0]
        chain.seen = 0  # counted again from the new newest page on the next round
        return out

    def _write_page(self, spec: FeedSpec, page: int, items: list[Item], path: Path) -> None:
        """One archive page of ``items`` (newest first), linked to its neighbours and the feed."""
        pub = self.publisher
        entries = pub.entries(items, {} if spec.region is None and spec.source_id is None else None)
        current = pub.feed_info(spec, entries)
        links = [("current", current.urls[".atom"], MEDIA_TYPES[".atom"])]
        if page > 1:
            links.append(("prev-archive", self.url(archive_path(spec, page - 1)), MEDIA_TYPES[".atom"]))
        else:
            # The first page links forward: an archive document links another (RFC 5005 §4).
            links.append(("next-archive", self.url(archive_path(spec, 2)), MEDIA_TYPES[".atom"]))
        feed = replace(current, title=f"{current.title}（存档 {page}）",
                       urls={".atom": self.url(archive_path(spec, page))},
                       links=links, archive=True, hub=None)
        from .publisher import _write

        rel = archive_path(spec, page)
        _write(path, render_atom(feed, entries, stylesheet="../" * rel.count("/") + "feed.xsl"))

    def url(self, rel: str) -> str:
        return f"{self.publisher.base_url}/feeds/{quote(rel)}"
