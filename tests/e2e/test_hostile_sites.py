"""Hostile sites (issue 16, items 1–6) against a real ``zxfeed poll`` and hostile servers on 127.0.0.0/8.

Each test names the attack; the server on 127.0.0.2 stands for what only this machine
can reach (a metadata service, an intranet page) and must receive nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest

from conftest import write_config, zxfeed
from support.hostile import (
    HostileWeb,
    deep_nesting,
    entity_feed,
    feed,
    good_links,
    json_list,
    json_nested,
    list_page,
    long_title,
    many_items,
)
from zxfeed.config.settings import SelectorsConfig, load_config
from zxfeed.daemon.wiring import fetch_settings
from zxfeed.fetch.client import Fetcher
from zxfeed.poll.source import poll_source
from zxfeed.store import Store


@pytest.fixture()
def site() -> Iterator[HostileWeb]:
    web = HostileWeb("127.0.0.1")
    yield web
    web.close()


@pytest.fixture()
def internal() -> Iterator[HostileWeb]:
    """What an attacker wants read: a 'metadata service' on another loopback address."""
    web = HostileWeb("127.0.0.2")
    web.set("/latest/meta-data/", "<p>SECRET-KEY-4711</p>")
    web.set("/secret.html", "<html><head><title>SECRET-KEY-4711 内部文件</title></head>"
                            "<body><h1>SECRET-KEY-4711 内部文件</h1><p>发布时间：2024-02-05</p></body></html>")
    yield web
    web.close()


def _source(sid: str, url: str, extra: str = "") -> str:
    return f"""
        [[sources]]
        id = "{sid}"
        name = "来源 {sid}"
        url = "{url}"
        region = "山东省"
        {extra}
        """


def _sources(cfg: Path) -> dict[str, dict]:
    out = zxfeed("sources", "--json", config=cfg)
    assert out.returncode == 0, out.stderr
    return {s["id"]: s for s in json.loads(out.stdout)}


def _titles(cfg: Path) -> dict[str, str]:
    with sqlite3.connect(cfg.parent / "data" / "zxfeed.db") as db:
        return dict(db.execute("SELECT link, title FROM items"))


def _feed_bytes(cfg: Path) -> bytes:
    return (cfg.parent / "data" / "feeds" / "all.atom").read_bytes()


# -- 16.1 SSRF -----------------------------------------------------------------------

@pytest.mark.parametrize("target", [
    "http://127.0.0.2:{port}/latest/meta-data/",
    "http://[::ffff:127.0.0.2]:{port}/latest/meta-data/",  # IPv4-mapped IPv6
    "http://localhost:{port}/latest/meta-data/",           # a name, checked after DNS
])
def test_redirect_to_internal_address_is_refused(tmp_path: Path, site: HostileWeb,
                                                 internal: HostileWeb, target: str) -> None:
    site.redirect("/list.html", target.format(port=internal.port))
    cfg = write_config(tmp_path, _source("ssrf", site.url("/list.html")))
    out = zxfeed("poll", config=cfg)
    assert internal.count("/latest/meta-data/") == 0
    assert "blocked-address" in out.stdout
    state = _sources(cfg)["ssrf"]
    assert state["last_error_kind"] == "blocked-address" and state["state"] == "blocked"


def test_article_link_to_internal_address_is_not_fetched(tmp_path: Path, site: HostileWeb,
                                                         internal: HostileWeb) -> None:
    # Cut titles: even a source's first poll visits their articles to complete them.
    links = [(f"/a{i}.html", f"政协第{i}次常委会议审议通过…") for i in range(3)]
    links.append((internal.url("/secret.html"), "政协内部文件的有关说明通知…"))
    site.set("/a0.html", "<html><head><title>政协第0次常委会议审议通过有关事项</title></head>"
                         "<body><h1>政协第0次常委会议审议通过有关事项</h1></body></html>")
    site.set("/list.html", list_page(links))
    cfg = write_config(tmp_path, _source("enrich", site.url("/list.html")))
    assert zxfeed("poll", config=cfg).returncode == 0
    # The list's own articles were visited (same host as the source), the internal one never.
    assert site.count("/a0.html") == 1
    assert internal.count("/secret.html") == 0
    assert b"SECRET-KEY-4711" not in _feed_bytes(cfg)


def test_operator_may_allow_internal_addresses(tmp_path: Path, site: HostileWeb,
                                               internal: HostileWeb) -> None:
    internal.set("/list.html", list_page(good_links("/i", 3)))
    site.redirect("/one.html", internal.url("/list.html"))
    site.redirect("/two.html", internal.url("/list.html"))
    cfg = write_config(tmp_path, _source("listed", site.url("/one.html"),
                                         'private_networks = ["127.0.0.2/32"]')
                       + _source("other", site.url("/two.html")))
    zxfeed("poll", config=cfg)
    states = _sources(cfg)
    assert states["listed"]["state"] == "ok" and states["other"]["last_error_kind"] == "blocked-address"
    everything = tmp_path / "all"
    everything.mkdir()
    cfg2 = write_config(everything, _source("other", site.url("/two.html")))
    cfg2.write_text(cfg2.read_text("utf-8").replace("[fetch]", "[fetch]\nallow_private = true"), "utf-8")
    zxfeed("poll", config=cfg2)
    assert _sources(cfg2)["other"]["state"] == "ok"


@pytest.mark.parametrize(("address", "internal"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True),
    ("169.254.169.254", True), ("100.64.0.1", True), ("0.0.0.0", True), ("224.0.0.1", True),
    ("239.255.255.250", True), ("240.0.0.1", True), ("255.255.255.255", True), ("::1", True),
    ("fe80::1", True), ("fc00::1", True), ("ff02::1", True), ("::ffff:169.254.169.254", True),
    ("64:ff9b::a9fe:a9fe", True), ("2002:7f00:1::", True), ("::", True),
    ("8.8.8.8", False), ("202.108.22.5", False), ("2400:da00::6666", False),
])
def test_internal_address_classes(address: str, internal: bool) -> None:
    from ipaddress import ip_address

    from zxfeed.fetch.netguard import Reach, is_internal

    assert is_internal(ip_address(address)) is internal
    assert Reach().permits("example.gov.cn", 80, ip_address(address)) is not internal


@pytest.mark.parametrize(("networks", "proxy", "fix"), [
    ('["10.0.0.0/33"]', None, "CIDR"),
    ('["10.0.0.0/8", "192.168.1.20"]', "socks5://127.0.0.1:1080", "http://host:port"),
    ('["10.0.0.0/8", "192.168.1.20"]', "http://127.0.0.1:3128", None),
])
def test_reach_settings_are_checked(tmp_path: Path, networks: str, proxy: str | None,
                                    fix: str | None) -> None:
    cfg = write_config(tmp_path, _source("s", "http://www.example.gov.cn/", f"private_networks = {networks}"))
    if proxy:
        cfg.write_text(cfg.read_text("utf-8").replace("[fetch]", f'[fetch]\nproxy = "{proxy}"'), "utf-8")
    out = zxfeed("check", config=cfg)
    if fix is None:
        assert out.returncode == 0, out.stderr
    else:
        assert out.returncode == 2 and fix in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1


# -- 16.2 only web links -----------------------------------------------------------------

def test_script_and_data_links_never_become_items(tmp_path: Path, site: HostileWeb) -> None:
    site.set("/feed.xml", feed([
        ("政协常委会议召开", "http://example.org/ok.html"),
        ("点我", "javascript:alert(document.cookie)"),
        ("数据", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
        ("旧式脚本", "vbscript:msgbox(1)"),
    ]), content_type="application/rss+xml")
    site.set("/list.json", json_list([
        {"title": "政协提案办理情况通报", "url": "/ok1.html", "date": "2024-02-05"},
        {"title": "脚本链接的条目标题", "url": "javascript:void(0)", "date": "2024-02-05"},
        {"title": "政协委员视察活动", "url": "/ok2.html", "date": "2024-02-04"},
    ]), content_type="application/json")
    cfg = write_config(tmp_path, _source("feed", site.url("/feed.xml"), "fetch_articles = false")
                       + _source("json", site.url("/list.json"), "fetch_articles = false"))
    assert zxfeed("poll", config=cfg).returncode == 0
    links = set(_titles(cfg))
    assert "http://example.org/ok.html" in links and site.url("/ok1.html") in links
    assert all(link.startswith(("http://", "https://")) for link in links), links
    raw = _feed_bytes(cfg).lower()
    assert b"javascript:" not in raw and b"vbscript:" not in raw and b"data:text" not in raw


# -- 16.3 memory ---------------------------------------------------------------------------

def test_pages_are_bounded_in_items_and_title_length(tmp_path: Path, site: HostileWeb) -> None:
    site.set("/many.html", many_items(5000))
    site.set("/long.html", long_title(10_005))
    cfg = write_config(tmp_path, _source("many", site.url("/many.html"), "fetch_articles = false")
                       + _source("long", site.url("/long.html"), "fetch_articles = false"))
    assert zxfeed("poll", config=cfg, timeout=180).returncode == 0
    titles = _titles(cfg)
    many = [t for link, t in titles.items() if "/many/" in link]
    assert 100 <= len(many) <= 1000
    assert max(len(t) for t in titles.values()) <= 300
    assert any(link.endswith("/long/0.html") for link in titles)


def test_feed_entities_are_not_expanded(tmp_path: Path, site: HostileWeb) -> None:
    site.set("/entities.xml", entity_feed(chars=10_000, refs=100), content_type="application/rss+xml")
    cfg = write_config(tmp_path, _source("ent", site.url("/entities.xml"), "fetch_articles = false"))
    assert zxfeed("poll", config=cfg).returncode == 0
    titles = _titles(cfg)
    assert titles.get("http://example.org/ok.html") == "政协常委会议召开"
    # A million characters of 政协会议… if the entity were expanded; none when it is not.
    assert all("政协会议政协会议" not in t for t in titles.values()), [len(t) for t in titles.values()]


@pytest.mark.parametrize("tag", ["font", "div", "ul"])
def test_list_after_thousands_of_unclosed_tags_is_kept(tmp_path: Path, site: HostileWeb, tag: str) -> None:
    site.set("/deep.html", deep_nesting(2500, tag))
    cfg = write_config(tmp_path, _source("deep", site.url("/deep.html"), "fetch_articles = false"))
    assert zxfeed("poll", config=cfg).returncode == 0
    assert sum("/deep/a" in link for link in _titles(cfg)) == 4


# -- 16.5 one bad entry never loses the page ------------------------------------------------

def test_bad_entries_are_skipped_and_counted(tmp_path: Path, site: HostileWeb) -> None:
    good = good_links("/g", 3)
    site.set("/html.html", list_page([*good, ("http://[siteurl]/a/1.html", "未替换模板的链接标题文字"),
                                      ("http://www.example.gov.cn:99999/a.html", "端口越界的链接标题文字")]))
    site.set("/dates.json", json_list([
        {"title": "日期过大的条目标题文字", "url": "/j1.html", "date": 1e20},
        {"title": "日期无穷大的条目标题", "url": "/j2.html", "date": float("inf")},
        {"title": "正常的政协新闻条目标题", "url": "/j3.html", "date": "2024-02-05"},
        {"title": "另一条正常的政协新闻", "url": "/j5.html", "date": "2024-02-04"},
        {"title": "第三条正常的政协新闻", "url": "/j6.html", "date": "2024-02-03"},
        {"title": "孤立代理字符链接标题", "url": "/j4\ud800.html", "date": "2024-02-05"},
    ]), content_type="application/json")
    site.set("/nested.json", json_nested(100_000), content_type="application/json")
    site.set("/surrogate.xml", feed([("坏&#xD800;条目", "http://example.org/bad&#55296;.html"),
                                     ("政协常委会议召开", "http://example.org/fine.html")]),
             content_type="application/rss+xml")
    site.set("/normal.html", list_page(good_links("/n", 3)))
    cfg = write_config(tmp_path, "".join(_source(sid, site.url(path), "fetch_articles = false")
                                         for sid, path in [("html", "/html.html"), ("dates", "/dates.json"),
                                                           ("nested", "/nested.json"),
                                                           ("surrogate", "/surrogate.xml"),
                                                           ("normal", "/normal.html")]))
    out = zxfeed("poll", config=cfg)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    links = set(_titles(cfg))
    assert {site.url(f"/g{i}.html") for i in range(3)} <= links
    assert {site.url("/j1.html"), site.url("/j2.html"), site.url("/j3.html")} <= links
    assert "http://example.org/fine.html" in links
    assert {site.url(f"/n{i}.html") for i in range(3)} <= links
    states = _sources(cfg)
    for sid in ("html", "dates", "surrogate"):
        assert states[sid]["state"] == "degraded" and "skipped" in states[sid]["last_error"], states[sid]
    assert states["nested"]["state"] == "broken"
    assert states["normal"]["state"] == "ok"
    assert feedparser.parse(_feed_bytes(cfg)).entries


# -- 16.6 bidi controls -------------------------------------------------------------------------

def test_bidi_controls_are_stripped_from_titles(tmp_path: Path, site: HostileWeb) -> None:
    tricks = ["\u202e", "\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069",
              "\u200e", "\u200f", "\u061c"]
    links = [(f"/b{i}.html", f"政协{c}委员提案{c}办理情况答复") for i, c in enumerate(tricks)]
    site.set("/bidi.html", list_page(links))
    cfg = write_config(tmp_path, _source("bidi", site.url("/bidi.html"), "fetch_articles = false"))
    assert zxfeed("poll", config=cfg).returncode == 0
    titles = _titles(cfg)
    assert len(titles) == len(tricks)
    assert set(titles.values()) == {"政协委员提案办理情况答复"}
    text = _feed_bytes(cfg).decode("utf-8")
    assert not any(c in text for c in tricks)


def test_a_poll_that_raises_is_recorded_as_that_sources_error(tmp_path: Path, site: HostileWeb) -> None:
    site.set("/list.html", list_page(good_links("/r", 3)))
    cfg = load_config(write_config(tmp_path, _source("fine", site.url("/list.html"), "fetch_articles = false")))
    # A selector that cannot compile stands for any fault inside zxfeed (built unchecked,
    # as `zxfeed check` may refuse it in a config file).
    bad = cfg.sources[0].model_copy(update={
        "id": "bad", "selectors": SelectorsConfig.model_construct(item="li[", title="a", link=None, date=None)})
    store = Store(cfg.db_path)
    store.sync_sources([("fine", "fine", bad.url), ("bad", "bad", bad.url)])
    try:
        with Fetcher(fetch_settings(cfg)) as fetcher:
            failed = poll_source(bad, cfg, store, fetcher)
            fine = poll_source(cfg.sources[0], cfg, store, fetcher)
        assert failed.status == "failed" and failed.error.startswith("internal:")
        assert fine.status == "ok" and fine.found == 3
        state = store.source("bad", counts=False)
        assert state.last_error_kind == "internal" and state.failures == 1 and state.state == "failing"
    finally:
        store.close()


def test_extract_does_not_visit_internal_article_links(site: HostileWeb, internal: HostileWeb) -> None:
    links = [(f"/e{i}.html", f"政协第{i}次常委会议审议通过…") for i in range(3)]
    links.append((internal.url("/secret.html"), "政协内部文件的有关说明通知…"))
    site.set("/list.html", list_page(links))
    out = zxfeed("extract", site.url("/list.html"), "--json")
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)) == 4
    assert site.count("/e0.html") == 1 and internal.count("/secret.html") == 0
    assert "SECRET-KEY-4711" not in out.stdout
