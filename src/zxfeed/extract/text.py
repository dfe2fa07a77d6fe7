"""Text of HTML elements and titles as people read them: spaces, badges, ellipses cleaned."""

from __future__ import annotations

import re

from lxml import etree

_BR = "\x1f"  # stands in for <br> until we know what surrounds it
_SPACES = re.compile(r"[\s\u00a0\u3000\u2002-\u200b\ufeff]+")
_PIN = re.compile(r"^\s*(?:[\[【(（]\s*)?(?:置顶|顶|荐|推荐|热|图|图文|视频|new|NEW|New)(?:\s*[\]】)）])\s*")
_PIN_BARE = re.compile(r"^\s*置顶\s*[:：|]?\s*")
# "新" only in brackets: 创新 and 更新 end real titles.
_BADGE_END = re.compile(
    r"(?:\s*(?:[\[【(（]\s*(?:new|NEW|New|新|hot|HOT|置顶)\s*[\]】)）]|(?<![A-Za-z])(?:new|NEW|New|hot|HOT)))+\s*$"
)
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…+|。{3,}|·{3,})\s*$")
# Bidi controls (embeddings, overrides, isolates, marks) too: in a title they reorder what
# readers and mail clients show, e.g. make "gpj.exe" look like "exe.jpg".
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def element_text(el: etree._Element) -> str:
    """Visible text of an element with ``<br>`` kept as a marker (see :func:`clean_title`)."""
    parts: list[str] = []
    for node in el.iter():
        if node is not el and node.tag == "br":
            parts.append(_BR)
        elif node.text and isinstance(node.tag, str) and node.tag not in ("script", "style"):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _join_br(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        before, after = text[: m.start()].rstrip()[-1:], text[m.end() :].lstrip()[:1]
        # A break between Latin words is a space; between Chinese text it is nothing.
        return " " if before.isascii() and after.isascii() and before.isalnum() else ""

    return re.sub(r"\s*\x1f\s*", repl, text)


def clean_text(text: str) -> str:
    """Collapse whitespace (incl. ``&nbsp;`` and full-width spaces) and drop control characters."""
    text = _join_br(text) if _BR in text else text
    return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()


def clean_title(text: str) -> tuple[str, bool]:
    """A list title without pin labels, "new" badges and trailing ellipsis; and whether it was cut."""
    title = clean_text(text)
    for _ in range(2):
        title = _PIN.sub("", title, count=1)
        title = _PIN_BARE.sub("", title, count=1)
    # A title that is nothing but a badge word stays as it is rather than vanish.
    title = _BADGE_END.sub("", title) if not _BADGE_END.fullmatch(title) else title
    truncated = bool(_ELLIPSIS.search(title))
    if truncated:
        title = _ELLIPSIS.sub("", title)
    return title.strip(), truncated


def strip_control(text: str) -> str:
    """Characters XML cannot carry (and feedgen rejects) and bidi controls, removed."""
    return _CONTROL.sub("", text).encode("utf-8", "ignore").decode("utf-8")


def completes(full: str, cut: str) -> bool:
    """Whether ``full`` is a plausible completion of the truncated title ``cut``."""
    a, b = _SPACES.sub("", full), _SPACES.sub("", cut)
    if not a or len(a) < len(b):
        return False
    prefix = b[: max(2, min(len(b), 6))]
    return a.startswith(b) or (len(b) >= 4 and a.startswith(prefix))
