"""Atom 1.0 (RFC 4287): the feed document via feedgen, its entries written directly.

Each entry is preceded by ``<!-- zxfeed:DIGEST -->``, the digest of everything it shows.
A busy hour rewrites the merged and regional feeds every few seconds with mostly the same
entries: they are copied from the previous file instead of rendered again, and no cache has
to be held in memory. Entries not found there are written by :func:`_entry`, which gives
feedgen's bytes (``tests/unit/test_atom_entry.py``) at a fraction of its cost; feedgen
itself renders any entry holding a string the fast path does not vouch for.
"""

from __future__ import annotations

from collections.abc import Callable

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from ... import __version__
from . import MEDIA_TYPES, NOT_XML, XML_SPECIAL, FeedInfo, as_is, xml_attr, xml_text
from .entry import Entry

_MARK = b"<!-- zxfeed:"
HISTORY_NS = "http://purl.org/syndication/history/1.0"  # RFC 5005
# Bump when any format's output changes: old Atom renderings are then not reused, and the
# RSS and JSON files, rewritten only with their Atom file, are rewritten too.
ENTRY_FORMAT = "2"


def render_atom(feed: FeedInfo, entries: list[Entry], previous: bytes | None = None,
                stylesheet: str | None = None) -> bytes:
    """Atom bytes for one feed, newest entry first."""
    fg = FeedGenerator()
    fg.id(feed.id)
    fg.title(feed.title)
    fg.link(href=feed.urls[".atom"], rel="self", type=MEDIA_TYPES[".atom"])
    fg.link(href=feed.home, rel="alternate", type="text/html")
    fg.language("zh-CN")
    fg.author({"name": "zxfeed"})
    fg.generator("zxfeed", version=__version__)
    fg.updated(feed.updated)
    if feed.description:
        fg.subtitle(feed.description)
    head, end, tail = fg.atom_str(pretty=True).rpartition(b"</feed>")
    extra = [("hub", feed.hub, "")] if feed.hub else []
    extra += feed.links
    if extra:
        # feedgen knows only RFC 4287's rels; hub and archive rels are written here.
        links = b"".join(b"  %s\n" % etree.tostring(_link(rel, href, mtype))
                         for rel, href, mtype in extra)
        head += links
    if feed.archive:
        head += b'  <fh:archive xmlns:fh="%s"/>\n' % HISTORY_NS.encode()
    if stylesheet:
        head = head.replace(b"?>\n", b'?>\n<?xml-stylesheet type="text/xsl" href="%s"?>\n'
                            % stylesheet.encode(), 1)
    known = _rendered_entries(previous) if previous else {}
    out = []
    for e in entries:
        key = ENTRY_FORMAT + e.key
        out.append(known.get(key) or _entry(e, key))
    return head + b"".join(out) + end + tail


def _link(rel: str, href: str, mtype: str) -> etree._Element:
    el = etree.Element("link", rel=rel, href=href)
    if mtype:
        el.set("type", mtype)
    return el


def _entry(e: Entry, key: str) -> bytes:
    """One ``<entry>`` after a comment naming its digest: feedgen's bytes, written as text.

    Rendering entries was most of publishing's CPU (a burst of new items fills hundreds of
    archive pages); lxml's escaping and ``etree.indent`` layout are reproduced here.
    """
    strings = [e.id, e.title, e.link, e.author, *(e.source or ())]
    strings += [s for r in e.related for s in r] + [s for r in e.enclosures for s in r]
    strings += [s for c in e.categories for s in c]
    small = "".join(strings)
    if (not e.id or not e.title or e.updated.tzinfo is None
            or NOT_XML.search(small) or NOT_XML.search(e.summary) or NOT_XML.search(e.content or "")
            or (e.published and e.published.tzinfo is None) or (e.source and not e.source[2])):
        return _feedgen_entry(e, key)  # feedgen raises or renders these its own way
    # Titles, links and names rarely hold a character to escape: one look for all of them.
    text, attr = (xml_text, xml_attr) if XML_SPECIAL.search(small) else (as_is, as_is)
    out = ["  ", _MARK.decode(), key, " -->\n  <entry>\n    <id>", text(e.id),
           "</id>\n    <title>", text(e.title), "</title>\n    <updated>",
           e.updated.isoformat(), "</updated>\n"]
    if e.author:
        out += ["    <author>\n      <name>", text(e.author), "</name>\n    </author>\n"]
    if e.content:
        out += ['    <content type="html">', xml_text(e.content), "</content>\n"]
    out += ['    <link href="', attr(e.link), '" rel="alternate" type="text/html"/>\n']
    for href, title in e.related:
        _empty(out, attr, "link", ("href", href), ("rel", "related"), ("type", "text/html"),
               ("title", title))
    for href, title, mtype in e.enclosures:
        _empty(out, attr, "link", ("href", href), ("rel", "enclosure"), ("type", mtype),
               ("title", title))
    if e.summary:
        out += ["    <summary>", xml_text(e.summary), "</summary>\n"]
    else:
        out.append("    <summary/>\n")
    for term, scheme, label in e.categories:
        _empty(out, attr, "category", ("term", term), ("scheme", scheme), ("label", label))
    if e.published:
        out += ["    <published>", e.published.isoformat(), "</published>\n"]
    if e.source:
        href, title, feed_id = e.source
        out.append("    <source>\n")
        if title:
            out += ["      <title>", text(title), "</title>\n"]
        if href:
            out += ['      <link href="', attr(href), '"/>\n']
        out += ["      <id>", text(feed_id), "</id>\n      <updated>",
                e.updated.isoformat(), "</updated>\n    </source>\n"]
    out.append("  </entry>\n")
    return "".join(out).encode("utf-8")


def _empty(out: list[str], attr: Callable[[str], str], tag: str, first: tuple[str, str],
           *optional: tuple[str, str | None]) -> None:
    """Append ``<tag a="…" …/>``: the first attribute always, the others when they have a value."""
    out += ["    <", tag, " ", first[0], '="', attr(first[1]), '"']
    for name, value in optional:
        if value:
            out += [" ", name, '="', attr(value), '"']
    out.append("/>\n")


def _feedgen_entry(e: Entry, key: str) -> bytes:
    """One ``<entry>`` rendered by feedgen, after a comment naming its digest (the reference)."""
    fe = FeedEntry()
    fe.id(e.id)
    fe.title(e.title)
    links = [{"href": e.link, "rel": "alternate", "type": "text/html"}]
    links += [{"href": h, "rel": "related", "type": "text/html", "title": t} for h, t in e.related]
    links += [{"href": h, "rel": "enclosure", "type": m, "title": t} for h, t, m in e.enclosures]
    for link in links:
        fe.link(**link)
    if e.source:
        fe.source(url=e.source[0], title=e.source[1])
    if e.published:  # unknown dates stay unknown: no invented publish time
        fe.published(e.published)
    fe.updated(e.updated)
    fe.author({"name": e.author})
    for term, scheme, label in e.categories:
        fe.category(term=term, scheme=scheme, label=label)
    fe.summary(e.summary)
    if e.content:
        fe.content(e.content, type="html")
    element = fe.atom_entry()
    _restore_link_attributes(element, links)
    source = element.find("source")
    if source is not None and e.source:
        # RFC 4287 §4.2.11: the source feed's id and updated, which feedgen leaves out.
        etree.SubElement(source, "id").text = e.source[2]
        etree.SubElement(source, "updated").text = e.updated.isoformat()
    etree.indent(element, level=1)
    return b"  %s%s -->\n  %s\n" % (_MARK, key.encode(), etree.tostring(element, encoding="UTF-8"))


def _rendered_entries(data: bytes) -> dict[str, bytes]:
    """The entries of a feed we wrote, by the digest in the comment before each."""
    out: dict[str, bytes] = {}
    start = data.find(b"  " + _MARK)
    while start >= 0:
        key_end = data.find(b" -->", start)
        end = data.find(b"</entry>\n", key_end)
        if key_end < 0 or end < 0:
            break
        end += len(b"</entry>\n")
        out[data[start + 2 + len(_MARK):key_end].decode("ascii", "replace")] = data[start:end]
        start = data.find(b"  " + _MARK, end)
    return out


def _restore_link_attributes(entry: etree._Element, links: list[dict[str, str]]) -> None:
    """Put back the rel/type/title of entry links, which feedgen 1.0.0 drops.

    Its ``atom_entry`` rebinds the loop variable to the new XML element before reading
    ``rel`` from it, so every entry link comes out bare (read as ``alternate``).
    """
    for element, link in zip(entry.findall("link"), links, strict=True):
        for key in ("rel", "type", "title"):
            if link.get(key):
                element.set(key, link[key])
