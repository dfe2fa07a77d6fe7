"""RSS and JSON Feed beside Atom over HTTP, filtered feeds with ETag/304, saved searches, OPML."""

from __future__ import annotations

import http.client
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest

from conftest import write_config, zxfeed
from support.pages import dated_items, serve_site
from support.validators import jing
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import make_publisher
from zxfeed.models import RawItem
from zxfeed.normalize.items import normalize_item
from zxfeed.publish.feedfilter import FilteredFeeds
from zxfeed.publish.opml import build_opml
from zxfeed.store import Store
from zxfeed.web.app import FeedServer


def _get(server: FeedServer, path: str, **headers: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    resp.body = resp.read()  # type: ignore[attr-defined]
    conn.close()
    return resp


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, web: TestWeb):
    tmp = tmp_path_factory.mktemp("fmt")
    serve_site(web, "fmt-sd", dated_items(6))
    serve_site(web, "fmt-hn", dated_items(6, titles=["市政协召开提案工作座谈会部署年度任务",
                                                "市政协委员视察城市更新项目建设情况"]))
    cfg_path = write_config(tmp, f"""
        [[feeds.custom]]
        name = "提案"
        q = "提案"
        [[sources]]
        id = "fmt-sd"
        name = "山东政协"
        url = "{web.url('/fmt-sd/list.html')}"
        region = "山东省"
        level = "provincial"
        [[sources]]
        id = "fmt-hn"
        name = "郑州政协"
        url = "{web.url('/fmt-hn/list.html')}"
        region = "河南省"
        city = "郑州市"
        level = "municipal"
        """)
    assert zxfeed("poll", config=cfg_path).returncode == 0
    cfg = load_config(cfg_path)
    store = Store(cfg.db_path)
    server = FeedServer("127.0.0.1", 0, cfg.feeds_dir, store,
                        opml=lambda: build_opml(cfg, datetime.now(UTC)),
                        filtered=FilteredFeeds(make_publisher(cfg, store)))
    server.start()
    yield cfg, store, server
    server.stop()
    store.close()


def test_every_feed_is_served_in_three_formats(served) -> None:
    _cfg, _, server = served
    for path, ctype in (("/feeds/all.atom", "application/atom+xml"), ("/feeds/all.rss", "application/rss+xml"),
                        ("/feeds/all.json", "application/feed+json"),
                        (f"/feeds/region/{quote('郑州市')}.json", "application/feed+json"),
                        ("/feeds/source/fmt-sd.rss", "application/rss+xml")):
        resp = _get(server, path)
        assert resp.status == 200 and resp.getheader("Content-Type").startswith(ctype), path
        again = _get(server, path, **{"If-None-Match": resp.getheader("ETag")})
        assert again.status == 304 and again.body == b""
    atom = feedparser.parse(_get(server, "/feeds/all.atom").body)
    rss = feedparser.parse(_get(server, "/feeds/all.rss").body)
    doc = json.loads(_get(server, "/feeds/all.json").body)
    assert [e.id for e in atom.entries] == [e.id for e in rss.entries] == [i["id"] for i in doc["items"]]
    assert len(atom.entries) == 12


def test_opml_lists_all_formats_and_saved_searches(served) -> None:
    _, _, server = served
    from lxml import etree
    root = etree.fromstring(_get(server, "/opml").body)
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert urls[0].endswith("/feeds/all.atom")
    for suffix in (".atom", ".rss", ".json"):
        assert any(u.endswith("/feeds/source/fmt-hn" + suffix) for u in urls)
        assert any(u.endswith(f"/feeds/custom/{quote('提案')}{suffix}") for u in urls)


def test_saved_search_is_written_as_files(served) -> None:
    cfg, _, _ = served
    files = [cfg.feeds_dir / "custom" / f"提案{s}" for s in (".atom", ".rss", ".json")]
    assert all(f.exists() for f in files)
    entries = feedparser.parse(files[0].read_bytes()).entries
    assert entries and all("提案" in e.title or "提案" in e.summary for e in entries)
    assert feedparser.parse(files[0].read_bytes()).feed.title.endswith("提案")
    assert jing(files[0]).returncode == 0


def test_filtered_feeds_from_the_store_with_etag_and_cache(served) -> None:
    _cfg, store, server = served
    path = f"/feeds/all.atom?q={quote('提案')}&level=municipal"
    first = _get(server, path)
    assert first.status == 200 and first.getheader("Content-Type").startswith("application/atom+xml")
    parsed = feedparser.parse(first.body)
    assert "关键词“提案”" in parsed.feed.title and "市级" in parsed.feed.title
    assert parsed.entries and all("提案" in e.title for e in parsed.entries)
    assert {t.term for e in parsed.entries for t in e.tags} >= {"fmt-hn"}
    assert "fmt-sd" not in {t.term for e in parsed.entries for t in e.tags}
    # The self link is the URL asked for, query and all.
    assert next(lk.href for lk in parsed.feed.links if lk.rel == "self").endswith(path)
    same = _get(server, path, **{"If-None-Match": first.getheader("ETag")})
    assert same.status == 304
    region = json.loads(_get(server, f"/feeds/all.json?region={quote('山东省')}").body)
    assert region["items"] and all(i["_zxfeed"]["source_id"] == "fmt-sd" for i in region["items"])
    assert "山东省" in region["title"]
    rss = feedparser.parse(_get(server, f"/feeds/source/fmt-hn.rss?q={quote('视察')}").body)
    assert rss.entries and all("视察" in e.title for e in rss.entries)
    assert _get(server, "/feeds/nothing.atom?q=x").status == 404
    # A new matching item: the cached feed is rebuilt, with a new ETag.
    now = datetime.now(UTC)
    raw = RawItem(title="郑州市政协召开提案督办协商会", url="http://zz.example.gov.cn/a/new.html",
                  published=now - timedelta(minutes=5))
    store.save_poll("fmt-hn", [normalize_item(raw, source_id="fmt-hn", source_name="郑州政协",
                                              regions=("河南省", "郑州市"), now=now)], now)
    fresh = _get(server, path, **{"If-None-Match": first.getheader("ETag")})
    assert fresh.status == 200 and fresh.getheader("ETag") != first.getheader("ETag")
    assert feedparser.parse(fresh.body).entries[0].title == "郑州市政协召开提案督办协商会"


def test_filtered_feed_passes_the_schema(served, tmp_path: Path) -> None:
    _, _, server = served
    body = _get(server, f"/feeds/all.atom?q={quote('协商')}&region={quote('河南省')}").body
    out = tmp_path / "filtered.atom"
    out.write_bytes(body)
    assert jing(out).returncode == 0
