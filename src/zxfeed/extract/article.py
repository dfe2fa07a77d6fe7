"""Facts from an article page: full title, publish time, source, author, summary, attachments.

Government CMS metas come first (``ArticleTitle``, ``PubDate``, ``ContentSource``),
then the lines people read (``发布时间：… 来源：…``), then the URL's date. The body
is the densest block of paragraph text (:mod:`.body`), kept as sanitized HTML; its
first ~200 characters, minus bylines, boilerplate and the title, make the summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .body import find_body
from .dates import SHANGHAI, FoundDate, date_from_url, find_date, parse_date
from .page import parse_html, text_content
from .sanitize import clean_html
from .text import clean_text, completes

# Site names follow the title after one of these: "标题_某某政协", "标题 - 某某政协网".
_SUFFIX_SPLIT = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|－|·)\s*")
_TITLE_METAS = ("articletitle", "og:title", "title", "dc.title")
_DATE_METAS = ("pubdate", "publishdate", "article:published_time", "dc.date", "firstpublishedtime",
               "og:release_date")
_SOURCE_METAS = ("contentsource", "source")
_AUTHOR_METAS = ("author", "article:author")
_DATE_LINE = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]\s*([^\n|]{6,40})")
_SOURCE_LINE = re.compile(r"(?:来源|稿源|文章来源|信息来源)\s*[:：]\s*([^\s|/丨]{2,30})")
_AUTHOR_LINE = re.compile(r"(?:作者|记者|撰稿)\s*[:：]\s*([^\s|/丨]{2,20}(?:\s[^\s|/丨]{2,6}){0,2})")
_ORIGINAL = re.compile(r"原文(?:链接|地址)\s*[:：]?\s*(https?://[^\s<>\"'，。]+)")
_ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|wps|et|zip|rar|7z|ofd)(?:$|\?)", re.I)
_BOILER = re.compile(r"^(?:来源|作者|编辑|责任编辑|记者|通讯员|发布时间|时间|浏览次数|字号|打印|关闭|"
                     r"分享到|原文链接|【|\[免责声明\]|免责声明)")
# Words every pattern over page_text starts with (_DATE_LINE, _SOURCE_LINE, _AUTHOR_LINE, _ORIGINAL).
_LINE_LABELS = ("时间", "日期", "来源", "稿源", "作者", "记者", "撰稿", "原文")
_SEARCH_HOSTS = ("baidu.com", "sogou.com", "so.com", "google.")
MIME = {"pdf": "application/pdf", "doc": "application/msword",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls": "application/vnd.ms-excel",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt": "application/vnd.ms-powerpoint",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "zip": "application/zip", "rar": "application/vnd.rar", "ofd": "application/ofd",
        "wps": "application/vnd.ms-works", "et": "application/vnd.ms-excel",
        "7z": "application/x-7z-compressed"}


@dataclass(slots=True)
class Article:
    """What an article page says about itself."""

    title: str | None
    published: FoundDate | None
    source: str | None = None
    author: str | None = None
    summary: str | None = None
    original_url: str | None = None
    attachments: list[tuple[str, str, str]] = field(default_factory=list)  # (url, title, mime)
    body: str = ""
    content: str | None = None  # the body as sanitized HTML (links and images absolute)


def _text(el: etree._Element) -> str:
    """Text of an element with a line break between text nodes (labels stay on their lines)."""
    return "\n".join(filter(str.strip, el.itertext()))


def _metas(root: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in root.iter("meta"):
        key = (tag.get("name") or tag.get("property") or "").strip().lower()
        content = tag.get("content")
        if key and content and key not in out:
            out[key] = content.strip()
    return out


def _title_candidates(root: etree._Element, metas: dict[str, str]) -> list[str]:
    found = [clean_text(metas[k]) for k in _TITLE_METAS if metas.get(k)]
    found += [clean_text(text_content(h)) for h in root.iter("h1", "h2")]
    title_el = next(root.iter("title"), None)
    if title_el is not None and text_content(title_el).strip():
        full = clean_text(text_content(title_el))
        cuts = list(_SUFFIX_SPLIT.finditer(full))
        # The site name usually trails ("标题_某某政协"), sometimes leads ("某某政协 - 标题").
        found += [full[: m.start()] for m in reversed(cuts)]
        found += [full[m.end() :] for m in cuts]
        found.append(full)
    return [f for f in found if f]


def _summary(text: str, title: str = "", limit: int = 200) -> str | None:
    lines = [clean_text(line) for line in text.splitlines()]
    kept = [line for line in lines if line and not _BOILER.match(line)]
    joined = " ".join(kept).strip()
    # Bodies often open with their own headline: readers show the title already.
    if title and len(title) >= 4 and _squash(joined).startswith(_squash(title)):
        joined = _after_title(joined, title)
    if not joined:
        return None
    return joined if len(joined) <= limit else joined[:limit].rstrip() + "…"


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def _after_title(text: str, title: str) -> str:
    """``text`` from just after its opening ``title`` (spaces and punctuation may differ)."""
    want, i = len(_squash(title)), 0
    seen = 0
    while i < len(text) and seen < want:
        if _squash(text[i]):
            seen += 1
        i += 1
    return text[i:].lstrip(" ）)】」』”’》：:，,。.—-|").strip()


def _meta_date(metas: dict[str, str], now: datetime, tz: tzinfo) -> FoundDate | None:
    for key in _DATE_METAS:
        if metas.get(key):
            found = parse_date(metas[key], now, tz)
            if found:
                return found
    return None


def parse_article(text: str, truncated_title: str, now: datetime, url: str = "",
                  tz: tzinfo = SHANGHAI) -> Article:
    """Everything an article page tells about itself; ``title`` only if it completes the cut one."""
    page = parse_html(text, url or "http://localhost/")
    root = page.root
    metas = _metas(root)
    title = next((c for c in _title_candidates(root, metas) if completes(c, truncated_title)), None)
    etree.strip_elements(root, "script", "style", "noscript", etree.Comment, with_tail=False)
    # The lines people read are searched only on a page that has one of their labels: each
    # label lies inside one text node, so the page's plain text (one XPath call) tells.
    plain = text_content(root)
    page_text = _text(root) if any(label in plain for label in _LINE_LABELS) else ""
    published = _meta_date(metas, now, tz)
    if published is None:
        m = _DATE_LINE.search(page_text)
        published = find_date(m.group(1), now, tz) if m else None
    if published is not None and not published.has_time:
        published = _time_of_day(root, published, now, tz)
    if published is None and url:
        published = date_from_url(url, now, tz)
    source = next((clean_text(metas[k]) for k in _SOURCE_METAS if metas.get(k)), None)
    if source is None:
        m = _SOURCE_LINE.search(page_text)
        source = m.group(1).strip() if m else None
    author = next((clean_text(metas[k]) for k in _AUTHOR_METAS if metas.get(k)), None)
    if author is None:
        m = _AUTHOR_LINE.search(page_text)
        author = clean_text(m.group(1)) if m else None
    body = find_body(root)
    body_text = _text(body) if body is not None else ""
    # Attachment lists often sit just below the text, outside its element.
    attachments = (body is not None and _attachments(body, page.base)) or _attachments(root, page.base)
    content = None
    if body is not None:
        content = clean_html(etree.tostring(body, encoding="unicode", method="html", with_tail=False),
                             page.base, attachments=attachments) or None
    return Article(
        title=title, published=published, source=source, author=author,
        summary=_summary(body_text, title or truncated_title),
        original_url=_original(root, page_text, url), attachments=attachments,
        body=clean_text(body_text), content=content,
    )


_LABELLED = etree.XPath("//*[a[@href]][contains(., '原文') or contains(., '来源')]")


def _original(root: etree._Element, page_text: str, url: str) -> str | None:
    """Where a reprint came from: a 原文链接 line, a 来源 link, or a canonical link elsewhere."""
    m = _ORIGINAL.search(page_text)
    if m:
        return m.group(1).rstrip(".,;)")
    # Only links whose surroundings mention 原文/来源 (string(.) is evaluated in C, once per
    # element holding links rather than once per link), in page order.
    around = {a for box in _LABELLED(root) for a in box.iterchildren("a") if a.get("href") is not None}
    for a in (a for a in root.iter("a") if a in around):
        href = urljoin(url, (a.get("href") or "").strip())
        parent = a.getparent()
        label = (text_content(parent) if parent is not None else "")[:200]
        if re.search(r"原文|来源\s*[:：]", label) and href.startswith("http") and \
                not any(h in href for h in _SEARCH_HOSTS) and _other_site(href, url):
            return href
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            href = urljoin(url, link.get("href"))
            if _other_site(href, url):
                return href
    return None


def _other_site(href: str, url: str) -> bool:
    a, b = urlsplit(href).hostname or "", urlsplit(url).hostname or ""
    return bool(a) and a.removeprefix("www.") != b.removeprefix("www.")


def _attachments(root: etree._Element, url: str) -> list[tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        m = _ATTACHMENT.search(href)
        if m:
            href = urljoin(url, href)
            out.setdefault(href, (href, clean_text(text_content(a)) or href.rsplit("/", 1)[-1],
                                  MIME.get(m.group(1).lower(), "application/octet-stream")))
    return list(out.values())[:20]


def _time_of_day(root: etree._Element, day: FoundDate, now: datetime, tz: tzinfo) -> FoundDate:
    """A date-only meta made precise by the same day written with a time in the page."""
    for i, text in enumerate(t for t in root.itertext() if t.strip()):
        if i > 400:
            break
        found = find_date(text, now, tz)
        if found and found.has_time and found.when.date() == day.when.date():
            return found
    return day
