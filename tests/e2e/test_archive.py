"""RFC 5005 archives: the current feed links full pages that never change once written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree

from support.validators import jing
from zxfeed.models import RawItem
from zxfeed.normalize.items import normalize_item
from zxfeed.publish import archive
from zxfeed.publish.publisher import Publisher
from zxfeed.store import Store

A = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _poll(store: Store, start: int, n: int, when: datetime) -> None:
    items = [normalize_item(RawItem(title=f"政协第{i}号工作动态：围绕重点课题开展专题调研第{i}次",
                                    url=f"http://zx.example.gov.cn/a/{i}.html",
                                    published=when - timedelta(hours=i % 7)),
                            source_id="s1", source_name="测试政协", regions=("山东省",), now=when)
             for i in range(start, start + n)]
    store.save_poll("s1", items, when)


def _links(file: Path) -> dict[str, str]:
    root = etree.fromstring(file.read_bytes())
    return {lk.get("rel"): lk.get("href") for lk in root.findall(f"{A}link")}


def _local(feeds: Path, href: str) -> Path:
    return feeds / unquote(urlsplit(href).path).removeprefix("/feeds/")


def _ids(file: Path) -> list[str]:
    return [e.findtext(f"{A}id") for e in etree.fromstring(file.read_bytes()).iter(f"{A}entry")]


def test_archives_cover_everything_and_never_change(tmp_path: Path) -> None:
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试政协", "http://zx.example.gov.cn/")])
    feeds = tmp_path / "feeds"
    pub = Publisher(store, feeds, title="政协动态", base_url="http://127.0.0.1:8080", limit=4,
                    source_names={"s1": "测试政协"}, archive_page=3)
    _poll(store, 0, 8, NOW)
    pub.publish()
    current = feeds / "all.atom"
    newest = _local(feeds, _links(current)["prev-archive"])
    assert newest.name == "2.atom"  # 8 items: two full pages of 3, the rest only current
    page2 = newest.read_bytes()
    root = etree.fromstring(page2)
    assert root.find(f"{FH}archive") is not None
    assert _links(newest)["current"].endswith("/feeds/all.atom")
    assert _local(feeds, _links(newest)["prev-archive"]).name == "1.atom"
    assert "prev-archive" not in _links(feeds / "archive/all/1.atom")
    assert jing(feeds / "archive/all/1.atom", newest, current).returncode == 0

    # More items: full pages stay byte for byte, and new full pages appear.
    later = NOW + timedelta(days=1)
    _poll(store, 8, 4, later)
    pub.publish()
    assert newest.read_bytes() == page2
    assert _local(feeds, _links(current)["prev-archive"]).name == "4.atom"
    # Walking back from the current document reaches every item exactly once or more.
    seen, page = set(_ids(current)), current
    while "prev-archive" in _links(page):
        page = _local(feeds, _links(page)["prev-archive"])
        seen |= set(_ids(page))
    assert len(seen) == 12
    region = feeds / "region/山东省.atom"
    assert _local(feeds, _links(region)["prev-archive"]).name == "4.atom"
    assert (feeds / "archive/region/山东省/4.atom").exists()
    assert (feeds / "archive/source/s1/1.atom").exists()
    store.close()


def test_no_archive_links_below_one_full_page(tmp_path: Path) -> None:
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试政协", "http://zx.example.gov.cn/")])
    pub = Publisher(store, tmp_path / "feeds", title="政协动态", base_url="http://127.0.0.1:8080",
                    source_names={"s1": "测试政协"}, archive_page=100)
    _poll(store, 0, 5, NOW)
    pub.publish()
    assert "prev-archive" not in _links(tmp_path / "feeds/all.atom")
    assert not (tmp_path / "feeds/archive").exists()
    store.close()


def _hrefs(feeds: Path) -> list[tuple[Path, str, Path]]:
    """(file, rel, target) of every archive link in every Atom file under ``feeds``."""
    out = []
    for file in feeds.rglob("*.atom"):
        for rel, href in _links(file).items():
            if rel in ("prev-archive", "next-archive", "current"):
                out.append((file, rel, _local(feeds, href)))
    return out


def _chains_complete(feeds: Path) -> None:
    """Pages on disk are 1 … w for every feed, and every archive link resolves."""
    for folder in {p.parent for p in (feeds / "archive").rglob("*.atom")}:
        numbers = sorted(int(p.stem) for p in folder.glob("*.atom"))
        assert numbers == list(range(1, len(numbers) + 1)), folder
    for file, rel, target in _hrefs(feeds):
        assert target.exists(), (file, rel, target)


def test_current_document_follows_a_long_backlog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While pages are still missing, the current document's link moves on every few pages."""
    monkeypatch.setattr(archive, "RELINK_PAGES", 4)
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试政协", "http://zx.example.gov.cn/")])
    _poll(store, 0, 60, NOW)
    feeds = tmp_path / "feeds"
    pub = Publisher(store, feeds, title="政协动态", base_url="http://127.0.0.1:8080", limit=4,
                    source_names={"s1": "测试政协"}, archive_page=3, archive_seconds=0.0)
    pub.publish()
    linked = []
    while pub.archive_pending():
        pub.archive_step()
        _chains_complete(feeds)
        link = _links(feeds / "all.atom").get("prev-archive")
        linked.append(_local(feeds, link).name if link else None)
    assert linked[0] is None and linked[-1] == "20.atom"  # one page a round, linked every 4
    assert {"4.atom", "8.atom", "12.atom", "16.atom"} <= set(linked)
    store.close()


def test_budgeted_rounds_write_every_missing_page(tmp_path: Path) -> None:
    """A store with many missing pages gets them in later rounds, oldest first, each link resolving."""
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试政协", "http://zx.example.gov.cn/")])
    _poll(store, 0, 60, NOW)  # 20 pages of 3 in the merged, region and source feeds
    kwargs = dict(title="政协动态", base_url="http://127.0.0.1:8080", limit=4,
                  source_names={"s1": "测试政协"}, archive_page=3)
    feeds = tmp_path / "feeds"
    pub = Publisher(store, feeds, archive_seconds=0.0, **kwargs)  # type: ignore[arg-type]
    pub.publish()
    assert pub.archive_pending()
    first = sorted(p.relative_to(feeds).as_posix() for p in (feeds / "archive").rglob("*.atom"))
    assert first == ["archive/all/1.atom", "archive/all/2.atom"]  # the oldest of the first feed
    # Its current document links page 2 once the backlog is done (or far along), not each round.
    assert "prev-archive" not in _links(feeds / "all.atom")
    assert "prev-archive" not in _links(feeds / "region/山东省.atom")  # none of its pages yet
    _chains_complete(feeds)
    pages = {p: p.read_bytes() for p in (feeds / "archive").rglob("*.atom")}
    rounds = 0
    while pub.archive_pending():
        pub.archive_step()
        rounds += 1
        assert rounds < 200
        _chains_complete(feeds)
        for p, data in pages.items():
            assert p.read_bytes() == data  # written once, never changed
        pages |= {p: p.read_bytes() for p in (feeds / "archive").rglob("*.atom") if p not in pages}
        if rounds == 3:
            _poll(store, 60, 9, NOW + timedelta(days=1))  # news while pages are still missing
            pub.publish(regions={"山东省"}, sources={"s1"})
    assert rounds >= 10
    for feed in ("all", "region/山东省", "source/s1"):
        current = feeds / f"{feed}.atom"
        assert _local(feeds, _links(current)["prev-archive"]) == feeds / f"archive/{feed}/23.atom"
    # Byte for byte what one unbudgeted round writes into an empty folder.
    alone = tmp_path / "alone"
    Publisher(store, alone, **kwargs).publish()  # type: ignore[arg-type]
    ours = {p.relative_to(feeds): p.read_bytes() for p in feeds.rglob("*") if p.is_file()}
    theirs = {p.relative_to(alone): p.read_bytes() for p in alone.rglob("*") if p.is_file()}
    assert ours.keys() == theirs.keys() and ours == theirs
    assert jing(*(feeds / "archive/all").glob("*.atom")).returncode == 0
    store.close()


def test_pages_on_disk_are_kept_by_a_new_publisher(tmp_path: Path) -> None:
    """A restart reads which pages exist; it continues after them and rewrites none."""
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试政协", "http://zx.example.gov.cn/")])
    _poll(store, 0, 30, NOW)
    kwargs = dict(title="政协动态", base_url="http://127.0.0.1:8080", limit=4,
                  source_names={"s1": "测试政协"}, archive_page=3)
    feeds = tmp_path / "feeds"
    Publisher(store, feeds, archive_seconds=0.0, **kwargs).publish()  # type: ignore[arg-type]
    page2 = feeds / "archive/all/2.atom"
    before = page2.stat().st_mtime_ns, page2.read_bytes()
    assert not (feeds / "archive/all/3.atom").exists()
    _poll(store, 30, 6, NOW + timedelta(days=1))
    again = Publisher(store, feeds, archive_seconds=0.0, **kwargs)  # type: ignore[arg-type]
    again.publish()
    while again.archive_pending():
        again.archive_step()
    assert (page2.stat().st_mtime_ns, page2.read_bytes()) == before
    assert _local(feeds, _links(feeds / "all.atom")["prev-archive"]).name == "12.atom"
    _chains_complete(feeds)
    store.close()
