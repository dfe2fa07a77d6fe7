"""Publish stage: every feed (merged, per region, per source) as Atom, RSS 2.0 and JSON Feed.

A feed's bytes depend only on stored data, so regenerating without news gives
identical bytes and the file is left untouched (ETags stay valid). The formats live
in :mod:`zxfeed.formats`; this module picks the items and writes the files.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from ..extract.text import strip_control
from ..files import private_dir
from ..models import Item
from ..normalize.reprints import story_head
from ..store import Store
from .archive import Archives
from .feedfilter import FeedFilter
from .formats import FeedInfo, feed_filename, feed_urn
from .formats.atom import render_atom
from .formats.entry import (
    CATEGORY_REGION,
    CATEGORY_SOURCE,
    Entry,
    entry_id,
    entry_updated,
    make_entry,
    story_id_urn,
)
from .formats.jsonfeed import render_json
from .formats.rss import render_rss

__all__ = ["CATEGORY_REGION", "CATEGORY_SOURCE", "FeedSpec", "Publisher", "entry_id",
           "feed_filename", "story_id_urn"]

ATOM = "{http://www.w3.org/2005/Atom}"
SUFFIXES = (".atom", ".rss", ".json")
STYLESHEET = "feed.xsl"  # how browsers show a feed (readers ignore it)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: where it lives (relative path of its Atom file) and what it shows."""

    path: str
    title: str
    region: str | None = None
    source_id: str | None = None
    filter: FeedFilter | None = None
    query: str = ""  # served under a query string (filtered on request): part of its URL and id

    def variant(self, suffix: str) -> str:
        """The relative path of this feed in another format (``.rss``, ``.json``)."""
        return self.path.removesuffix(".atom") + suffix


class Publisher:
    """Writes the feeds under ``directory``; ``base_url`` makes their self links."""

    def __init__(self, store: Store, directory: Path, *, title: str, base_url: str,
                 limit: int = 200, source_names: dict[str, str] | None = None,
                 content_modes: dict[str, str] | None = None,
                 levels: dict[str, str | None] | None = None,
                 custom: list[tuple[str, FeedFilter]] | None = None,
                 archive_page: int = 0, hub: str | None = None,
                 archive_seconds: float | None = None) -> None:
        self.store = store
        self.directory = Path(directory)
        self.title = title
        self.base_url = base_url.rstrip("/")
        self.limit = limit
        self.source_names = source_names or {}
        self.content_modes = content_modes or {}
        self.levels = levels or {}
        self.custom = custom or []
        self.archive_page = archive_page
        # Thread CPU spent writing archive pages per round (None: every missing page at once).
        self.archive_seconds = archive_seconds
        self.archives = Archives(self)
        self.hub = hub
        self._epoch: datetime | None = None

    def specs(self, *, regions: set[str] | None = None,
              sources: set[str] | None = None) -> list[FeedSpec]:
        """The feeds to (re)write: all of them, or the merged one plus those named."""
        specs = [FeedSpec("all.atom", self.title)]
        # Saved searches may hold items of any source: rewritten every round (their query is cheap).
        specs += [self._custom_spec(name, f) for name, f in self.custom]
        # Only the regions named (when named): listing every region costs a scan.
        for region in sorted(regions) if regions is not None else self.store.regions():
            specs.append(FeedSpec(f"region/{feed_filename(region)}.atom",
                                  f"{self.title} · {region}", region=region))
        for sid, name in sorted(self.source_names.items()):
            if sources is None or sid in sources:
                specs.append(FeedSpec(f"source/{feed_filename(sid)}.atom",
                                      f"{self.title} · {name}", source_id=sid))
        return specs

    def _custom_spec(self, name: str, f: FeedFilter) -> FeedSpec:
        return FeedSpec(f"custom/{feed_filename(name)}.atom", f"{self.title} · {name}", filter=f)

    def spec_for(self, stem: str) -> FeedSpec | None:
        """The feed at ``/feeds/<stem>.atom``: ``all``, ``region/…``, ``source/…`` or ``custom/…``."""
        kind, _, name = stem.partition("/")
        if stem == "all":
            return FeedSpec("all.atom", self.title)
        if kind == "region" and name and "/" not in name:
            return FeedSpec(f"region/{feed_filename(name)}.atom", f"{self.title} · {name}", region=name)
        if kind == "source" and name in self.source_names:
            return FeedSpec(f"source/{feed_filename(name)}.atom",
                            f"{self.title} · {self.source_names[name]}", source_id=name)
        if kind == "custom":
            return next((self._custom_spec(n, f) for n, f in self.custom if feed_filename(n) == name),
                        None)
        return None

    def filtered_spec(self, spec: FeedSpec, wanted: FeedFilter) -> FeedSpec:
        """A feed narrowed by a request's filter; its title says by what."""
        base = spec.filter or FeedFilter(regions=(spec.region,) if spec.region else (),
                                         sources=(spec.source_id,) if spec.source_id else ())
        combined = base.and_(wanted)
        return FeedSpec(spec.path, f"{spec.title} · {wanted.label(self.source_names)}",
                        filter=combined, query=wanted.query_string())

    def source_levels(self) -> dict[str, str | None]:
        """Each source's level; pages found by ``discover`` (``id--2``) share their site's."""
        return {sid: self.levels.get(sid, self.levels.get(sid.split("--")[0]))
                for sid in self.source_names}

    def select(self, spec: FeedSpec) -> tuple[list[Item], dict[str, list[Item]] | None]:
        """A feed's items, newest first, and (for merged feeds) each story's other copies."""
        if spec.filter is not None:
            # Filtering the merged feed (or a saved search) keeps one entry per story.
            merged = spec.path == "all.atom" or spec.path.startswith("custom/")
            items = spec.filter.select(self.store, self.source_levels(),
                                       self.limit + 100 if merged else self.limit)
            return stories(items, self.limit) if merged else (items, None)
        if spec.region is None and spec.source_id is None:
            return self._stories()
        return self.store.items(region=spec.region, source_id=spec.source_id, limit=self.limit), None

    def render_spec(self, spec: FeedSpec, previous: dict[str, bytes | None] | None = None
                    ) -> dict[str, bytes]:
        """One feed in every format, by suffix.

        With ``previous`` (the files as last written), formats other than Atom are left out
        when the Atom bytes came out the same and the file exists: all formats render the
        same facts, and the Atom file holds every one of them.
        """
        items, related = self.select(spec)
        entries = self.entries(items, related)
        feed = self.feed_info(spec, entries)
        if self.archive_page and spec.filter is None:
            feed = replace(feed, links=self.archives.links(spec))
        atom = self.render_format(".atom", feed, entries, (previous or {}).get(".atom"))
        out = {".atom": atom}
        for suffix in SUFFIXES[1:]:
            if previous is None or atom != previous.get(".atom") or previous.get(suffix) is None:
                out[suffix] = self.render_format(suffix, feed, entries)
        return out

    def publish(self, *, regions: set[str] | None = None, sources: set[str] | None = None,
                cpu: AbstractContextManager[object] | None = None) -> list[Path]:
        """Regenerate feeds; return the files whose content changed.

        ``cpu`` (the daemon's parsing semaphore) is taken for each feed, so that a long
        round takes turns with polls instead of contending with them for the interpreter.
        """
        written: list[Path] = []
        xsl = self.directory / STYLESHEET
        source = resources.files("zxfeed").joinpath("templates", STYLESHEET).read_bytes()
        if not xsl.exists() or xsl.read_bytes() != source:
            _write(xsl, source)
        for spec in self.specs(regions=regions, sources=sources):
            with cpu or nullcontext():
                written += self._publish_one(spec)
        if self.archive_seconds is not None:
            written += self.archive_step(cpu)
        return written

    def archive_pending(self) -> bool:
        """Whether some feed has full archive pages not written yet (budgeted rounds)."""
        return bool(self.archives.pending)

    def archive_step(self, cpu: AbstractContextManager[object] | None = None) -> list[Path]:
        """Missing archive pages, oldest first, for ``archive_seconds`` of CPU; then the current
        documents whose link should move on to a newer complete page (:meth:`Archives.write`)."""
        pages, moved = self.archives.write(seconds=self.archive_seconds, cpu=cpu)
        for spec in moved:
            with cpu or nullcontext():
                pages += self._publish_one(spec, archives=False)
        return pages

    def _publish_one(self, spec: FeedSpec, archives: bool = True) -> list[Path]:
        """Render one feed in every format and write the files whose bytes changed."""
        previous: dict[str, bytes | None] = {}
        for suffix in SUFFIXES:
            try:
                previous[suffix] = (self.directory / spec.variant(suffix)).read_bytes()
            except FileNotFoundError:
                previous[suffix] = None
        written = []
        if archives and self.archive_page and spec.filter is None:
            self.archives.count(spec)
            if self.archive_seconds is None:
                written += self.archives.write_feed(spec)
        for suffix, data in self.render_spec(spec, previous).items():
            if data != previous[suffix]:
                path = self.directory / spec.variant(suffix)
                _write(path, data)
                written.append(path)
        return written

    def render_format(self, suffix: str, feed: FeedInfo, entries: list[Entry],
                      previous: bytes | None = None) -> bytes:
        """One feed's bytes in the format named by its file suffix."""
        # Relative, so that it works behind any proxy: browsers load XSLT from the same origin only.
        xsl = "../" * feed.urls[suffix].split("/feeds/", 1)[1].split("?")[0].count("/") + STYLESHEET
        if suffix == ".atom":
            return render_atom(feed, entries, previous, stylesheet=xsl)
        if suffix == ".rss":
            return render_rss(feed, entries, stylesheet=xsl)
        return render_json(feed, entries)

    def entries(self, items: list[Item], related: dict[str, list[Item]] | None = None) -> list[Entry]:
        """Entries of items (story heads with their copies when ``related`` is given)."""
        merged = related is not None
        times = distinct_times([entry_updated(it) for it in items], items)
        out = []
        for it, when in zip(items, times, strict=True):
            label = self.source_names.get(it.source_id, it.source_name)
            mode = self.content_modes.get(it.source_id, "full")
            out.append(make_entry(it, (related or {}).get(it.id, []), label, merged, mode, when))
        return out

    def feed_info(self, spec: FeedSpec, entries: list[Entry]) -> FeedInfo:
        """The feed's own facts; ``updated`` is its newest entry's (never a made-up date)."""
        query = "?" + spec.query if spec.query else ""
        urls = {s: f"{self.base_url}/feeds/{quote(spec.variant(s))}{query}" for s in SUFFIXES}
        updated = max((e.updated for e in entries), default=None) or self.epoch()
        return FeedInfo(id=feed_urn(spec.path + query),
                        title=strip_control(spec.title), urls=urls, home=self.base_url + "/",
                        updated=updated, hub=self.hub)

    def epoch(self) -> datetime:
        """When this store first published: the ``updated`` of feeds that have no entries yet."""
        if self._epoch is None:
            now = datetime.now(UTC).replace(microsecond=0).isoformat()
            self._epoch = datetime.fromisoformat(self.store.meta_once("feeds_epoch", now))
        return self._epoch

    def _stories(self) -> tuple[list[Item], dict[str, list[Item]]]:
        """Newest stories for the merged feed: one entry each, its other copies beside it."""
        # Copies of a story are published within days of each other: a margin beyond the
        # cap is enough to see them together.
        items = self.store.items(limit=self.limit + 100)
        return stories(items, self.limit)


def distinct_times(times: list[datetime], items: list[Item]) -> list[datetime]:
    """Entries' ``updated`` times, those that tie with an earlier-seen one's moved on by whole seconds.

    Items dated by day only, or to the minute, share publish times; readers and validators
    take equal ``updated`` values within a feed as one entry changed twice. The copy seen
    first keeps its exact time, so adding an item never changes an existing entry.
    """
    if len(set(times)) == len(times):
        return times
    order = sorted(range(len(times)), key=lambda i: (
        times[i], items[i].first_seen or times[i], items[i].id))
    out = list(times)
    last: datetime | None = None
    for i in order:  # oldest first: each takes the next free second at or after its own
        when = times[i]
        if last is not None and when <= last:
            when = last + timedelta(seconds=1)
            out[i] = when
        last = when
    return out


def stories(items: list[Item], limit: int) -> tuple[list[Item], dict[str, list[Item]]]:
    """One head per story among ``items`` (newest first), and each head's other copies."""
    heads: dict[str, Item] = {}
    copies: dict[str, list[Item]] = {}
    for it in items:
        copies.setdefault(it.story_id or it.id, []).append(it)
    for story, group in copies.items():
        heads[story] = story_head(group)
    ordered = [heads[s] for s in dict.fromkeys(it.story_id or it.id for it in items)]
    related = {h.id: [c for c in copies[h.story_id or h.id] if c is not h] for h in ordered}
    return ordered[:limit], related


def _write(path: Path, data: bytes) -> None:
    """Atomic replace: temp file, fsync, rename."""
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".atom")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
