"""A feed opened in a browser reads as a page with a subscribe hint; readers still get the feed."""

from __future__ import annotations

import http.client
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest

from zxfeed.models import RawItem
from zxfeed.normalize.items import normalize_item
from zxfeed.publish.publisher import Publisher
from zxfeed.store import Store
from zxfeed.web.app import FeedServer

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def server(tmp_path: Path):
    store = Store(tmp_path / "z.db")
    store.sync_sources([("s1", "测试政协", "http://zx.example.gov.cn/")])
    now = datetime.now(UTC)
    raw = RawItem(title="市政协召开专题协商会议推进城乡融合发展", url="http://zx.example.gov.cn/a/1.html",
                  published=now - timedelta(hours=1), summary="会议指出，要坚持团结和民主两大主题。")
    store.save_poll("s1", [normalize_item(raw, source_id="s1", source_name="测试政协",
                                          regions=("山东省",), now=now)], now)
    Publisher(store, tmp_path / "feeds", title="政协动态", base_url="http://127.0.0.1:8080",
              source_names={"s1": "测试政协"}).publish()
    srv = FeedServer("127.0.0.1", 0, tmp_path / "feeds", store)
    srv.start()
    yield srv
    srv.stop()
    store.close()


def _dom(url: str, profile: Path) -> str:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (Debian package chromium)")
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", "--dump-dom", url],
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


@pytest.mark.parametrize("path", ["/feeds/all.atom", f"/feeds/region/{quote('山东省')}.rss",
                                  "/feeds/source/s1.atom"])
def test_browser_shows_a_page_with_a_subscribe_hint(server: FeedServer, tmp_path: Path, path: str) -> None:
    dom = _dom(server.url + path, tmp_path / "profile")
    assert 'id="subscribe-hint"' in dom and "订阅" in dom
    assert "市政协召开专题协商会议推进城乡融合发展" in dom
    assert "&lt;feed" not in dom and "&lt;rss" not in dom  # not the raw XML as text


def test_readers_still_get_the_feed(server: FeedServer) -> None:
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    conn.request("GET", "/feeds/all.atom", headers={"Accept": "application/atom+xml, application/xml;q=0.9"})
    resp = conn.getresponse()
    body = resp.read()
    assert resp.getheader("Content-Type").startswith("application/atom+xml")
    assert "Accept" in [v.strip() for v in resp.getheader("Vary").split(",")]
    parsed = feedparser.parse(body)
    assert parsed.version == "atom10" and not parsed.bozo and len(parsed.entries) == 1
    assert body.count(b"<?xml-stylesheet") == 1
    conn.request("GET", "/feeds/feed.xsl")
    xsl = conn.getresponse()
    assert xsl.status == 200 and xsl.getheader("Content-Type").startswith("text/xsl")
    xsl.read()
    conn.close()
