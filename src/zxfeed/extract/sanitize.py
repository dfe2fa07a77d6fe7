"""An article body as safe, plain HTML for feed readers: an allowlist of tags and attributes.

Everything not on the list goes: scripts, styles, forms and frames with their content;
``<font>``/``<span>`` soup, classes, styles and ``on*`` handlers unwrapped or dropped;
tracking pixels and empty wrappers removed. Links and images become absolute. Works on the
lxml tree the article was parsed into (a second parse with beautifulsoup4's html.parser cost
more than the rest of the article page), and writes what beautifulsoup4 wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .page import parse_html

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
_KEEP_EMPTY = ("br", "hr", "img", "td", "th", "tr")
_SCHEMES = ("http", "https", "mailto", "ftp")
_PIXEL_SIZE = re.compile(r"(?:^|;)\s*(?:width|height)\s*:\s*[01](?:px)?\s*(?:;|$)", re.I)
_ASCII_BLANKS = " \n\t\f\r"
_SPACE = re.compile(r"[ \t\r\n\u3000\xa0]+")


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


def _tracking_pixel(img: etree._Element) -> bool:
    """A 0/1-pixel image (by attribute or inline style): a counter, not a picture."""
    for attr in ("width", "height"):
        value = str(img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) <= 1:
            return True
    return bool(_PIXEL_SIZE.search(str(img.get("style") or "")))


def _is_empty(el: etree._Element) -> bool:
    if el.tag in _KEEP_EMPTY:
        return False
    if next(el.iter("img", "td", "th"), None) is not None:
        return False
    return not _SPACE.sub("", "".join(el.itertext()))


def _append_text(el: etree._Element, text: str | None, parent: etree._Element) -> None:
    """Put ``text`` where ``el`` stood: after its previous sibling, or at the start of ``parent``."""
    if not text:
        return
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _remove(el: etree._Element) -> None:
    """Remove ``el`` and what it holds; the text after it stays."""
    parent = el.getparent()
    if parent is not None:
        _append_text(el, el.tail, parent)
        parent.remove(el)


def _unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    _append_text(el, el.text, parent)
    index = parent.index(el)
    children = list(el)
    if children:
        children[-1].tail = (children[-1].tail or "") + (el.tail or "")
    else:
        _append_text(el, el.tail, parent)
    parent[index : index + 1] = children


def clean_html(fragment: str, base: str, *,
               attachments: Iterable[tuple[str, str, str]] = ()) -> str:
    """Allowlisted HTML of an article body, with absolute links and a list of its attachments."""
    root = parse_html(f"<html><body>{fragment}</body></html>", base).root
    holder = next(root.iter("body"), None)
    if holder is None:
        return _clean(etree.Element("holder"), base, attachments)
    holder.tail = None
    return _clean(holder, base, attachments)


def _collapse(run: str | None) -> str | None:
    """A run of ASCII blanks as one newline or space (beautifulsoup4 did this; output stays the same)."""
    if not run or run.strip(_ASCII_BLANKS):
        return run
    return "\n" if "\n" in run else " "


def _clean(holder: etree._Element, base: str, attachments: Iterable[tuple[str, str, str]]) -> str:
    kept = {d for pre in holder.iter("pre") for d in pre.iter()}
    for el in holder.iter():
        if el not in kept:
            el.text = _collapse(el.text)
        if el is not holder and el.getparent() not in kept:
            el.tail = _collapse(el.tail)
    for node in list(holder.iter(etree.Comment, etree.ProcessingInstruction)):
        _remove(node)
    for el in list(holder.iter(*DROPPED)):
        if el.getparent() is not None and _attached(el, holder):
            _remove(el)
    for el in list(holder.iter()):
        if el is holder or not _attached(el, holder):
            continue
        name = el.tag
        if name not in ALLOWED:
            own_text = bool((el.text or "").strip()) or any((c.tail or "").strip() for c in el)
            if name in _BLOCKISH and own_text:
                el.tag = "p"
                el.attrib.clear()
            else:
                _unwrap(el)
            continue
        if name == "img" and _tracking_pixel(el):
            _remove(el)
            continue
        keep = ALLOWED[name]
        for key in [k for k in el.attrib if k not in keep]:
            del el.attrib[key]
        if name == "a":
            href = _absolute(el.get("href"), base)
            if href is None:
                _unwrap(el)  # javascript:, fragments: the text stays, the link goes
            else:
                el.set("href", href)
        elif name == "img":
            src = _absolute(el.get("src"), base)
            if src is None or not src.lower().startswith("http"):
                _remove(el)
            else:
                el.set("src", src)
    # Empty wrappers, innermost first, so that a <p><span></span></p> goes entirely.
    for el in reversed(list(holder.iter())):
        if el is not holder and _is_empty(el):
            _remove(el)
    out = _serialize_children(holder).strip()
    listed = [(u, t) for u, t, _ in attachments if _absolute(u, base)]
    if listed:
        items = "".join(f'<li><a href="{escape(_absolute(u, base) or u)}">{escape(t)}</a></li>'
                        for u, t in listed)
        out += f"<p>附件：</p><ul>{items}</ul>"
    return out


def _attached(el: etree._Element, holder: etree._Element) -> bool:
    """Whether ``el`` is still inside ``holder`` (an earlier step may have removed an ancestor)."""
    node = el.getparent()
    while node is not None:
        if node is holder:
            return True
        node = node.getparent()
    return False


_VOID = frozenset(("br", "hr", "img"))


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    value = _text(value)
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace('"', "&quot;") + '"'


def _serialize_children(holder: etree._Element) -> str:
    """The markup inside ``holder``, written the way beautifulsoup4 wrote it (feeds stay stable)."""
    out: list[str] = [_text(holder.text or "")]
    for child in holder:
        _serialize(child, out)
    return "".join(out)


def _serialize(el: etree._Element, out: list[str]) -> None:
    tag = str(el.tag)  # an HTML parser's tags are str; comments were removed before
    attrs = "".join(f" {k}={_attribute(v)}" for k, v in sorted(el.attrib.items()))
    if tag in _VOID:
        out.append(f"<{tag}{attrs}/>")
        if el.text:  # text a void element cannot hold is written after it
            out.append(_text(el.text))
    else:
        out.append(f"<{tag}{attrs}>")
        out.append(_text(el.text or ""))
        for child in el:
            _serialize(child, out)
        out.append(f"</{tag}>")
    out.append(_text(el.tail or ""))
