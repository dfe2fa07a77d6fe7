"""Publish stage: Atom files (merged, per region, per source) written atomically with feedgen.

A feed's bytes depend only on stored data, so regenerating without news gives
identical bytes and the file is left untouched (ETags stay valid).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from . import __version__
from .extract.text import strip_control
from .files import private_dir
from .models import Item
from .reprints import story_head
from .store import Store

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
ATOM = "{http://www.w3.org/2005/Atom}"
CATEGORY_REGION = "urn:zxfeed:region"
CATEGORY_SOURCE = "urn:zxfeed:source"


def feed_filename(name: str) -> str:
    """A file-system safe name for a region or source key."""
    return _UNSAFE.sub("_", name).strip(". ") or "_"


@lru_cache(maxsize=4096)
def _urn(key: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "zxfeed:item:" + key).urn


def entry_id(item: Item) -> str:
    """A stable Atom id from the item's id (itself from the canonical URL)."""
    return _urn(item.id)


def story_id_urn(item: Item) -> str:
    """The merged feed's id for an item's story: the same whichever copy heads it."""
    return _urn(item.story_id or item.id)


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: where it lives (relative path) and what it shows."""

    path: str
    title: str
    region: str | None = None
    source_id: str | None = None


class Publisher:
    """Writes the feeds under ``directory``; ``base_url`` makes their self links."""

    def __init__(self, store: Store, directory: Path, *, title: str, base_url: str,
                 limit: int = 200, source_names: dict[str, str] | None = None) -> None:
        self.store = store
        self.directory = Path(directory)
        self.title = title
        self.base_url = base_url.rstrip("/")
        self.limit = limit
        self.source_names = source_names or {}

    def specs(self, *, regions: set[str] | None = None,
              sources: set[str] | None = None) -> list[FeedSpec]:
        """The feeds to (re)write: all of them, or the merged one plus those named."""
        specs = [FeedSpec("all.atom", self.title)]
        # Only the regions named (when named): listing every region costs a scan.
        for region in sorted(regions) if regions is not None else self.store.regions():
            specs.append(FeedSpec(f"region/{feed_filename(region)}.atom",
                                  f"{self.title} · {region}", region=region))
        for sid, name in sorted(self.source_names.items()):
            if sources is None or sid in sources:
                specs.append(FeedSpec(f"source/{feed_filename(sid)}.atom",
                                      f"{self.title} · {name}", source_id=sid))
        return specs

    def publish(self, *, regions: set[str] | None = None, sources: set[str] | None = None,
                cpu: AbstractContextManager[object] | None = None) -> list[Path]:
        """Regenerate feeds; return the files whose content changed.

        ``cpu`` (the daemon's parsing semaphore) is taken for each feed, so that a long
        round takes turns with polls instead of contending with them for the interpreter.
        """
        written = []
        for spec in self.specs(regions=regions, sources=sources):
            with cpu or nullcontext():
                if self._publish_one(spec):
                    written.append(self.directory / spec.path)
        return written

    def _publish_one(self, spec: FeedSpec) -> bool:
        """Render one feed and write it if its bytes changed."""
        path = self.directory / spec.path
        try:
            previous = path.read_bytes()
        except FileNotFoundError:
            previous = None
        if spec.region is None and spec.source_id is None:
            data = self.render(spec, *self._stories(), previous=previous)
        else:
            data = self.render(spec, self.store.items(region=spec.region,
                                                      source_id=spec.source_id,
                                                      limit=self.limit), previous=previous)
        if data == previous:
            return False
        _write(path, data)
        return True

    def _stories(self) -> tuple[list[Item], dict[str, list[Item]]]:
        """Newest stories for the merged feed: one entry each, its other copies beside it."""
        # Copies of a story are published within days of each other: a margin beyond the
        # cap is enough to see them together.
        items = self.store.items(limit=self.limit + 100)
        heads: dict[str, Item] = {}
        copies: dict[str, list[Item]] = {}
        for it in items:
            story = it.story_id or it.id
            copies.setdefault(story, []).append(it)
        for story, group in copies.items():
            heads[story] = story_head(group)
        ordered = [heads[s] for s in dict.fromkeys(it.story_id or it.id for it in items)]
        related = {h.id: [c for c in copies[h.story_id or h.id] if c is not h] for h in ordered}
        return ordered[: self.limit], related

    def render(self, spec: FeedSpec, items: list[Item],
               related: dict[str, list[Item]] | None = None, *,
               previous: bytes | None = None) -> bytes:
        """Atom 1.0 bytes for one feed, newest entry first; reprints as ``related`` links.

        Entries whose facts are unchanged since ``previous`` (the feed as last written)
        are taken from it as they are, not rendered again.
        """
        fg = FeedGenerator()
        url = f"{self.base_url}/feeds/{quote(spec.path)}"
        fg.id(uuid.uuid5(uuid.NAMESPACE_URL, "zxfeed:feed:" + spec.path).urn)
        fg.title(strip_control(spec.title))
        fg.link(href=url, rel="self", type="application/atom+xml")
        fg.link(href=self.base_url + "/", rel="alternate", type="text/html")
        fg.language("zh-CN")
        fg.author({"name": "zxfeed"})
        fg.generator("zxfeed", version=__version__)
        fg.updated(max((it.updated or _EPOCH for it in items), default=_EPOCH))
        head, end, tail = fg.atom_str(pretty=True).rpartition(b"</feed>")
        known = _rendered_entries(previous) if previous else {}
        merged = related is not None
        entries = []
        for it in items:
            copies = (related or {}).get(it.id, [])
            label = self.source_names.get(it.source_id, it.source_name)
            key = _entry_key(it, copies, label, merged)
            entries.append(known.get(key) or self._entry(it, copies, label, merged, key))
        return head + b"".join(entries) + end + tail

    @staticmethod
    def _entry(it: Item, copies: list[Item], label: str, merged: bool, key: str) -> bytes:
        """One ``<entry>`` rendered by feedgen, after a comment naming its facts' digest."""
        fe = FeedEntry()
        # A story keeps its id when its original turns up after a reprint.
        fe.id(story_id_urn(it) if merged else entry_id(it))
        fe.title(strip_control(it.title))
        links = [{"href": it.link, "rel": "alternate", "type": "text/html"}]
        links += [{"href": c.link, "rel": "related", "type": "text/html",
                   "title": strip_control(f"{c.source_name}：{c.title}")} for c in copies]
        links += [{"href": u, "rel": "enclosure", "type": m, "title": strip_control(t)}
                  for u, t, m in it.attachments]
        for link in links:
            fe.link(**link)
        if copies:
            fe.source(url=it.link, title=strip_control(it.source_name))
        if it.published:  # unknown dates stay unknown: no invented publish time
            fe.published(it.published)
        fe.updated(it.updated or it.first_seen or _EPOCH)
        fe.author({"name": strip_control(it.source_name)})
        for region in it.regions:
            fe.category(term=region, scheme=CATEGORY_REGION, label=region)
        fe.category(term=it.source_id, scheme=CATEGORY_SOURCE, label=strip_control(label))
        if it.summary:
            fe.summary(strip_control(it.summary))
        element = fe.atom_entry()
        _restore_link_attributes(element, links)
        etree.indent(element, level=1)
        return b"  %s%s -->\n  %s\n" % (_MARK, key.encode(), etree.tostring(element, encoding="UTF-8"))


# Each entry is preceded by <!-- zxfeed:DIGEST -->, the digest of everything it was rendered
# from. A busy hour rewrites the merged and regional feeds every few seconds with mostly the
# same entries: they are copied from the file instead of rendered again (most of the CPU of
# publishing), and no cache has to be held in memory.
_MARK = b"<!-- zxfeed:"
ENTRY_FORMAT = "1"  # bump when _entry's output changes, so that old renderings are not reused


def _entry_key(it: Item, copies: list[Item], label: str, merged: bool) -> str:
    facts = (ENTRY_FORMAT, merged, it.id, it.story_id, it.title, it.link, it.published,
             it.updated, it.first_seen, it.source_id, it.source_name, label, it.regions,
             it.summary, it.attachments, [(c.link, c.source_name, c.title) for c in copies])
    return hashlib.blake2b(repr(facts).encode("utf-8"), digest_size=12).hexdigest()


def _rendered_entries(data: bytes) -> dict[str, bytes]:
    """The entries of a feed we wrote, by the digest in the comment before each."""
    out: dict[str, bytes] = {}
    start = data.find(b"  " + _MARK)
    while start >= 0:
        key_end = data.find(b" -->", start)
        end = data.find(b"</entry>\n", key_end)
        if key_end < 0 or end < 0:
            break
        end += len(b"</entry>\n")
        out[data[start + 2 + len(_MARK):key_end].decode("ascii", "replace")] = data[start:end]
        start = data.find(b"  " + _MARK, end)
    return out


def _restore_link_attributes(entry: etree._Element, links: list[dict[str, str]]) -> None:
    """Put back the rel/type/title of entry links, which feedgen 1.0.0 drops.

    Its ``atom_entry`` rebinds the loop variable to the new XML element before reading
    ``rel`` from it, so every entry link comes out bare (read as ``alternate``).
    """
    for element, link in zip(entry.findall("link"), links, strict=True):
        for key in ("rel", "type", "title"):
            if link.get(key):
                element.set(key, link[key])


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
