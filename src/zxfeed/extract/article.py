"""Facts from an article page: its full title and publish time (government CMS metas first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bs4 import BeautifulSoup

from .dates import FoundDate, find_date, parse_date
from .text import clean_text, completes

# Site names follow the title after one of these: "标题_某某政协", "标题 - 某某政协网".
_SUFFIX_SPLIT = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|－|·)\s*")
_TITLE_METAS = ("articletitle", "og:title", "title", "dc.title")
_DATE_METAS = ("pubdate", "publishdate", "article:published_time", "dc.date", "firstpublishedtime",
               "publishdate", "og:release_date")
_DATE_LINE = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]\s*([^\n|]{6,40})")


@dataclass(slots=True)
class Article:
    """What an article page says about itself."""

    title: str | None
    published: FoundDate | None


def _metas(soup: BeautifulSoup) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("name") or tag.get("property") or "").strip().lower()
        content = tag.get("content")
        if key and content and key not in out:
            out[key] = content.strip()
    return out


def _title_candidates(soup: BeautifulSoup, metas: dict[str, str]) -> list[str]:
    found = [clean_text(metas[k]) for k in _TITLE_METAS if metas.get(k)]
    found += [clean_text(h.get_text(" ")) for h in soup.find_all(["h1", "h2"])]
    if soup.title and soup.title.string:
        full = clean_text(soup.title.string)
        cuts = list(_SUFFIX_SPLIT.finditer(full))
        # The site name usually trails ("标题_某某政协"), sometimes leads ("某某政协 - 标题").
        found += [full[: m.start()] for m in reversed(cuts)]
        found += [full[m.end() :] for m in cuts]
        found.append(full)
    return [f for f in found if f]


def parse_article(text: str, truncated_title: str, now: datetime) -> Article:
    """The full title that completes ``truncated_title``, and the publish time, if present."""
    soup = BeautifulSoup(text, "lxml")
    metas = _metas(soup)
    title = None
    for candidate in _title_candidates(soup, metas):
        if completes(candidate, truncated_title):
            title = candidate
            break
    published = None
    for key in _DATE_METAS:
        if metas.get(key):
            published = parse_date(metas[key], now)
            if published:
                break
    if published is None:
        m = _DATE_LINE.search(soup.get_text("\n"))
        if m:
            published = find_date(m.group(1), now)
    if published is not None and not published.has_time:
        published = _time_of_day(soup, published, now)
    return Article(title=title, published=published)


def _time_of_day(soup: BeautifulSoup, day: FoundDate, now: datetime) -> FoundDate:
    """A date-only meta made precise by the same day written with a time in the page."""
    for i, text in enumerate(soup.stripped_strings):
        if i > 400:
            break
        found = find_date(text, now)
        if found and found.has_time and found.when.date() == day.when.date():
            return found
    return day
