"""Extract stage: page bytes → :class:`~zxfeed.models.RawItem` list (HTML lists or feeds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..encoding import decode
from ..models import RawItem
from .autodetect import detect_items
from .feed import is_feed, parse_feed
from .listing import Selectors, select_items
from .page import parse_html


@dataclass(slots=True)
class Extraction:
    """What one page yielded, and facts about it that source health reports."""

    items: list[RawItem]
    kind: str  # "html" or "feed"
    encoding: str
    replacements: int = 0
    warnings: list[str] = field(default_factory=list)


def extract_items(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    now: datetime,
    kind: str = "auto",
    encoding: str | None = None,
    selectors: Selectors | None = None,
) -> Extraction:
    """Items of a list page or feed; ``kind`` is ``auto``, ``html`` or ``feed``."""
    if kind == "feed" or (kind == "auto" and is_feed(body, content_type)):
        items = parse_feed(body, url, content_type=content_type, now=now)
        if items is not None:
            return Extraction(items, "feed", "feed")
    decoded = decode(body, content_type, forced=encoding)
    page = parse_html(decoded.text, url)
    items = select_items(page, selectors, now) if selectors else detect_items(page, now)
    warnings = []
    if decoded.replacements:
        warnings.append(f"{decoded.replacements} characters undecodable as {decoded.encoding}")
    return Extraction(items, "html", decoded.encoding, decoded.replacements, warnings)
