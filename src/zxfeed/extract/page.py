"""A parsed HTML page: lxml tree from decoded text, its base URL and link resolution."""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..links import web_link

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
    return _STRING(el)


@dataclass(slots=True)
class Page:
    """An HTML document ready for extraction."""

    root: etree._Element
    url: str
    base: str
    _resolved: dict[str, str | None] = field(default_factory=dict)

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
        try:
            parts = urlsplit(urljoin(self.base, href))
        except ValueError:  # "http://[siteurl]/…": one bad link, not a bad page
            return None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return web_link(parts._replace(fragment="").geturl())


def parse_html(text: str, url: str) -> Page:
    """Parse decoded text (never bytes: lxml truncates GBK) and find ``<base href>``."""
    # lxml refuses str input that carries an encoding declaration, and stops at NUL.
    text = _XML_DECL.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        text = "<html></html>"
    # Plain etree elements: lxml.html's per-element class lookup cost ~10 % of extraction.
    try:
        root = etree.fromstring(text, _parser())
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
