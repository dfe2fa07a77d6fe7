"""``zxfeed discover``: from a homepage, find the pages worth following.

The homepage and a bounded number of same-site column pages (chosen by their
link text: 要闻, 工作动态, 协商, 提案, 社情民意, 委员, 通知公告 …) are fetched
politely; each is read like any list page, and pages are ranked by how many
dated items they hold. Feeds announced with ``<link rel="alternate">`` come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from ..extract import extract_items
from ..extract.dates import date_from_url
from ..extract.encoding import decode
from ..extract.page import parse_html, text_content
from ..extract.text import clean_text
from ..fetch.client import Fetcher, FetchError
from ..fetch.netguard import Reach
from .health import looks_like_wall

COLUMN_WORDS = ("要闻", "工作动态", "政协动态", "协商", "提案", "社情民意", "委员", "履职",
                "通知公告", "公告", "新闻", "动态", "视察", "调研", "专题", "基层", "资讯",
                "重要活动", "领导活动", "常委会", "主席会议", "文史", "理论")
_NOT_COLUMNS = re.compile(r"登录|注册|English|无障碍|搜索|邮箱|网站地图|联系我们|关于我们|"
                          r"首页|返回|下载|投稿|留言|信箱")
_REGION = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:省|自治区|市|自治州|地区|盟|区|县|旗))")


@dataclass(slots=True)
class Candidate:
    """A page worth polling: its URL, a label, the kind, and how many dated items it showed."""

    url: str
    label: str
    kind: str
    items: int
    dated: int


def _same_site(a: str, b: str) -> bool:
    ha, hb = (urlsplit(u).hostname or "" for u in (a, b))
    return ha.removeprefix("www.") == hb.removeprefix("www.")


def _column_links(text: str, url: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """(feeds, columns, site title) from a homepage: columns ranked by their words."""
    page = parse_html(text, url)
    feeds = []
    for link in page.root.iter("link"):
        rel = (link.get("rel") or "").lower()
        typ = (link.get("type") or "").lower()
        if "alternate" in rel and ("rss" in typ or "atom" in typ) and link.get("href"):
            feeds.append((urljoin(page.base, link.get("href")), clean_text(link.get("title") or "")))
    scored: dict[str, tuple[int, str]] = {}
    for a in page.root.iter("a"):
        href = page.resolve(a.get("href"))
        label = clean_text(text_content(a))
        if not href or not label or len(label) > 12 or _NOT_COLUMNS.search(label):
            continue
        if not _same_site(href, url) or date_from_url(href) is not None:
            continue  # another site, or an article rather than a column
        score = sum(word in label for word in COLUMN_WORDS)
        if score and (href not in scored or scored[href][0] < score):
            scored[href] = (score, label)
    columns = sorted(scored.items(), key=lambda kv: -kv[1][0])
    title_el = next(page.root.iter("title"), None)
    title = clean_text(text_content(title_el)) if title_el is not None else ""
    return feeds, [(u, label) for u, (_, label) in columns], title


def discover(url: str, fetcher: Fetcher, now: datetime, *, max_pages: int = 20
             ) -> tuple[list[Candidate], str]:
    """Ranked candidates (best first) and the site's title."""
    try:
        home = fetcher.get(url)
    except FetchError as exc:
        raise FetchError(exc.kind, f"{url}: {exc}") from None
    if looks_like_wall(home.body, home.status):
        raise FetchError("blocked", f"{url}: the site answers with an anti-bot challenge page")
    feeds, columns, title = _column_links(decode(home.body, home.content_type).text, home.url)
    found: list[Candidate] = []
    seen: set[str] = set()

    def visit(page_url: str, label: str, body: bytes | None = None,
              content_type: str | None = None) -> None:
        if page_url in seen:
            return
        seen.add(page_url)
        if body is None:
            try:
                # A column may reach what the homepage's own host may, nothing more internal.
                resp = fetcher.get(page_url, reach=Reach.own(url, allow_all=fetcher.settings.allow_private))
            except FetchError:
                return
            body, content_type, page_url = resp.body, resp.content_type, resp.url
        result = extract_items(body, page_url, content_type=content_type, now=now)
        dated = sum(1 for it in result.items if it.published is not None and not it.date_from_url)
        if result.items:
            found.append(Candidate(page_url, label, result.kind, len(result.items), dated))

    for feed_url, label in feeds:
        visit(feed_url, label or "订阅源")
    visit(home.url, "首页", home.body, home.content_type)
    for column_url, label in columns[:max_pages]:
        visit(column_url, label)
    found.sort(key=lambda c: (c.kind != "feed", -c.dated, -c.items))
    return found, title


def to_toml(candidates: list[Candidate], site_title: str, site_url: str) -> str:
    """Ready-to-paste ``[[sources]]`` entries, best first."""
    host = (urlsplit(site_url).hostname or "site").removeprefix("www.").split(".")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-") or "site"
    region = _REGION.search(site_title)
    name = re.split(r"[-_|｜—]", site_title)[0].strip() or host
    out = [f"# {len(candidates)} pages found on {site_url} — keep the ones you want; "
           "check region/city before use."]
    for i, c in enumerate(candidates, 1):
        out.append(
            f"\n[[sources]]\nid = \"{slug}-{i}\"\nname = \"{name} · {c.label}\"\n"
            f"url = \"{c.url}\"\nregion = \"{region.group(1) if region else '待定'}\"\n"
            + ("kind = \"feed\"\n" if c.kind == "feed" else "")
            + f"# {c.items} items, {c.dated} with dates ({c.kind})"
        )
    return "\n".join(out) + "\n"
