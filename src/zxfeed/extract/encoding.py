"""Bytes to text for Chinese sites: HTTP charset, BOM, ``<meta charset>``, then detection.

Every GB label is widened to gb18030: sites declare gb2312 and use GBK-only
characters (镕, 堃, 喆), which strict gb2312 rejects and lxml silently truncates.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_WIDEN = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
          "cp936": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "ascii": "utf-8",
          "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text plus the codec used and how many characters had to be replaced."""

    text: str
    encoding: str
    replacements: int


def canonical_codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, GB labels widened; ``None`` if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WIDEN.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _WIDEN.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset=`` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*[\"']?([^\s;\"']+)", content_type, re.IGNORECASE)
    return m.group(1) if m else None


def _try_strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared_in_document(body: bytes) -> str | None:
    head = body[:4096]
    m = _XML_DECL.match(head) or _META.search(head)
    if m is None:
        # Some CMSs emit huge inline scripts before the meta tag; look further, once.
        m = _META.search(body[:65536])
    return m.group(1).decode("ascii", "replace") if m else None


def decode(body: bytes, content_type: str | None = None, forced: str | None = None) -> Decoded:
    """Decode a page body, trying declared charsets strictly before detection."""
    candidates: list[str] = []
    for label in (forced, charset_from_content_type(content_type)):
        codec = canonical_codec(label)
        if codec:
            candidates.append(codec)
    for bom, codec in _BOMS:
        if body.startswith(bom):
            candidates.insert(0 if not forced else 1, codec)
            break
    declared = canonical_codec(_declared_in_document(body))
    if declared:
        candidates.append(declared)
    # Undeclared pages are UTF-8 far more often than a detector would guess.
    for codec in dict.fromkeys([*candidates, "utf-8"]):
        text = _try_strict(body, codec)
        if text is not None:
            return Decoded(text.lstrip("\ufeff"), codec, 0)
    # Nothing decodes cleanly: keep the candidate (declared, detected, UTF-8, GB) that
    # loses the fewest characters, and report the loss.
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    guess = canonical_codec(best.encoding) if best is not None else None
    tries = [*candidates, *([guess] if guess else []), "utf-8", "gb18030"]
    decoded = [(body.decode(c, errors="replace"), c) for c in dict.fromkeys(tries)]
    text, codec = min(decoded, key=lambda tc: tc[0].count("\ufffd"))
    return Decoded(text.lstrip("\ufeff"), codec, text.count("\ufffd"))
