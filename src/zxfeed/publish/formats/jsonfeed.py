"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) of the same entries."""

from __future__ import annotations

import json
from typing import Any

from . import FeedInfo
from .entry import CATEGORY_REGION, Entry

VERSION = "https://jsonfeed.org/version/1.1"


def _iso(dt: Any) -> str:
    return dt.isoformat(timespec="seconds")


def render_json(feed: FeedInfo, entries: list[Entry]) -> bytes:
    """JSON Feed bytes for one feed, newest item first; reprints under ``_zxfeed``."""
    items = []
    for e in entries:
        item: dict[str, Any] = {"id": e.id, "url": e.link, "title": e.title}
        if e.content:
            item["content_html"] = e.content
        else:
            item["content_text"] = e.summary
        item["summary"] = e.summary
        if e.published:
            item["date_published"] = _iso(e.published)
        item["date_modified"] = _iso(e.updated)
        item["authors"] = [{"name": e.author}]
        item["language"] = "zh-CN"
        item["tags"] = [term for term, scheme, _ in e.categories if scheme == CATEGORY_REGION]
        if e.enclosures:
            item["attachments"] = [{"url": h, "mime_type": m, "title": t} for h, t, m in e.enclosures]
        extension: dict[str, Any] = {"source_id": e.categories[-1][0]}
        if e.related:
            extension["related"] = [{"url": h, "title": t} for h, t in e.related]
        item["_zxfeed"] = extension
        items.append(item)
    doc: dict[str, Any] = {
        "version": VERSION, "title": feed.title, "home_page_url": feed.home,
        "feed_url": feed.urls[".json"], "language": "zh-CN",
        "authors": [{"name": "zxfeed"}], "items": items,
    }
    if feed.description:
        doc["description"] = feed.description
    if feed.hub:
        doc["hubs"] = [{"type": "WebSub", "url": feed.hub}]
    for rel, href, _ in feed.links:
        if rel == "next-archive" or rel == "prev-archive":
            doc.setdefault("_zxfeed", {})[rel.replace("-", "_")] = href
    # Compact: an indent turns json's C encoder off (several times slower on every round).
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
