"""An article body as safe, plain HTML for feed readers: an allowlist of tags and attributes.

Everything not on the list goes: scripts, styles, forms and frames with their content;
``<font>``/``<span>`` soup, classes, styles and ``on*`` handlers unwrapped or dropped;
tracking pixels and empty wrappers removed. Links and images become absolute. This runs
once per article page, off the list-page path, so beautifulsoup4's convenience is affordable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from bs4 import PageElement, Tag

ALLOWED: dict[str, tuple[str, ...]] = {
    "p": (), "br": (), "hr": (), "strong": (), "b": (), "em": (), "i": (), "u": (),
    "sub": (), "sup": (), "blockquote": (), "pre": (), "code": (),
    "h2": (), "h3": (), "h4": (), "h5": (), "h6": (),
    "ul": (), "ol": (), "li": (),
    "table": (), "thead": (), "tbody": (), "tr": (), "th": ("colspan", "rowspan"),
    "td": ("colspan", "rowspan"), "caption": (),
    "figure": (), "figcaption": (),
    "a": ("href", "title"), "img": ("src", "alt", "width", "height"),
}
# Removed with everything inside them.
DROPPED = ("script", "style", "noscript", "iframe", "frame", "frameset", "object", "embed",
           "applet", "form", "input", "button", "select", "textarea", "option", "svg", "canvas",
           "video", "audio", "head", "title", "meta", "link", "base", "template", "map")
# Kept as paragraphs when they hold text of their own, else unwrapped.
_BLOCKISH = ("div", "section", "article", "main", "center", "h1", "header", "footer", "aside")
_KEEP_EMPTY = frozenset(("br", "hr", "img", "td", "th", "tr"))
_MEDIA = frozenset(("img", "td", "th"))
_DROPPED = frozenset(DROPPED)
_BLANKS = " \t\r\n\u3000\xa0"  # what the empty-wrapper test counts as blank
_SCHEMES = ("http", "https", "mailto", "ftp")
_PIXEL_SIZE = re.compile(r"(?:^|;)\s*(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)", re.I)


def _absolute(href: str | None, base: str) -> str | None:
    if not href:
        return None
    href = re.sub(r"[\r\n\t]", "", href.strip()).replace("\\", "/")
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES or (parts.scheme.lower().startswith("http")
                                                and not parts.netloc):
        return None
    return url


def _single(tag: Tag, name: str) -> str | None:
    """A single-valued attribute (bs4 types every value as maybe a list, as it splits class and rel)."""
    value = tag.get(name)
    return value if isinstance(value, str) else None


def _tracking_pixel(img: Tag) -> bool:
    """A 0/1-pixel image (by attribute or inline style): a counter, not a picture."""
    for attr in ("width", "height"):
        value = str(img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 1:
            return True
    return bool(_PIXEL_SIZE.search(str(img.get("style") or "")))


def _gone(el: PageElement) -> bool:
    # Not ``el.decomposed``: on a live Tag, bs4 answers an unknown attribute with a subtree search.
    return bool(el.__dict__.get("_decomposed"))


def _drop_empty(tags: list[Tag]) -> None:
    """Decompose empty wrappers innermost first, so that a <p><span></span></p> goes entirely.

    Empty: no img/td/th inside and no text but blanks among the strings ``get_text`` would
    give; worked out from the children in one pass instead of a search per element.
    """
    from bs4 import NavigableString, Tag

    media: dict[int, bool] = {}
    kinds: dict[int, set[type]] = {}
    for tag in reversed(tags):
        if _gone(tag):
            continue
        has_media = False
        seen: set[type] = set()
        for child in tag.contents:
            if isinstance(child, Tag):
                key = id(child)
                if key in media:  # still in the tree: empty children were removed already
                    has_media = has_media or child.name in _MEDIA or media[key]
                    seen |= kinds[key]
            elif isinstance(child, NavigableString) and child.strip(_BLANKS):
                seen.add(type(child))
        wanted = tag.interesting_string_types or Tag.MAIN_CONTENT_STRING_TYPES
        if tag.name not in _KEEP_EMPTY and not has_media and not (seen & wanted):
            tag.decompose()
            continue
        media[id(tag)] = has_media
        kinds[id(tag)] = seen


def clean_html(fragment: str, base: str, *,
               attachments: Iterable[tuple[str, str, str]] = ()) -> str:
    """Allowlisted HTML of an article body, with absolute links and a list of its attachments."""
    # Imported here: bs4 (with soupsieve) takes a tenth of a second to import, which a
    # one-shot poll that finds nothing new to read should not pay.
    from bs4 import BeautifulSoup, Comment, Tag

    soup = BeautifulSoup(fragment, "html.parser")
    # Walks over ``descendants`` rather than find_all: bs4's filter machinery costs more than
    # the cleaning itself.
    for node in [d for d in soup.descendants if isinstance(d, Comment)]:
        node.extract()
    for tag in [d for d in soup.descendants if isinstance(d, Tag) and d.name in _DROPPED]:
        if not _gone(tag):
            tag.decompose()
    for tag in [d for d in soup.descendants if isinstance(d, Tag)]:
        if _gone(tag):
            continue
        name = tag.name
        if name not in ALLOWED:
            own_text = any(isinstance(c, str) and c.strip() for c in tag.children)
            if name in _BLOCKISH and own_text:
                tag.name, tag.attrs = "p", {}
            else:
                tag.unwrap()
            continue
        if name == "img" and _tracking_pixel(tag):
            tag.decompose()
            continue
        keep = ALLOWED[name]
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in keep}
        if name == "a":
            href = _absolute(_single(tag, "href"), base)
            if href is None:
                tag.unwrap()  # javascript:, fragments: the text stays, the link goes
            else:
                tag["href"] = href
        elif name == "img":
            src = _absolute(_single(tag, "src"), base)
            if src is None or not src.lower().startswith("http"):
                tag.decompose()
            else:
                tag["src"] = src
    _drop_empty([d for d in soup.descendants if isinstance(d, Tag)])
    out = str(soup).strip()
    listed = [(u, t) for u, t, _ in attachments if _absolute(u, base)]
    if listed:
        items = "".join(f'<li><a href="{escape(_absolute(u, base) or u)}">{escape(t)}</a></li>'
                        for u, t in listed)
        out += f"<p>附件：</p><ul>{items}</ul>"
    return out
