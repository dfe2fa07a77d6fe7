"""Entries written as text are byte for byte what the reference renderers give.

Atom entries: feedgen's (``_feedgen_entry``); RSS items: lxml's (``_lxml_item``, taken when
any text is refused by XML, forced here by a pattern matching everything).
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from zxfeed.publish.formats import FeedInfo, rss
from zxfeed.publish.formats.atom import ENTRY_FORMAT, _entry, _feedgen_entry
from zxfeed.publish.formats.entry import CATEGORY_REGION, CATEGORY_SOURCE, Entry

SHANGHAI = timezone(timedelta(hours=8))
# Plain and hostile pieces: CJK (GB18030-only characters too), markup, quotes, whitespace
# lxml escapes in attributes, characters beyond the BMP, and characters XML refuses.
PIECES = ["政协", "山东省政协召开十三届常委会第五次会议", "镕堃喆珺昇", "A&B", "<p>段落</p>", "x > y",
          'say "hi"', "it's", "tab\there", "line\nbreak", "cr\rlf", "\r\n", "  spaced  ", "😀𠀀",
          "\u2028\u00a0\ufeff", "\x7f\x85", "&amp;", "]]>", "http://a.example/p?x=1&y=2#f", "…...",
          "", "\x01", "\x0b", "\ufffe"]
SAFE = [p for p in PIECES if p not in ("\x01", "\x0b", "\ufffe")]
PLAIN = [p for p in SAFE if not re.search('[&<>"\n\r\t]', p)]  # nothing to escape


def text(rng: random.Random, pool: list[str], empty: bool = True) -> str:
    parts = [rng.choice(pool) for _ in range(rng.randint(0 if empty else 1, 4))]
    return "".join(parts)


def when(rng: random.Random) -> datetime:
    tz = rng.choice([UTC, SHANGHAI, timezone(timedelta(hours=-5, minutes=-30))])
    return datetime(2026, 1, 1, tzinfo=tz) + timedelta(seconds=rng.randint(0, 10**8),
                                                       microseconds=rng.choice([0, 0, 123456]))


def random_entry(rng: random.Random, pool: list[str]) -> Entry:
    href = lambda: "http://zx.example.gov.cn/" + text(rng, pool)  # noqa: E731
    return Entry(
        id=rng.choice(["urn:uuid:5b1f0c2e-0000-5000-8000-", "tag:"]) + text(rng, pool, empty=False),
        title=text(rng, pool, empty=False) or "标题",
        link=href(),
        related=tuple((href(), text(rng, pool)) for _ in range(rng.choice([0, 0, 1, 3]))),
        enclosures=tuple((href(), text(rng, pool), rng.choice(["application/pdf", "", "text/x-a&b"]))
                         for _ in range(rng.choice([0, 0, 1, 2]))),
        source=(href(), text(rng, pool), "urn:uuid:" + text(rng, pool, empty=False) + "x")
        if rng.random() < 0.3 else None,
        published=when(rng) if rng.random() < 0.7 else None,
        updated=when(rng),
        author=text(rng, pool),
        categories=tuple((text(rng, pool), rng.choice([CATEGORY_REGION, CATEGORY_SOURCE, ""]),
                          text(rng, pool)) for _ in range(rng.randint(0, 3))),
        summary=text(rng, pool),
        content=rng.choice([None, "", text(rng, pool), "<p>" + text(rng, pool) + "</p>" * 3]),
    )


def rendered(e: Entry, renderer: object) -> bytes | type[Exception]:
    try:
        return renderer(e, ENTRY_FORMAT + e.key)  # type: ignore[operator, no-any-return]
    except ValueError as exc:
        return type(exc)


def test_same_bytes_as_feedgen_on_varied_entries() -> None:
    rng = random.Random(15)
    entries = [random_entry(rng, SAFE) for _ in range(3000)]
    entries += [random_entry(rng, PLAIN) for _ in range(500)]
    for e in entries:
        assert _entry(e, ENTRY_FORMAT + e.key) == _feedgen_entry(e, ENTRY_FORMAT + e.key), e
    # The mix covered what the renderer branches on.
    assert any(e.source for e in entries) and any(not e.published for e in entries)
    assert any(e.content is None for e in entries) and any(e.content == "" for e in entries)
    assert any(not e.summary for e in entries) and any(not e.author for e in entries)
    assert any(e.enclosures and not e.enclosures[0][2] for e in entries)
    assert any("\t" in e.link or "\r" in e.title for e in entries)


def test_strings_xml_refuses_fail_as_with_feedgen() -> None:
    rng = random.Random(5005)
    refused = 0
    for _ in range(600):
        e = random_entry(rng, PIECES)
        ours, theirs = rendered(e, _entry), rendered(e, _feedgen_entry)
        assert ours == theirs, e
        refused += ours is ValueError
    assert refused > 50  # control characters and U+FFFE reached the renderers


@pytest.mark.parametrize("change", [
    {"title": ""},                                     # feedgen: required field missing
    {"updated": datetime(2026, 12, 1)},                # no time zone
    {"published": datetime(2026, 12, 1)},
    {"source": ("http://a/", "来源", "")},               # an empty source id: <id></id>
    {"source": ("", "", "urn:x")},
])
def test_edge_cases_follow_feedgen(change: dict[str, object]) -> None:
    base = random_entry(random.Random(1), SAFE)
    e = Entry(**{f: getattr(base, f) for f in Entry.__slots__} | change)  # type: ignore[arg-type]
    assert rendered(e, _entry) == rendered(e, _feedgen_entry)


def test_typical_entry_layout() -> None:
    """What a reader gets, spelled out once (the randomized tests say it is feedgen's)."""
    at = datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    e = Entry(id="urn:uuid:1", title="政协 & 协商", link="http://a/1.html?x=1&y=2",
              related=(("http://b/1.html", "某政协：标题"),), enclosures=(), source=None,
              published=at, updated=at, author="某政协",
              categories=(("山东省", CATEGORY_REGION, "山东省"),), summary="", content="<p>正文</p>")
    out = _entry(e, "k").decode()
    assert out == (
        "  <!-- zxfeed:k -->\n  <entry>\n    <id>urn:uuid:1</id>\n    <title>政协 &amp; 协商</title>\n"
        "    <updated>2026-12-01T09:30:00+08:00</updated>\n"
        "    <author>\n      <name>某政协</name>\n    </author>\n"
        '    <content type="html">&lt;p&gt;正文&lt;/p&gt;</content>\n'
        '    <link href="http://a/1.html?x=1&amp;y=2" rel="alternate" type="text/html"/>\n'
        '    <link href="http://b/1.html" rel="related" type="text/html" title="某政协：标题"/>\n'
        "    <summary/>\n"
        '    <category term="山东省" scheme="urn:zxfeed:region" label="山东省"/>\n'
        "    <published>2026-12-01T09:30:00+08:00</published>\n  </entry>\n")


def _rss(entries: list[Entry], links: list[tuple[str, str, str]]) -> bytes | type[Exception]:
    feed = FeedInfo(id="urn:x", title="政协动态 · 山东省", urls={".rss": "http://127.0.0.1:8080/feeds/a.rss"},
                    home="http://127.0.0.1:8080/", updated=datetime(2026, 12, 1, tzinfo=UTC),
                    hub="http://hub.example/" if links else None, links=links)
    try:
        return rss.render_rss(feed, entries, stylesheet="feed.xsl")
    except ValueError as exc:
        return type(exc)


@pytest.mark.parametrize("pool", [PLAIN, SAFE, PIECES],
                         ids=["nothing-to-escape", "xml-text", "with-refused-characters"])
def test_rss_items_same_bytes_as_lxml(pool: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(2005)
    feeds = [[random_entry(rng, pool) for _ in range(rng.choice([0, 1, 5, 40]))] for _ in range(120)]
    links = [[], [("prev-archive", "http://127.0.0.1:8080/feeds/archive/all/3.atom", "application/atom+xml")]]
    ours = [_rss(entries, links[i % 2]) for i, entries in enumerate(feeds)]
    monkeypatch.setattr(rss, "NOT_XML", re.compile(""))  # every feed through lxml
    theirs = [_rss(entries, links[i % 2]) for i, entries in enumerate(feeds)]
    assert ours == theirs
    if pool is not PIECES:
        assert any(isinstance(o, bytes) and o.count(b"<item>") == 40 for o in ours)
    else:  # some feeds refused, some written
        assert ValueError in ours and any(isinstance(o, bytes) and b"<item>" in o for o in ours)
