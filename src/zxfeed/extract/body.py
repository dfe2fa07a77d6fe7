"""The main text block of an article page, found by text density rather than class names.

Each block element is scored by the text of its own paragraphs (``<p>`` children, or
``<br>``-separated text when a CMS writes none), less the text inside links, with a
bonus per paragraph: the article wins over sidebars (short, link-heavy), navigation
(all links) and footers (few paragraphs), whatever the template calls it.
"""

from __future__ import annotations

from lxml import etree

from .page import text_content

_BLOCKS = ("div", "article", "td", "section", "main")
_PARAGRAPHS = ("p", "blockquote", "h2", "h3", "h4", "ul", "ol", "table", "pre", "figure")
_INLINE_WRAPPERS = ("font", "span", "strong", "b", "center")
MIN_BODY = 40
PARAGRAPH_BONUS = 25


def _link_text(el: etree._Element) -> int:
    return sum(len(text_content(a).strip()) for a in el.iter("a"))


def _own_blocks(el: etree._Element) -> list[etree._Element]:
    """Paragraph-like children, looking through the ``<font>``/``<span>`` soup some CMSs wrap them in."""
    out = []
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _PARAGRAPHS:
            out.append(child)
        elif child.tag in _INLINE_WRAPPERS and next(child.iterchildren("p"), None) is not None:
            out.extend(c for c in child if c.tag in _PARAGRAPHS)
    return out


def score(el: etree._Element) -> float:
    """How much readable, unlinked paragraph text an element holds itself."""
    blocks = _own_blocks(el)
    if blocks:
        texts = [len(text_content(b).strip()) for b in blocks]
        linked = [_link_text(b) for b in blocks]
        total = sum(texts)
        links = sum(linked)
        # Only paragraphs of one's own words count: a list of links is not an article.
        paragraphs = sum(1 for t, n in zip(texts, linked, strict=True) if t - n >= 10)
    elif next(el.iterdescendants("div", "table"), None) is None:  # ElementPath's find is dearer
        # Text separated by <br> (old CMS bodies): count its lines as paragraphs.
        total = len(text_content(el).strip())
        links = _link_text(el)
        paragraphs = sum(1 for br in el.iter("br") if (br.tail or "").strip()) + 1
    else:
        return 0.0
    if total < MIN_BODY:
        return 0.0
    density = 1 - links / total
    # Link-heavy blocks (navigation, related lists) fall away quadratically.
    return (total - links) * density * density + PARAGRAPH_BONUS * paragraphs


def find_body(root: etree._Element) -> etree._Element | None:
    """The element that holds the article's text, or ``None`` for a page without one."""
    best, best_score = None, 0.0
    for el in root.iter(*_BLOCKS):
        s = score(el)
        if s > best_score:
            best, best_score = el, s
    return best
