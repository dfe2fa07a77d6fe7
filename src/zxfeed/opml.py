"""OPML 2.0 listing every feed zxfeed publishes, for importing into feed readers."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from urllib.parse import quote
from xml.etree import ElementTree as ET

from .config import Config
from .normalize import region_keys
from .publish import feed_filename


def build_opml(cfg: Config, now: datetime) -> bytes:
    """Merged, per-region and per-source feeds, grouped as readers show folders."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{cfg.feeds.title} (zxfeed)"
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    base = f"{cfg.base_url}/feeds/"

    def feed(parent: ET.Element, title: str, path: str, html: str | None = None) -> None:
        attrs = {"type": "rss", "text": title, "title": title, "xmlUrl": base + quote(path)}
        if html:
            attrs["htmlUrl"] = html
        ET.SubElement(parent, "outline", attrs)

    feed(body, cfg.feeds.title, "all.atom")
    regions = ET.SubElement(body, "outline", text="地区", title="地区")
    keys = sorted({k for s in cfg.sources for k in region_keys(s.region, s.city, s.district)})
    for key in keys:
        feed(regions, f"{cfg.feeds.title} · {key}", f"region/{feed_filename(key)}.atom")
    sources = ET.SubElement(body, "outline", text="来源", title="来源")
    for src in cfg.sources:
        feed(sources, src.name, f"source/{feed_filename(src.id)}.atom", src.url)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")
