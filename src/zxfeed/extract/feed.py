"""RSS and Atom sources, read with feedparser from bytes; dates re-read by our own rules."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from urllib.parse import urljoin

from ..models import RawItem
from .dates import SHANGHAI, FoundDate, parse_date
from .limits import MAX_ITEMS, MAX_SUMMARY, MAX_TITLE
from .links import web_link
from .text import clean_text, clean_title

_FEED_TYPES = ("rss", "atom", "rdf", "/xml", "+xml")
_FEED_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b", re.S)
# A DOCTYPE's internal subset is where entities are declared ("billion laughs" and milder
# amplification): feeds need none, so it goes before any parser sees the bytes.
_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(?:\[.*?\]\s*)?>", re.S | re.I)
_ENTITY_NAME = re.compile(rb"<!ENTITY\s+(?:%\s+)?([\w.:-]+)")
# Character references to surrogates make feedparser raise for the whole feed.
_SURROGATE_REF = re.compile(rb"&#(?:0*5[5-7]\d{3}|[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2});")


def is_feed(body: bytes, content_type: str | None) -> bool:
    """RSS/Atom by its root element; a Content-Type alone is not trusted (CMSs lie)."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf")
    if _FEED_START.match(head):
        return True
    ctype = (content_type or "").lower()
    return any(t in ctype for t in _FEED_TYPES) and b"<html" not in head.lower()


def _entry_date(entry: dict, now: datetime, tz: tzinfo = SHANGHAI) -> FoundDate | None:
    # feedparser reads "2024-02-05 10:30" as UTC and "2024/02/05" as the 1st of this
    # month; the raw strings, read as +08:00 where they carry no zone, are right.
    for key in ("published", "updated", "created", "dc_date", "date"):
        raw = entry.get(key)
        if raw:
            found = parse_date(raw[:200], now, tz)
            if found is not None:
                return found
    return None


def parse_feed(
    body: bytes, url: str, *, content_type: str | None = None, now: datetime,
    tz: tzinfo = SHANGHAI,
) -> list[RawItem] | None:
    """Entries of a feed, or ``None`` when the bytes are not a feed at all."""
    import feedparser  # a tenth of a second to import: only feed sources pay it

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(_defused(body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        return None
    base = parsed.feed.get("link") or url
    items: dict[str, RawItem] = {}
    bad: list[RawItem] = []
    for entry in parsed.entries[:MAX_ITEMS * 2]:
        try:
            item = _entry_item(entry, url, base, now, tz)
        except (ValueError, UnicodeError, OverflowError):
            item = RawItem(title="?", url="")  # one unreadable entry, counted by extract_items
        if item is None or item.url in items:
            continue
        if item.url:
            items[item.url] = item
        else:
            bad.append(item)
    return list(items.values()) + bad


def _defused(body: bytes) -> bytes:
    """The feed without entity declarations (nor references to them) and surrogate references."""
    head = body[:4096]
    if b"<!DOCTYPE" in head or b"<!doctype" in head:
        m = _DOCTYPE.search(body)
        if m is not None:
            names = _ENTITY_NAME.findall(m.group(0))[:200]
            body = body[:m.start()] + body[m.end():]
            if names:
                body = re.sub(b"&(?:" + b"|".join(map(re.escape, names)) + b");", b"", body)
    if b"&#" in body:
        body = _SURROGATE_REF.sub(b"&#xFFFD;", body)
    return body


def _entry_item(entry: dict, url: str, base: str, now: datetime, tz: tzinfo) -> RawItem | None:
    link = entry.get("link") or next(
        (lk.get("href") for lk in entry.get("links", []) if lk.get("href")), None
    )
    if not link:
        guid = entry.get("id") or ""
        link = guid if guid.startswith(("http://", "https://", "/")) else None
    if not link:
        return None
    link = urljoin(url, urljoin(base, link.strip())) if not link.startswith("http") else link
    title, truncated = clean_title((entry.get("title") or "")[:MAX_TITLE * 4])
    if not title:
        return None
    found = _entry_date(entry, now, tz)
    summary = clean_text(_strip_tags((entry.get("summary") or "")[:MAX_SUMMARY * 4])) or None
    # A javascript:/data: link keeps its entry's place so that extract_items counts it.
    return RawItem(
        title=title,
        url=web_link(link) or "",
        published=found.when if found else None,
        has_time=bool(found and found.has_time),
        truncated=truncated,
        summary=summary[:500] if summary else None,
    )


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)
