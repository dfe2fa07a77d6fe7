"""Lists that live in scripts or JSON, not in markup.

Two shapes are common on government CMSs: calls with string arguments
(``new title_array('URL','标题','2024-02-05')``, ``arr[i] = ["URL", "标题", "日期"]``)
and JSON assigned to a variable or served by an endpoint (``var list = [{...}]``).
Neither is recognised by function or key *names*: a tuple is an item when one
string is a link, one a date and one a title; a JSON object when it has a
title-like, link-like and date-like value. A script's entries are a list only
when they look like articles: dated, or headline-long titles on article URLs
(a menu of places or channels is neither).
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
from collections.abc import Iterator
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..models import RawItem
from .dates import SHANGHAI, FoundDate, find_date, normalize_text
from .page import Page
from .text import clean_title

_STRING = r"""(?:'((?:[^'\\\n]|\\.){0,400})'|"((?:[^"\\\n]|\\.){0,400})")"""
_TUPLE = re.compile(r"[(\[]\s*" + _STRING + r"(?:\s*,\s*" + _STRING + r"){1,5}\s*[)\]]")
_ONE = re.compile(_STRING)
_LINKISH = re.compile(r"^(?:https?://|/|\./|\.\./)[^\s<>\"']*$|^[\w./-]+\.(?:s?html?|jsp|aspx?|php)(?:\?\S*)?$")
_ASSIGN = re.compile(r"(?:=|:|\()\s*(?=[\[{])")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TITLE_KEYS = ("title", "name", "subject", "headline", "bt", "biaoti", "标题", "docTitle", "t")
_LINK_KEYS = ("url", "link", "href", "path", "docUrl", "linkUrl", "pageUrl", "u")
_DATE_KEYS = ("date", "pubDate", "publishDate", "publishTime", "pubTime", "time", "docDate",
              "releaseDate", "createTime", "created", "fbsj", "rq", "d")


def _unescape(s: str) -> str:
    try:
        return json.loads('"' + s.replace('"', '\\"').replace("\\'", "'") + '"')
    except ValueError:
        return s


def _classify(values: list[str], now: datetime, tz: tzinfo) -> tuple[str, str, Any] | None:
    link = next((v for v in values if _LINKISH.match(v.strip())), None)
    dated = [(v, find_date(v, now, tz)) for v in values if v is not link]
    date_value = next(((v, f) for v, f in dated if f and len(normalize_text(v).strip()) <= 25),
                      None)
    titles = [v for v in values if v is not link and (date_value is None or v is not date_value[0])
              and _CJK.search(v)]
    if link is None or not titles:
        return None
    return link, max(titles, key=len), date_value[1] if date_value else None


def script_items(page: Page, now: datetime, tz: tzinfo = SHANGHAI) -> list[RawItem]:
    """Items from string tuples and JSON in the page's ``<script>`` blocks."""
    items: dict[str, RawItem] = {}
    for script in page.root.iter("script"):
        code = script.text or ""
        if len(code) < 20 or ("'" not in code and '"' not in code):
            continue
        found: list[RawItem] = []
        for m in _TUPLE.finditer(code):
            values = [_unescape(a or b) for a, b in _ONE.findall(m.group(0))]
            hit = _classify(values, now, tz)
            if hit:
                found.append(_raw(page, *hit))
        for data in _json_values(code):
            found.extend(_raw(page, t, u, d) for t, u, d in _entries(data, now, tz))
        if _article_like([f for f in found if f.url]):
            for it in found:
                if it.url and it.url not in items:
                    items[it.url] = it
    return list(items.values())


# Headline-long titles: place names (北京市) and channels (国内新闻) are shorter.
MIN_UNDATED_TITLE = 8


def _article_url(url: str) -> bool:
    """A link below a site's root (a host's homepage is a channel, not an article)."""
    return urlsplit(url).path.strip("/") != ""


def _article_like(found: list[RawItem]) -> bool:
    """Whether a script's entries are a list of articles rather than a menu."""
    if len(found) < 2:  # one stray call is not a list
        return False
    on_articles = [f for f in found if _article_url(f.url)]
    if len(on_articles) * 10 < len(found) * 7:
        return False
    if sum(f.published is not None for f in found) * 2 >= len(found):
        return True
    return statistics.median(len(f.title) for f in found) >= MIN_UNDATED_TITLE


def _raw(page: Page, link: str, title: str, found: Any) -> RawItem:
    clean, cut = clean_title(title)
    return RawItem(title=clean, url=page.resolve(link) or "", truncated=cut,
                   published=found.when if found else None, has_time=bool(found and found.has_time))


def _json_values(code: str) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        m = _ASSIGN.search(code, pos)
        if m is None:
            return
        try:
            value, end = decoder.raw_decode(code, m.end())
        except (ValueError, RecursionError):
            pos = m.end()
            continue
        if isinstance(value, list | dict):
            yield value
        pos = end


def _pick(obj: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lower = {k.lower(): v for k, v in obj.items() if isinstance(k, str)}
    for key in keys:
        if key.lower() in lower and lower[key.lower()] not in (None, ""):
            return lower[key.lower()]
    return None


def _entries(data: Any, now: datetime, tz: tzinfo) -> list[tuple[str, str, Any]]:
    """:func:`_walk` to a list, stopping where nesting outgrows the stack (the entries found so far stay)."""
    out: list[tuple[str, str, Any]] = []
    with contextlib.suppress(RecursionError):
        out.extend(_walk(data, now, tz))
    return out


def _walk(data: Any, now: datetime, tz: tzinfo) -> Iterator[tuple[str, str, Any]]:
    """(link, title, date) for every object that looks like a list entry, at any depth."""
    if isinstance(data, list):
        for value in data:
            yield from _walk(value, now, tz)
    elif isinstance(data, dict):
        title, link = _pick(data, _TITLE_KEYS), _pick(data, _LINK_KEYS)
        if isinstance(title, str) and isinstance(link, str) and _CJK.search(title):
            raw_date = _pick(data, _DATE_KEYS)
            found = _date_value(raw_date, now, tz)
            yield link, title, found
            return
        for value in data.values():
            if isinstance(value, list | dict):
                yield from _walk(value, now, tz)


def _date_value(value: Any, now: datetime, tz: tzinfo = SHANGHAI) -> Any:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not 10**9 < value < 10**14:  # 1e20, Infinity, NaN: no date, the entry stays
            return None
        # Epoch seconds or milliseconds, as JSON endpoints like to send.
        seconds = value / 1000 if value > 10**11 else value
        try:
            return FoundDate(datetime.fromtimestamp(seconds, tz), True)
        except (OverflowError, OSError, ValueError):
            return None
    return find_date(str(value)[:200], now, tz) if value else None


def json_items(data: Any, base: str, now: datetime, *, items_path: str | None = None,
               title: str | None = None, link: str | None = None,
               date: str | None = None, tz: tzinfo = SHANGHAI) -> list[RawItem]:
    """Items of a JSON document: by explicit field paths when given, else by shape."""
    def at(obj: Any, path: str | None) -> Any:
        for part in (path or "").split(".") if path else []:
            obj = obj[int(part)] if isinstance(obj, list) else (obj or {}).get(part)
        return obj

    out: dict[str, RawItem] = {}
    bad: list[RawItem] = []
    if items_path or title or link:
        entries = at(data, items_path) if items_path else data
        rows = []
        for entry in entries if isinstance(entries, list) else []:
            t, u = at(entry, title or "title"), at(entry, link or "url")
            if isinstance(t, str) and isinstance(u, str):
                rows.append((u, t, _date_value(at(entry, date or "date"), now, tz)))
    else:
        rows = _entries(data, now, tz)
    for u, t, found in rows:
        try:
            url = urljoin(base, u.strip())
        except ValueError:  # "http://[siteurl]/…": counted as skipped by extract_items
            url = ""
        clean, cut = clean_title(t)
        if url and not url.startswith(("http://", "https://")):
            url = ""
        if not clean or url in out:
            continue
        item = RawItem(title=clean, url=url, truncated=cut,
                       published=found.when if found else None,
                       has_time=bool(found and found.has_time))
        if url:
            out[url] = item
        else:
            bad.append(item)
    return list(out.values()) + bad
