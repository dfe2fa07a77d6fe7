"""A parsed HTML page: lxml tree from decoded text, its base URL and link resolution."""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .limits import MAX_DEPTH, MAX_ELEMENTS
from .links import web_link

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "about:", "vbscript:", "#")
_STRING = etree.XPath("string()", smart_strings=False)
_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    # huge_tree: libxml2 otherwise drops everything nested deeper than 256 elements, and
    # pages with an unclosed <font> or <div> in a loop get there (bodies are size-capped).
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser(huge_tree=True)
    return parser


def text_content(el: etree._Element) -> str:
    """All text inside an element (script text included), like lxml.html's ``text_content``."""
    if not len(el) and isinstance(el.tag, str):
        # Leaf elements (most links and paragraphs): their text, without an XPath call's setup.
        return el.text or ""
    return _STRING(el)


@dataclass(slots=True)
class Page:
    """An HTML document ready for extraction."""

    root: etree._Element
    url: str
    base: str
    _resolved: dict[str, str | None] = field(default_factory=dict)
    _base_dir: tuple[str, list[str]] | None = field(default=None)  # for :func:`_join`

    def resolve(self, href: str | None) -> str | None:
        """Absolute http(s) URL for an ``href``, or ``None`` for script, mail and fragment links."""
        if not href:
            return None
        # Extraction asks for the same href many times; urljoin is the hot spot.
        if href in self._resolved:
            return self._resolved[href]
        self._resolved[href] = url = self._resolve(href)
        return url

    @staticmethod
    def linkable(href: str | None) -> bool:
        """Cheap test: could this href be an item link (before the costlier resolve)?"""
        if not href:
            return False
        href = href.strip()
        return bool(href) and not href.lower().startswith(_SKIP_SCHEMES)

    def _resolve(self, href: str) -> str | None:
        href = href.strip().replace("\\", "/")
        href = re.sub(r"[\r\n\t]", "", href)
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            return None
        joined = self._join(href)
        if joined is not None:
            return web_link(joined)
        try:
            parts = urlsplit(urljoin(self.base, href))
        except ValueError:  # "http://[siteurl]/…": one bad link, not a bad page
            return None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return web_link(parts._replace(fragment="").geturl())

    def _join(self, href: str) -> str | None:
        """``urljoin(base, href)`` for a plain path (most item links), else ``None``.

        The same steps as urljoin's path merge, without its generic parsing of both URLs
        for every link; anything with a scheme, host, query, fragment or parameters is
        left to urljoin.
        """
        if _NOT_PLAIN.search(href) or href[0] <= " " or href.startswith("//"):
            return None
        if self._base_dir is None:
            parts = urlsplit(self.base)
            if parts.scheme not in ("http", "https") or not parts.netloc or ";" in parts.path:
                self._base_dir = ("", [])
            else:
                dirs = parts.path.split("/")
                if dirs[-1] != "":
                    del dirs[-1]
                self._base_dir = (f"{parts.scheme}://{parts.netloc}", dirs)
        prefix, dirs = self._base_dir
        if not prefix:
            return None
        if href[0] == "/":
            segments = href.split("/")
        else:
            segments = dirs + href.split("/")
            segments[1:-1] = filter(None, segments[1:-1])
        resolved: list[str] = []
        for seg in segments:
            if seg == "..":
                if resolved:
                    resolved.pop()
            elif seg != ".":
                resolved.append(seg)
        if segments[-1] in (".", ".."):
            resolved.append("")
        path = "/".join(resolved) or "/"
        return prefix + (path if path[0] == "/" else "/" + path)


# A scheme, a query, a fragment or parameters: not a plain path.
_NOT_PLAIN = re.compile(r"[:?#;\x00-\x20\x7f]")


_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)[^>]*>", re.S)
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"])
# Closed implicitly by the parser, so they do not pile up: never counted, never dropped.
_IMPLIED = frozenset(["p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody",
                      "tfoot", "colgroup", "a"])
# What lists are made of: kept half as deep again (libxml2 has room up to 2048 levels).
_LIST_TAGS = frozenset(["ul", "ol", "dl", "table", "html", "body"])


def bounded_markup(text: str, limit: int = MAX_ELEMENTS) -> str:
    """The markup cut after ``limit`` tags, so that one page cannot build a huge tree."""
    if text.count("<") <= limit:
        return text
    pos = -1
    for _ in range(limit):
        pos = text.find("<", pos + 1)
    return text[:pos]


def flatten(text: str, limit: int) -> str:
    """``text`` without the opening (and matching closing) tags nested deeper than ``limit``."""
    out: list[str] = []
    pos = depth = 0
    dropped: dict[str, int] = {}
    for m in _TAG.finditer(text):
        name = m.group(2)
        if name is None:
            continue
        name = name.lower()
        if name in _VOID or name in _IMPLIED or m.group(0).endswith("/>"):
            continue
        drop = False
        if m.group(1):
            if dropped.get(name):
                dropped[name] -= 1
                drop = True
            elif depth:
                depth -= 1
        elif depth >= limit and (name not in _LIST_TAGS or depth >= limit + limit // 2):
            dropped[name] = dropped.get(name, 0) + 1
            drop = True
        else:
            depth += 1
        if drop:
            out.append(text[pos:m.start()])
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def parse_html(text: str, url: str) -> Page:
    """Parse decoded text (never bytes: lxml truncates GBK) and find ``<base href>``."""
    # lxml refuses str input that carries an encoding declaration, and stops at NUL.
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        text = "<html></html>"
    text = bounded_markup(text)
    # Plain etree elements: lxml.html's per-element class lookup cost ~10 % of extraction.
    parser = _parser()
    try:
        root = etree.fromstring(text, parser)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
            # libxml2 stops at 2048 levels and drops the rest: a list after thousands of
            # unclosed <font>s would be lost. Parse again with the excess levels removed.
            root = etree.fromstring(flatten(text, MAX_DEPTH), parser)
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        root = etree.HTML("<html></html>")
    base = url
    for el in root.iter("base"):
        href = el.get("href")
        if href and href.strip():
            with contextlib.suppress(ValueError):
                base = web_link(urljoin(url, href.strip())) or url
            break
    return Page(root=root, url=url, base=base)
