"""Feed formats: one entry model (:mod:`.entry`) rendered as Atom, RSS 2.0 and JSON Feed 1.1."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
# Characters XML 1.0 allows; text holding others is left to lxml, which refuses it.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# What lxml escapes anywhere (text or attribute): strings without any are written as they are.
XML_SPECIAL = re.compile('[&<>"\n\r\t]')


def as_is(s: str) -> str:
    """A string that needs no escaping (no :data:`XML_SPECIAL` character)."""
    return s


def xml_text(s: str) -> str:
    """Text content escaped as lxml writes it (entries written as text give lxml's bytes)."""
    # Chained replace scans in C; str.translate is ten times slower on article bodies.
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def xml_attr(s: str) -> str:
    """An attribute value escaped as lxml writes it."""
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;"))


def feed_filename(name: str) -> str:
    """A file-system safe name for a region or source key."""
    return _UNSAFE.sub("_", name).strip(". ") or "_"


def feed_urn(path: str) -> str:
    """A feed's stable Atom id, from the relative path of its Atom file."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "zxfeed:feed:" + path).urn

# Media types, also used for the HTTP side and the links between formats.
MEDIA_TYPES = {".atom": "application/atom+xml", ".rss": "application/rss+xml",
               ".json": "application/feed+json"}


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """A feed's own facts: id, title, where it lives in each format, when it last changed."""

    id: str
    title: str
    urls: dict[str, str]          # suffix (".atom" …) → absolute URL of that variant
    home: str                     # the HTML page about the feeds
    updated: datetime
    description: str = ""
    hub: str | None = None
    links: list[tuple[str, str, str]] = field(default_factory=list)  # extra (rel, href, type)
    archive: bool = False         # an RFC 5005 archive document (``fh:archive``)
