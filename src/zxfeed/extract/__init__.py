"""Extract stage: page bytes → :class:`~zxfeed.models.RawItem` list (HTML lists or feeds)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..models import RawItem
from .autodetect import ListHint, detect_blocks, hint_for, hinted_items, merge_items
from .blocks import Block, choose
from .dates import SHANGHAI
from .encoding import decode
from .feed import is_feed, parse_feed
from .limits import MAX_ITEMS, MAX_TITLE
from .links import web_link
from .listing import Selectors, select_items
from .page import parse_html
from .scripts import json_items, script_items


@dataclass(slots=True)
class Extraction:
    """What one page yielded, and facts about it that source health reports."""

    items: list[RawItem]
    kind: str  # "html" or "feed"
    encoding: str
    replacements: int = 0
    warnings: list[str] = field(default_factory=list)
    # Automatic detection: every dated list found, whether it was taken, and why not.
    blocks: list[Block] = field(default_factory=list)
    skipped: int = 0  # entries dropped for a link or text no later stage could handle
    # Where the one chosen list stood (for the next poll of this page), if there was one.
    hint: ListHint | None = None
    hinted: bool = False  # the items came from the hint, not from detection over the page


def extract_items(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    now: datetime,
    kind: str = "auto",
    encoding: str | None = None,
    selectors: Selectors | None = None,
    json_fields: dict[str, str | None] | None = None,
    tz: tzinfo = SHANGHAI,
    lists: str | Sequence[str] | None = None,
    hint: ListHint | None = None,
) -> Extraction:
    """Items of a list page, feed or JSON list; ``kind`` is ``auto``, ``html``, ``feed`` or ``json``.

    ``tz`` is the sites' time zone; ``lists`` picks lists (``"main"``, ``"all"``, headings).
    ``hint``: the ``Extraction.hint`` of this page's last extraction; its list is read first
    and the page searched again only when that list is gone or gives fewer items.
    """
    return _kept(_extract(body, url, content_type=content_type, now=now, kind=kind,
                          encoding=encoding, selectors=selectors, json_fields=json_fields,
                          tz=tz, lists=lists, hint=hint))


def _kept(result: Extraction) -> Extraction:
    """Only entries with a usable web link, at most MAX_ITEMS, titles bounded; the rest counted."""
    kept: list[RawItem] = []
    for item in result.items:
        link = web_link(item.url)
        if link is None or not item.title:
            result.skipped += 1
            continue
        item.url = link
        if len(item.title) > MAX_TITLE:
            item.title = item.title[:MAX_TITLE]
        kept.append(item)
    if len(kept) > MAX_ITEMS:
        result.warnings.append(f"{len(kept)} items on one page, kept the first {MAX_ITEMS}")
        kept = kept[:MAX_ITEMS]
    result.items = kept
    return result


def _extract(
    body: bytes,
    url: str,
    *,
    content_type: str | None,
    now: datetime,
    kind: str,
    encoding: str | None,
    selectors: Selectors | None,
    json_fields: dict[str, str | None] | None,
    tz: tzinfo,
    lists: str | Sequence[str] | None,
    hint: ListHint | None = None,
) -> Extraction:
    if kind == "feed" or (kind == "auto" and is_feed(body, content_type)):
        items = parse_feed(body, url, content_type=content_type, now=now, tz=tz)
        if items is not None:
            return Extraction(items, "feed", "feed")
    decoded = decode(body, content_type, forced=encoding)
    # JSON, or JSONP "callback({…": the ")" closes the cut-off head so the pattern can match.
    looks_json = decoded.text.lstrip()[:1] in ("[", "{") or _JSONP.match(decoded.text[:200] + ")")
    if kind == "json" or (kind == "auto" and looks_json):
        data = _load_json(decoded.text)
        if data is not None:
            items = json_items(data, url, now, tz=tz, **(json_fields or {}))
            return Extraction(items, "json", decoded.encoding, decoded.replacements)
    page = parse_html(decoded.text, url)
    warnings: list[str] = []
    blocks: list[Block] = []
    new_hint: ListHint | None = None
    hinted = None
    if selectors:
        items = select_items(page, selectors, now, tz)
    else:
        scripted = script_items(page, now, tz)
        if hint is not None and not scripted:
            hinted = hinted_items(page, hint, now, tz)
        if hinted is not None:
            blocks, items, new_hint = hinted
        else:
            found = detect_blocks(page, now, tz)
            if scripted:
                found.append((Block("脚本中的列表", [i.url for i in scripted]), scripted))
            blocks = [block for block, _ in found]
            warnings += choose(blocks, lists)
            items = merge_items([chunk for block, chunk in found if block.kept])
            new_hint = hint_for(page, blocks)
    if decoded.replacements:
        warnings.append(f"{decoded.replacements} characters undecodable as {decoded.encoding}")
    return Extraction(items, "html", decoded.encoding, decoded.replacements, warnings, blocks,
                      hint=new_hint, hinted=hinted is not None)


_JSONP = re.compile(r"^\s*[\w.$]+\s*\(\s*([\[{].*)\)\s*;?\s*$", re.S)


def _load_json(text: str) -> object | None:
    """JSON, or JSONP (``callback({...})``), or ``None``."""
    m = _JSONP.match(text)
    for candidate in ((m.group(1),) if m else ()) + (text,):
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            continue
    return None
