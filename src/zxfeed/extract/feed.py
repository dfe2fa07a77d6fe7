"""RSS and Atom sources, read with feedparser from bytes; dates re-read by our own rules."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from urllib.parse import urljoin

import feedparser

from ..models import RawItem
from .dates import SHANGHAI, parse_date
from .text import clean_text, clean_title

_FEED_TYPES = ("rss", "atom", "rdf", "/xml", "+xml")
_FEED_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.S)


def is_feed(body: bytes, content_type: str | None) -> bool:
    """RSS/Atom by its root element; a Content-Type alone is not trusted (CMSs lie)."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf")
    if _FEED_START.match(head):
        return True
    ctype = (content_type or "").lower()
    return any(t in ctype for t in _FEED_TYPES) and b"<html" not in head.lower()


def _entry_date(entry: dict, now: datetime, tz: tzinfo = SHANGHAI):
    # feedparser reads "2024-02-05 10:30" as UTC and "2024/02/05" as the 1st of this
    # month; the raw strings, read as +08:00 where they carry no zone, are right.
    for key in ("published", "updated", "created", "dc_date", "date"):
        raw = entry.get(key)
        if raw:
            found = parse_date(raw, now, tz)
            if found is not None:
                return found
    return None


def parse_feed(
    body: bytes, url: str, *, content_type: str | None = None, now: datetime,
    tz: tzinfo = SHANGHAI,
) -> list[RawItem] | None:
    """Entries of a feed, or ``None`` when the bytes are not a feed at all."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        return None
    base = parsed.feed.get("link") or url
    items: dict[str, RawItem] = {}
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
        )
        if not link:
            guid = entry.get("id") or ""
            link = guid if guid.startswith(("http://", "https://", "/")) else None
        if not link:
            continue
        link = urljoin(url, urljoin(base, link.strip())) if not link.startswith("http") else link
        title, truncated = clean_title(entry.get("title") or "")
        if not title or link in items:
            continue
        found = _entry_date(entry, now, tz)
        summary = clean_text(_strip_tags(entry.get("summary") or "")) or None
        items[link] = RawItem(
            title=title,
            url=link.strip(),
            published=found.when if found else None,
            has_time=bool(found and found.has_time),
            truncated=truncated,
            summary=summary[:500] if summary else None,
        )
    return list(items.values())


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)
