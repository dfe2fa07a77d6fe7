"""Items picked by a source's explicit CSS selectors (item, title, link, date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from lxml.cssselect import CSSSelector

from ..models import RawItem
from .dates import SHANGHAI, date_from_url, find_date
from .page import Page
from .text import clean_title, completes, element_text


@dataclass(frozen=True, slots=True)
class Selectors:
    """CSS selectors: ``item`` per entry; ``title``/``link``/``date`` relative to it."""

    item: str
    title: str = "a"
    link: str | None = None
    date: str | None = None


# Compiled once per distinct selector set, not on every poll.
_cache: dict[Selectors, tuple] = {}


def _compile(sel: Selectors) -> tuple:
    if sel not in _cache:
        _cache[sel] = (
            CSSSelector(sel.item),
            CSSSelector(sel.title),
            CSSSelector(sel.link or sel.title),
            CSSSelector(sel.date) if sel.date else None,
        )
    return _cache[sel]


def select_items(page: Page, selectors: Selectors, now: datetime,
                 tz: tzinfo = SHANGHAI) -> list[RawItem]:
    """One item per element matching ``selectors.item`` that has a link and a title."""
    item_sel, title_sel, link_sel, date_sel = _compile(selectors)
    items: dict[str, RawItem] = {}
    for el in item_sel(page.root):
        title_el = next(iter(title_sel(el)), None)
        link_el = next(iter(link_sel(el)), None)
        if title_el is None or link_el is None:
            continue
        href = link_el.get("href")
        if href is None:
            inner = next(link_el.iter("a"), None)
            href = inner.get("href") if inner is not None else None
        url = page.resolve(href)
        title, truncated = clean_title(element_text(title_el))
        attr, attr_cut = clean_title(title_el.get("title") or link_el.get("title") or "")
        if attr and not attr_cut and completes(attr, title):
            title, truncated = attr, False
        if not url or not title or url in items:
            continue
        date_el = next(iter(date_sel(el)), None) if date_sel is not None else el
        found = find_date(element_text(date_el), now, tz) if date_el is not None else None
        from_url = found is None
        found = found or date_from_url(url, now, tz)
        items[url] = RawItem(
            title=title,
            url=url,
            published=found.when if found else None,
            has_time=bool(found and found.has_time),
            truncated=truncated,
            date_from_url=from_url and found is not None,
        )
    return list(items.values())
