"""Which of a page's dated lists are its news: the main list, every block, or named blocks.

A *column page* has one dominant list (much longer than any other, or the one with
a pager): only that list is taken, not the 热门/推荐/排行 boxes beside it. A *portal*
shows several comparable dated blocks, none dominant, or a longest block that is
itself a teaser with a "更多" link (a column's own list needs none): all are taken.
An article or aggregator page whose only lists are sidebars is the second case.
The operator may override per source: ``"main"``, ``"all"`` or block headings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from lxml import etree

from .page import text_content
from .text import clean_text

# A list this much longer than the next one is the page's main list.
DOMINANCE = 2.0
MIN_MAIN = 8
# Elements read of a box beside a list: a title bar or pager is small, a big box is neither.
NEAR_ELEMENTS = 120
_PAGER = re.compile(r"下一?页|上一?页|尾\s*页|末\s*页|共\s*\d+\s*页|第\s*\d+\s*页|\d+\s*/\s*\d+\s*页|"
                    r"createPageHTML|next\s*page", re.IGNORECASE)
_HEADING_CLASS = re.compile(r"tit|head|hd|bt|lm|caption|name|bar|tab|nav", re.IGNORECASE)
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "caption", "legend", "dt", "th"))
_MORE_LINK = re.compile(r"^[\[【(（<《>》»+\s]*(更多|查看更多|more|MORE|More|>>|»|＞＞)[\]】)）>》»+\s]*$")
_CRUMB = re.compile(r"位置|首页\s*[>›»]")
_MORE = re.compile(r"[>》»\s]*(更多|more|MORE|More)[>》»+\s]*")


@dataclass(slots=True)
class Block:
    """One dated list of a page: what it is called, its items' URLs, and whether it was taken."""

    label: str
    urls: list[str]
    heading: str = ""
    pager: bool = False
    more: bool = False  # a "更多" link beside it: a teaser of a column elsewhere
    kept: bool = True
    reason: str = ""
    containers: list[etree._Element] = field(default_factory=list, repr=False)
    records: list[list[etree._Element]] = field(default_factory=list, repr=False)  # per container


def _text_upto(el: etree._Element, limit: int, head: bool = False) -> str | None:
    """The element's text; past ``limit`` visible characters, its head (or ``None``).

    Asked of big boxes beside a list too: reading all their text would cost more
    than the answer is worth.
    """
    parts: list[str] = []
    seen = 0
    for text in islice(el.itertext(), NEAR_ELEMENTS):
        parts.append(text)
        seen += len(text) - text.count(" ") - text.count("\n") - text.count("\t")
        if seen > limit:
            break
    else:
        if len(parts) < NEAR_ELEMENTS:
            return "".join(parts)
    return "".join(parts) if head else None


def _short_text(el: etree._Element) -> str:
    raw = _text_upto(el, 40)
    if raw is None:
        return ""
    text = _MORE.sub(" ", clean_text(raw)).strip()
    return text if 2 <= len(text) <= 16 else ""


def _caption(el: etree._Element) -> str:
    """A table's ``<caption>``, the last resort for a block's heading."""
    if el.tag == "table":
        cap = next(el.iter("caption"), None)
        if cap is not None and _short_text(cap):
            return _short_text(cap)
    return ""


def _named(el: etree._Element) -> bool:
    return el.tag in _HEADING_TAGS or bool(_HEADING_CLASS.search(
        (el.get("class") or "") + " " + (el.get("id") or "")))


def _title_like(el: etree._Element) -> str:
    if not isinstance(el.tag, str) or el.tag in ("script", "style"):
        return ""
    named = _named(el)
    if not (named or el.tag in ("span", "p", "div", "strong", "b", "tr", "td", "table")):
        return ""
    text = _short_text(el)
    if text and not _CRUMB.search(text) and (named or len(list(el.iter("a"))) <= 2):
        return text.split(" ")[0] if " " in text and named else text
    # A title bar that also holds a breadcrumb or "more" links: its titled part
    # (near its start: a big box before the list is not searched through).
    for n, inner in enumerate(el.iter()):
        if n > 40:
            break
        if inner is not el and isinstance(inner.tag, str) and _named(inner):
            text = _short_text(inner)
            if text and not _CRUMB.search(text):
                return text
    return ""


def heading(container: etree._Element, first: etree._Element | None = None) -> str:
    """The block's title as the page shows it (``最新加入``, ``通知公告``), or ``""``.

    Looked for in the rows before ``first`` (a table's title row), then before the list.
    """
    sib = first.getprevious() if first is not None and first.getparent() is container else None
    for _ in range(2):
        if sib is None:
            break
        if text := _title_like(sib):
            return text
        sib = sib.getprevious()
    node: etree._Element | None
    node = container
    for _ in range(3):
        sib = node.getprevious()
        for _ in range(3):
            if sib is None:
                break
            if text := _title_like(sib):
                return text
            sib = sib.getprevious()
        node = node.getparent()
        if node is None:
            break
    return _caption(container)


def tab_label(box: etree._Element) -> str:
    """A tabbed list's tab: the i-th link of the bar before its sibling lists (some hidden)."""
    parent = box.getparent()
    if parent is None:
        return ""
    panes = [c for c in parent if c.tag == box.tag and c.get("class") == box.get("class")]
    if len(panes) < 2:
        return ""
    bar = panes[0].getprevious()
    while bar is not None and not isinstance(bar.tag, str):
        bar = bar.getprevious()
    if bar is None:
        return ""
    tabs = [t for a in bar.iter("a", "li", "span") if (t := _short_text(a)) and not a.getchildren()]
    return tabs[panes.index(box)] if len(tabs) >= len(panes) else ""


def _more_link(el: etree._Element) -> bool:
    """A "更多" link in a title bar (a box of many links is no title bar)."""
    links = []
    for node in islice(el.iter(), NEAR_ELEMENTS):
        if node.tag == "a":
            links.append(node)
            if len(links) > 8:
                return False
    return any(_MORE_LINK.match(clean_text(text_content(a))) for a in links)


def has_more(container: etree._Element) -> bool:
    """A "更多" link in the block's title bar (before the list) or right after it."""
    nxt = container.getnext()
    if nxt is not None and isinstance(nxt.tag, str) and _more_link(nxt):
        return True
    node: etree._Element | None
    node = container
    for _ in range(2):
        sib = node.getprevious()
        for _ in range(2):
            if sib is None:
                break
            if isinstance(sib.tag, str) and _more_link(sib):
                return True
            sib = sib.getprevious()
        node = node.getparent()
        if node is None:
            break
    return False


def has_pager(container: etree._Element) -> bool:
    """A pager (下一页, 共N页, page numbers script) right after the list or around it."""
    node: etree._Element | None
    node = container
    for _ in range(2):
        sib = node.getnext()
        for _ in range(3):
            if sib is None:
                break
            text = _text_upto(sib, 600, head=True) if isinstance(sib.tag, str) else None
            if text is not None and _PAGER.search(text):
                return True
            sib = sib.getnext()
        node = node.getparent()
        if node is None:
            break
    return False


def choose(blocks: list[Block], lists: str | Sequence[str] | None) -> list[str]:
    """Mark which blocks are taken (and why the others are not); returns warnings."""
    warnings: list[str] = []
    if not blocks:
        return warnings
    if isinstance(lists, list | tuple) and lists:
        wanted = [w.strip() for w in lists if w.strip()]
        for b in blocks:
            b.kept = any(w in b.heading for w in wanted) if b.heading else False
            b.reason = "" if b.kept else "未在 lists 中指定"
        if any(b.kept for b in blocks):
            return warnings
        warnings.append("lists: none of " + ", ".join(wanted) + " found on the page; automatic choice")
        lists = None
    ranked = sorted(blocks, key=lambda b: len(b.urls), reverse=True)
    main = ranked[0]
    second = len(ranked[1].urls) if len(ranked) > 1 else 0
    # A pager marks the column, unless every list has one (then it says nothing).
    paged = [b for b in ranked if b.pager]
    if paged and len(paged) < len(blocks) and len(paged[0].urls) * DOMINANCE >= len(main.urls):
        main, column = paged[0], True
    else:
        column = not main.more and len(main.urls) >= max(MIN_MAIN, second * DOMINANCE)
    if lists == "all" or (lists != "main" and not column):
        for b in blocks:
            b.kept, b.reason = True, ""
        return warnings
    for b in blocks:
        b.kept = b is main
        b.reason = "" if b.kept else f"非主列表（主列表：{main.label}，{len(main.urls)} 条）"
    return warnings
