"""RSS 2.0 of the same entries: ``guid`` is the Atom id, ``content:encoded`` the full text.

The channel is built with lxml, its items written as text with lxml's escaping and layout
(:func:`_item`; same bytes as :func:`_lxml_item`, the reference: ``tests/unit/test_atom_entry.py``).
"""

from __future__ import annotations

from email.utils import format_datetime

from lxml import etree

from ... import __version__
from . import MEDIA_TYPES, NOT_XML, XML_SPECIAL, FeedInfo, as_is, xml_attr, xml_text
from .entry import Entry

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_NSMAP = {"atom": ATOM_NS, "content": CONTENT_NS, "dc": DC_NS}


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def render_rss(feed: FeedInfo, entries: list[Entry], stylesheet: str | None = None) -> bytes:
    """RSS 2.0 bytes for one feed, newest item first."""
    rss = etree.Element("rss", version="2.0", nsmap=_NSMAP)
    ch = _sub(rss, "channel")
    _sub(ch, "title", feed.title)
    _sub(ch, "link", feed.home)
    _sub(ch, "description", feed.description or feed.title)
    _sub(ch, f"{{{ATOM_NS}}}link", href=feed.urls[".rss"], rel="self", type=MEDIA_TYPES[".rss"])
    if feed.hub:
        _sub(ch, f"{{{ATOM_NS}}}link", href=feed.hub, rel="hub")
    for rel, href, mtype in feed.links:
        attrs = {"href": href, "rel": rel} | ({"type": mtype} if mtype else {})
        _sub(ch, f"{{{ATOM_NS}}}link", **attrs)
    _sub(ch, "language", "zh-CN")
    _sub(ch, "lastBuildDate", format_datetime(feed.updated))
    _sub(ch, "generator", f"zxfeed {__version__}")
    strings = [s for e in entries for s in _strings(e)]
    if NOT_XML.search("".join(strings)):
        for e in entries:  # lxml refuses such text: let it say so
            _lxml_item(ch, e)
        items = b""
    else:
        items = "".join(_item(e) for e in entries).encode("utf-8")
    etree.indent(rss)
    head = b'<?xml version="1.0" encoding="UTF-8"?>\n'
    if stylesheet:
        head += b'<?xml-stylesheet type="text/xsl" href="%s"?>\n' % stylesheet.encode()
    doc, end, tail = etree.tostring(rss, encoding="UTF-8").rpartition(b"  </channel>")
    return head + doc + items + end + tail + b"\n"


def _strings(e: Entry) -> list[str]:
    return [e.title, e.link, e.summary, e.content or "", e.author, e.id,
            *(s for c in e.categories for s in c[:2])]


def _item(e: Entry) -> str:
    """One ``<item>`` as lxml would write it inside the indented channel."""
    small = "".join([e.title, e.link, e.author, e.id, *(s for c in e.categories for s in c[:2])])
    text, attr = (xml_text, xml_attr) if XML_SPECIAL.search(small) else (as_is, as_is)
    out = ["    <item>\n      <title>", text(e.title), "</title>\n      <link>",
           text(e.link), "</link>\n      <description>", xml_text(e.summary),
           "</description>\n"]
    if e.content:
        out += ["      <content:encoded>", xml_text(e.content), "</content:encoded>\n"]
    out += ["      <dc:creator>", text(e.author), "</dc:creator>\n"]
    for term, scheme, _label in e.categories:
        out += ['      <category domain="', attr(scheme), '">', text(term),
                "</category>\n"]
    out += ['      <guid isPermaLink="false">', text(e.id), "</guid>\n"]
    if e.published:
        out += ["      <pubDate>", format_datetime(e.published), "</pubDate>\n"]
    out.append("    </item>\n")
    return "".join(out)


def _lxml_item(ch: etree._Element, e: Entry) -> etree._Element:
    """One ``<item>`` built with lxml (the reference :func:`_item` matches)."""
    item = _sub(ch, "item")
    _sub(item, "title", e.title)
    _sub(item, "link", e.link)
    _sub(item, "description", e.summary)
    if e.content:
        _sub(item, f"{{{CONTENT_NS}}}encoded", e.content)
    # RSS's author must be an e-mail address; a committee's name goes in dc:creator.
    _sub(item, f"{{{DC_NS}}}creator", e.author)
    for term, scheme, _label in e.categories:
        _sub(item, "category", term, domain=scheme)
    _sub(item, "guid", e.id, isPermaLink="false")
    if e.published:
        _sub(item, "pubDate", format_datetime(e.published))
    return item
