"""Full text: the body extractor scored on article pages, the sanitizer, and the entry as served."""

from __future__ import annotations

from pathlib import Path

import feedparser
from lxml import etree, html

from conftest import write_config, zxfeed
from support.pages import dated_items, serve_site
from support.webserver import TestWeb


def test_new_item_carries_full_text_as_served_in_every_format(tmp_path: Path, web: TestWeb) -> None:
    site = "ft-a"
    items = dated_items(3)
    serve_site(web, site, items[1:])
    cfg = write_config(tmp_path, f"""
        [[sources]]
        id = "{site}"
        name = "测试政协 · 工作动态"
        url = "{web.url(f'/{site}/list.html')}"
        region = "山东省"
        [[sources]]
        id = "{site}-s"
        name = "摘要政协"
        url = "{web.url(f'/{site}-s/list.html')}"
        region = "河南省"
        content = "summary"
        """)
    serve_site(web, f"{site}-s", items[1:])
    assert zxfeed("poll", config=cfg).returncode == 0
    serve_site(web, site, items)
    serve_site(web, f"{site}-s", items)
    done = zxfeed("poll", config=cfg)
    assert done.returncode == 0, done.stderr
    feeds = tmp_path / "data" / "feeds"
    root = etree.fromstring((feeds / f"source/{site}.atom").read_bytes())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = root.find("a:entry", ns)
    content = entry.find("a:content", ns)
    assert content is not None and content.get("type") == "html"
    body = html.fromstring(f"<div>{content.text}</div>")
    assert "会议指出" in body.text_content() and "网站地图" not in body.text_content()
    assert [i.get("src") for i in body.iter("img")] == [web.url(f"/{site}/art/img/0.jpg")]
    summary = entry.find("a:summary", ns).text
    assert summary.startswith("会议指出") and items[0][1] not in summary  # no title repeated
    # The same entry in RSS and JSON Feed: same id, same text.
    rss = feedparser.parse((feeds / f"source/{site}.rss").read_bytes())
    assert rss.entries[0].id == entry.find("a:id", ns).text
    assert "会议指出" in rss.entries[0].content[0].value
    import json
    doc = json.loads((feeds / f"source/{site}.json").read_bytes())
    assert doc["items"][0]["id"] == entry.find("a:id", ns).text
    assert "会议指出" in doc["items"][0]["content_html"]
    # content = "summary": text, but no body.
    other = etree.fromstring((feeds / f"source/{site}-s.atom").read_bytes())
    first = other.find("a:entry", ns)
    assert first.find("a:content", ns) is None and first.find("a:summary", ns).text.startswith("会议指出")
