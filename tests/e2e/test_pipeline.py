"""End to end through the real CLI: poll a local site twice, read our Atom back."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import feedparser
from lxml import etree

from conftest import write_config, zxfeed
from support.pages import dated_items, list_page
from support.webserver import TestWeb

ATOM = "{http://www.w3.org/2005/Atom}"


def _list_page(site: str, items: list[tuple[int, str, date]], cut: set[int] = frozenset()) -> str:
    return list_page(items, cut)


def _items(n: int) -> list[tuple[int, str, date]]:
    return dated_items(n)


def _config(tmp_path: Path, web: TestWeb, site: str) -> Path:
    return write_config(tmp_path, f"""
        [[sources]]
        id = "{site}"
        name = "测试政协 · 工作动态"
        url = "{web.url(f'/{site}/list.html')}"
        region = "山东省"
        city = "菏泽市"
        district = "牡丹区"
        """)


def _entries(feed_file: Path) -> list:
    parsed = feedparser.parse(feed_file.read_bytes())
    assert parsed.version == "atom10" and not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def test_poll_twice_new_item_once(tmp_path: Path, web: TestWeb) -> None:
    site = "e2e-a"
    items = _items(5)
    web.set(f"/{site}/list.html", _list_page(site, items[1:]))
    cfg = _config(tmp_path, web, site)
    first = zxfeed("poll", config=cfg)
    assert first.returncode == 0, first.stderr
    feeds = tmp_path / "data" / "feeds"
    assert len(_entries(feeds / "all.atom")) == 4
    def articles() -> list[str]:
        return [path for path, _, _ in web.log if path.startswith(f"/{site}/art/")]

    assert articles() == []  # the baseline (full titles) visits no article page

    web.set(f"/{site}/list.html", _list_page(site, items))  # item 0 published
    second = zxfeed("poll", config=cfg)
    assert second.returncode == 0 and "new=1" in second.stdout, second.stdout + second.stderr
    assert articles() == [f"/{site}/art/0.html"]  # the new item's page, and only it
    entries = _entries(feeds / "all.atom")
    titles = [e.title for e in entries]
    assert titles.count(items[0][1]) == 1 and len(entries) == 5
    assert titles[0] == items[0][1]  # newest first
    assert len({e.id for e in entries}) == 5
    new = entries[0]
    assert new.link == web.url(f"/{site}/art/0.html")
    assert new.published.startswith(f"{items[0][2]:%Y-%m-%d}T00:00:00") or new.published_parsed
    assert new.author == "测试政协 · 工作动态"
    terms = {t.term for t in new.tags}
    assert {"山东省", "菏泽市", "菏泽市牡丹区", site} <= terms

    # The same tree read strictly by lxml: well-formed Atom with the required elements.
    root = etree.fromstring((feeds / "all.atom").read_bytes())
    assert root.tag == f"{ATOM}feed"
    for entry in root.iter(f"{ATOM}entry"):
        for child in ("id", "title", "updated", "link", "author"):
            assert entry.find(f"{ATOM}{child}") is not None, child
    assert (feeds / "region" / "菏泽市牡丹区.atom").exists()
    assert len(_entries(feeds / "source" / f"{site}.atom")) == 5

    db = sqlite3.connect(tmp_path / "data" / "zxfeed.db")
    rows = dict(db.execute("SELECT title, baseline FROM items").fetchall())
    assert rows[items[0][1]] == 0 and all(rows[t] == 1 for _, t, _ in items[1:])


def test_unchanged_poll_and_byte_identical_feeds(tmp_path: Path, web: TestWeb) -> None:
    site = "e2e-b"
    web.set(f"/{site}/list.html", _list_page(site, _items(4)), etag=True)
    cfg = _config(tmp_path, web, site)
    assert zxfeed("poll", config=cfg).returncode == 0
    feed = tmp_path / "data" / "feeds" / "all.atom"
    before = feed.read_bytes()
    again = zxfeed("poll", config=cfg)
    assert "unchanged" in again.stdout, again.stdout
    assert web.requests_to(f"/{site}/list.html")[-1].get("If-None-Match")
    assert zxfeed("feeds", config=cfg).returncode == 0
    assert feed.read_bytes() == before


def test_truncated_titles_repaired_from_article_pages(tmp_path: Path, web: TestWeb) -> None:
    site = "e2e-c"
    items = _items(4)
    web.set(f"/{site}/list.html", _list_page(site, items, cut={0, 1, 2}))
    web.set(f"/{site}/art/0.html", f"<html><head><meta name='ArticleTitle' content='{items[0][1]}'>"
            "<title>x</title></head><body></body></html>")
    web.set(f"/{site}/art/1.html", f"<html><head><title>{items[1][1]}_测试市政协</title></head>"
            "<body><h1>其他</h1></body></html>")
    # Article 2 is missing (404): its title stays truncated now and is repaired later.
    cfg = _config(tmp_path, web, site)
    assert zxfeed("poll", config=cfg).returncode == 0
    titles = {e.link: e.title for e in _entries(tmp_path / "data/feeds/all.atom")}
    assert titles[web.url(f"/{site}/art/0.html")] == items[0][1]
    assert titles[web.url(f"/{site}/art/1.html")] == items[1][1]
    assert titles[web.url(f"/{site}/art/2.html")] == items[2][1][:12]

    web.set(f"/{site}/art/2.html", f"<html><body><h1>{items[2][1]}</h1></body></html>")
    web.set(f"/{site}/list.html", _list_page(site, items, cut={0, 1, 2}) + " ")
    assert zxfeed("poll", config=cfg).returncode == 0
    entries = _entries(tmp_path / "data/feeds/all.atom")
    assert len(entries) == 4  # repaired, not duplicated
    assert {e.link: e.title for e in entries}[web.url(f"/{site}/art/2.html")] == items[2][1]
    # Known full titles are not fetched again.
    assert len(web.requests_to(f"/{site}/art/0.html")) == 1


def test_failing_source_does_not_stop_others(tmp_path: Path, web: TestWeb) -> None:
    web.set("/e2e-d/list.html", _list_page("e2e-d", _items(3)))
    web.set("/e2e-d/down.html", "<h1>Internal error</h1>", status=500)
    cfg = write_config(tmp_path, f"""
        [[sources]]
        id = "good"
        name = "好"
        url = "{web.url('/e2e-d/list.html')}"
        region = "山东省"
        [[sources]]
        id = "down"
        name = "坏"
        url = "{web.url('/e2e-d/down.html')}"
        region = "山东省"
        [[sources]]
        id = "refused"
        name = "无"
        url = "http://127.0.0.1:9/"
        region = "山东省"
        """)
    proc = zxfeed("poll", config=cfg)
    assert proc.returncode == 0, proc.stderr
    states = {s["id"]: s for s in json.loads(zxfeed("sources", "--json", config=cfg).stdout)}
    assert states["good"]["state"] == "ok" and states["good"]["items"] == 3
    assert states["down"]["state"] == "failing" and "500" in states["down"]["last_error"]
    assert states["refused"]["state"] == "failing" and states["refused"]["items"] == 0
    for s in states.values():
        assert {"id", "state", "last_success", "last_error", "items"} <= s.keys()


def test_extract_json_contract(web: TestWeb) -> None:
    items = _items(3)
    web.set("/e2e-e/list.html", _list_page("e2e-e", items))
    proc = zxfeed("extract", web.url("/e2e-e/list.html"), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [o["title"] for o in out] == [t for _, t, _ in items]
    assert out[0]["url"] == web.url("/e2e-e/art/0.html")
    assert out[0]["published"] == f"{items[0][2]:%Y-%m-%d}T00:00:00+08:00"
    assert set(out[0]) == {"title", "url", "published"}
