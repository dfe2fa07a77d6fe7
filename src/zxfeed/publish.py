"""Publish stage: Atom files (merged, per region, per source) written atomically with feedgen.

A feed's bytes depend only on stored data, so regenerating without news gives
identical bytes and the file is left untouched (ETags stay valid).
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from . import __version__
from .extract.text import strip_control
from .models import Item
from .store import Store

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
CATEGORY_REGION = "urn:zxfeed:region"
CATEGORY_SOURCE = "urn:zxfeed:source"


def feed_filename(name: str) -> str:
    """A file-system safe name for a region or source key."""
    return _UNSAFE.sub("_", name).strip(". ") or "_"


def entry_id(item: Item) -> str:
    """A stable Atom id from the item's canonical URL."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "zxfeed:" + item.url).urn


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
        for region in self.store.regions():
            if regions is None or region in regions:
                specs.append(FeedSpec(f"region/{feed_filename(region)}.atom",
                                      f"{self.title} · {region}", region=region))
        for sid, name in sorted(self.source_names.items()):
            if sources is None or sid in sources:
                specs.append(FeedSpec(f"source/{feed_filename(sid)}.atom",
                                      f"{self.title} · {name}", source_id=sid))
        return specs

    def publish(self, *, regions: set[str] | None = None,
                sources: set[str] | None = None) -> list[Path]:
        """Regenerate feeds; return the files whose content changed."""
        written = []
        for spec in self.specs(regions=regions, sources=sources):
            items = self.store.items(region=spec.region, source_id=spec.source_id,
                                     limit=self.limit)
            if _write_if_changed(self.directory / spec.path, self.render(spec, items)):
                written.append(self.directory / spec.path)
        return written

    def render(self, spec: FeedSpec, items: list[Item]) -> bytes:
        """Atom 1.0 bytes for one feed, newest entry first."""
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
        for it in items:
            fe = fg.add_entry(order="append")
            fe.id(entry_id(it))
            fe.title(strip_control(it.title))
            fe.link(href=it.link, rel="alternate", type="text/html")
            if it.published:  # unknown dates stay unknown: no invented publish time
                fe.published(it.published)
            fe.updated(it.updated or it.first_seen or _EPOCH)
            fe.author({"name": strip_control(it.source_name)})
            for region in it.regions:
                fe.category(term=region, scheme=CATEGORY_REGION, label=region)
            fe.category(term=it.source_id, scheme=CATEGORY_SOURCE,
                        label=strip_control(self.source_names.get(it.source_id, it.source_name)))
            if it.summary:
                fe.summary(strip_control(it.summary))
        return fg.atom_str(pretty=True)


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Atomic replace (temp file + rename) only when the bytes differ."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
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
    return True
