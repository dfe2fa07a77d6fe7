"""OPML 2.0 listing every feed zxfeed publishes, for importing into feed readers.

Atom comes first (as it always has); RSS 2.0 and JSON Feed follow in folders of their
own, so that a reader importing the file can pick one format rather than all three.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from ..config.settings import Config
from ..normalize.items import region_keys
from .formats import feed_filename

FORMATS = {".atom": "Atom", ".rss": "RSS 2.0", ".json": "JSON Feed"}


def build_opml(cfg: Config, now: datetime, formats: tuple[str, ...] = tuple(FORMATS)) -> bytes:
    """Merged, per-region, per-source and saved-search feeds, grouped as readers show folders."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{cfg.feeds.title} (zxfeed)"
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for n, suffix in enumerate(formats):
        parent = body if n == 0 else ET.SubElement(body, "outline", text=FORMATS[suffix],
                                                   title=FORMATS[suffix])
        _feeds(cfg, parent, suffix)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _feeds(cfg: Config, parent: ET.Element, suffix: str) -> None:
    base = f"{cfg.base_url}/feeds/"

    def feed(folder: ET.Element, title: str, stem: str, html: str | None = None) -> None:
        attrs = {"type": "rss", "text": title, "title": title, "xmlUrl": base + quote(stem + suffix)}
        if html:
            attrs["htmlUrl"] = html
        ET.SubElement(folder, "outline", attrs)

    feed(parent, cfg.feeds.title, "all")
    regions = ET.SubElement(parent, "outline", text="地区", title="地区")
    keys = sorted({k for s in cfg.sources for k in region_keys(s.region, s.city, s.district)})
    for key in keys:
        feed(regions, f"{cfg.feeds.title} · {key}", f"region/{feed_filename(key)}")
    sources = ET.SubElement(parent, "outline", text="来源", title="来源")
    for src in cfg.sources:
        feed(sources, src.name, f"source/{feed_filename(src.id)}", src.url)
    if cfg.feeds.custom:
        saved = ET.SubElement(parent, "outline", text="订阅搜索", title="订阅搜索")
        for c in cfg.feeds.custom:
            feed(saved, f"{cfg.feeds.title} · {c.name}", f"custom/{feed_filename(c.name)}")
