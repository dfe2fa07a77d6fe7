"""WebSub: hub links in every format, and publish pings a local hub receives (retried on failure)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from lxml import etree

from conftest import write_config, zxfeed
from support.pages import dated_items, serve_site
from support.webserver import TestWeb
from zxfeed.publish.websub import HubPinger

ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


class Hub:
    """A hub on 127.0.0.1 that records publish pings and fails the first ``fail`` of them."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.received: list[tuple[dict[str, str], bytes, int]] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = 503 if len(hub.received) < hub.fail else 204
                hub.received.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hub"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, n: int, seconds: float = 30) -> None:
        end = time.monotonic() + seconds
        while len(self.received) < n and time.monotonic() < end:
            time.sleep(0.05)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    h = Hub(fail=1)
    yield h
    h.close()


def test_poll_pings_the_hub_after_a_failure(tmp_path: Path, web: TestWeb, hub: Hub) -> None:
    serve_site(web, "ws-a", dated_items(2))
    cfg = write_config(tmp_path, f"""
        [[sources]]
        id = "ws-a"
        name = "测试政协"
        url = "{web.url('/ws-a/list.html')}"
        region = "山东省"
        """).read_text("utf-8").replace('title = "政协动态"', f'title = "政协动态"\nhub = "{hub.url}"')
    path = tmp_path / "zxfeed.toml"
    path.write_text(cfg, encoding="utf-8")
    done = zxfeed("poll", config=path)
    assert done.returncode == 0, done.stderr
    assert [status for _, _, status in hub.received] == [503, 204]  # retried after the 503
    headers, body, _ = hub.received[-1]
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(body.decode("ascii"))
    assert form["hub.mode"] == ["publish"]
    assert {"http://127.0.0.1:8080/feeds/all.atom", "http://127.0.0.1:8080/feeds/all.json",
            "http://127.0.0.1:8080/feeds/source/ws-a.rss"} <= set(form["hub.url"])
    feeds = tmp_path / "data" / "feeds"
    atom = etree.fromstring((feeds / "all.atom").read_bytes())
    links = atom.findall(ATOM_LINK)
    assert [lk.get("href") for lk in links if lk.get("rel") == "hub"] == [hub.url]
    rss = feedparser.parse((feeds / "all.rss").read_bytes())
    assert any(lk.get("rel") == "hub" and lk.get("href") == hub.url for lk in rss.feed.links)
    assert json.loads((feeds / "all.json").read_bytes())["hubs"] == [{"type": "WebSub", "url": hub.url}]
    # Nothing changed: no ping.
    again = zxfeed("feeds", config=path)
    assert again.returncode == 0 and len(hub.received) == 2


def test_background_pinger_retries_and_merges_topics() -> None:
    hub = Hub(fail=2)
    pinger = HubPinger(hub.url, retry_base=0.05)
    pinger.start()
    try:
        pinger.notify(["http://feeds.example.org/feeds/all.atom"])
        hub.wait(3)
        assert [s for _, _, s in hub.received] == [503, 503, 204]
        pinger.notify(["http://feeds.example.org/feeds/region/x.atom"])
        hub.wait(4)
        topics = parse_qs(hub.received[3][1].decode())["hub.url"]
        assert topics == ["http://feeds.example.org/feeds/region/x.atom"]
    finally:
        pinger.stop()
        hub.close()
