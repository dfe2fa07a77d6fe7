"""RFC 5005 archives: the current feed links full pages that never change once written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from support.validators import jing
from zxfeed.models import RawItem
from zxfeed.normalize.items import normalize_item
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
