"""The title link of a list item that holds several links (headline, image, tags, comments, share).

The item's title link is the one leading to its article: the target with the longest
meaningful link text (letters, not counters such as ``0 跟贴``), helped by a heading
tag around it and by an image link to the same place. An element with several such
targets is a section of items, not one item.
"""

from __future__ import annotations

import re

from lxml import etree

from .text import element_text

_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"))
# Link texts this long compete with the title: two such targets make a section.
SECTION_TEXT = 8
# More places than an item links to (headline, image, tags, comments, share): a section.
MAX_TARGETS = 16
# As many worded links (4+ letters) to different places: a menu or a footer, not an item.
MAX_WORDED = 7
_NOT_LETTER = re.compile(r"[\W\d_]+")


def _letters(text: str) -> int:
    """Characters that carry meaning: letters and CJK, not digits, spaces or punctuation."""
    return len(_NOT_LETTER.sub("", text))


def _in_heading(a: etree._Element, record: etree._Element) -> bool:
    node: etree._Element | None = a
    while node is not None and node is not record:
        if node.tag in _HEADINGS:
            return True
        node = node.getparent()
    return any(child.tag in _HEADINGS for child in a)


def anchor_text(a: etree._Element) -> str:
    """A link's visible text, else its image's ``alt``/``title``, else its own ``title``."""
    text = element_text(a)
    if text.strip():
        return text
    for img in a.iter("img"):
        alt = img.get("alt") or img.get("title")
        if alt and alt.strip():
            return alt
    return a.get("title") or ""


def main_anchor(anchors: list[etree._Element], record: etree._Element) -> etree._Element | None:
    """The title link among ``anchors`` (all inside ``record``), or ``None`` for a section."""
    if len(anchors) == 1:
        return anchors[0]
    if len(anchors) > MAX_TARGETS and len({a.get("href") for a in anchors}) > MAX_TARGETS:
        return None
    # The raw href: an item's image and headline repeat it byte for byte, and
    # resolving every tag and share link would cost more than the whole choice.
    by_target: dict[str, list[tuple[int, etree._Element]]] = {}
    long_targets: set[str] = set()
    worded: set[str] = set()
    for a in anchors:
        target = (a.get("href") or "").strip()
        n = _letters(element_text(a))
        by_target.setdefault(target, []).append((n, a))
        if n >= 4:
            worded.add(target)
            if n >= SECTION_TEXT:
                long_targets.add(target)
            if len(long_targets) >= 3 or len(worded) >= MAX_WORDED:
                return None  # a section of items, a menu: read no further
    if len(by_target) == 1:  # image and headline to one place: the one with text
        return max(anchors, key=lambda a: len(anchor_text(a).strip()))
    # (letters, image, target, link, links) per target
    cands: list[tuple[int, bool, str, etree._Element, list[etree._Element]]] = []
    for target, scored in by_target.items():
        length, text_link = max(scored, key=lambda t: t[0])
        links = [a for _, a in scored]
        has_image = any(next(a.iter("img"), None) is not None for a in links)
        if length == 0 and has_image:
            length = max(_letters(anchor_text(a)) for a in links)
            text_link = links[0]
        cands.append((length, has_image, target, text_link, links))
    titled = [c for c in cands if c[0] >= 4]
    if len(titled) == 1:
        return titled[0][3]

    def rank(c: tuple) -> tuple:
        # A heading outranks length only among title-like texts; an image adds a little.
        length, has_image, target, _, links = c
        heading = length >= 4 and any(_in_heading(a, record) for a in links)
        return heading, length + (2 if has_image else 0), bool(target)

    return max(titled or cands, key=rank)[3]
