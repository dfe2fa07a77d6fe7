"""The status page at ``/`` as served by a real ``zxfeed run``, and as Chromium lays it out."""

from __future__ import annotations

import html
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from conftest import ROOT, write_config, zxfeed
from support import browser
from support.helpers import wait_for
from support.pages import dated_items, list_page
from support.smtpsink import free_port
from support.webserver import TestWeb

HOSTILE = "<img src=x onerror=alert(1)>"


def _source(sid: str, name: str, url: str, region: str = "山东省", city: str = "济南市") -> str:
    return (f'[[sources]]\nid = "{sid}"\nname = "{name}"\nurl = "{url}"\nregion = "{region}"\n'
            f'city = "{city}"\nfetch_articles = false\n')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, web: TestWeb) -> Iterator[dict]:
    """A running zxfeed whose sources are ok, failing, broken, hostile and in two regions."""
    tmp = tmp_path_factory.mktemp("status")
    port = free_port()
    web.set("/sp/ok.html", list_page(dated_items(5)))
    web.set("/sp/bj.html", list_page(dated_items(3, start=10)))
    web.set("/sp/down.html", "busy", status=503)
    web.set("/sp/gone.html", "<html><body><p>网站改版中，敬请期待</p></body></html>")
    web.set("/sp/evil.html", "", status=302,
            headers={"Location": "ftp://x/<script>alert(1)</script>"})
    body = (f'[server]\nport = {port}\n[schedule]\ninterval = 600\ntimezone = "Asia/Tokyo"\n'
            + _source("sp-ok", "济南市政协 · 工作动态", web.url("/sp/ok.html"))
            + _source("sp-bj", "北京市政协 · 要闻", web.url("/sp/bj.html"), "北京市", "北京市")
            + _source("sp-down", "菏泽市政协 · 通知公告", web.url("/sp/down.html"))
            + _source("sp-gone", "潍坊市政协 · 协商", web.url("/sp/gone.html"))
            + _source("sp-evil", HOSTILE.replace('"', "'"), web.url("/sp/evil.html")))
    cfg = write_config(tmp, body)
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"

    def all_polled() -> bool:
        if proc.poll() is not None:  # it could not start (its port taken, …): say why
            raise AssertionError(f"zxfeed run exited {proc.returncode}: {proc.stderr.read()}")
        rows = json.loads(zxfeed("sources", "--json", config=cfg).stdout or "[]")
        return bool(rows) and all(r["last_poll"] for r in rows)

    try:
        assert wait_for(all_polled, 60), "sources never polled"
        feeds = tmp / "data" / "feeds" / "region"
        assert wait_for(lambda: (feeds / "北京市.atom").exists() and (feeds / "济南市.atom").exists(),
                     30), "feeds never published"
        yield {"base": base, "cfg": cfg, "tmp": tmp}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)


def _get(site: dict, query: str = "") -> str:
    r = httpx.get(site["base"] + "/" + query, timeout=10)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return r.text


def _ids(page: str) -> list[str]:
    return re.findall(r'<tr class="src" id="src-([a-z0-9-]+)"', page)


def test_chinese_names_counts_links_and_zone(site: dict) -> None:
    page = _get(site)
    assert '<html lang="zh-CN">' in page and "运行状态" in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feeds/all.atom"' in page and 'href="/opml"' in page
    for sid, name in (("sp-ok", "济南市政协 · 工作动态"), ("sp-down", "菏泽市政协 · 通知公告")):
        row = page[page.index(f'id="src-{sid}"'):]
        row = row[:row.index("</tr>")]
        assert name in row and f'<span class="id">{sid}</span>' in row
        assert f'href="/feeds/source/{sid}.atom"' in row
        assert f'href="/feeds/region/{quote("济南市")}.atom"' in row
        assert f'href="/feeds/region/{quote("山东省")}.atom"' in row
    # Counts per state at the top, in words.
    assert re.search(r"正常 2</a>", page) and re.search(r"无法访问 2</a>", page), page[:3000]
    assert re.search(r"列表失效 1</a>", page)
    # Every served link to a region feed exists.
    for href in set(re.findall(r'href="(/feeds/region/[^"]+)"', page)):
        assert httpx.get(site["base"] + href).status_code == 200, href
    # Times in the configured zone (Asia/Tokyo), also in the machine-readable attribute.
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert stamps and all(iso.endswith("+09:00") for iso, _ in stamps), stamps
    for iso, shown in stamps:
        assert datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M") == shown
    assert "Asia/Tokyo (UTC+09:00)" in page


def test_errors_in_plain_words_with_evidence(site: dict) -> None:
    page = _get(site)
    down = page[page.index('id="src-sp-down"'):]
    assert "网站返回了错误状态" in down[:down.index("</tr>")] and "HTTP 503" in down
    gone = page[page.index('id="src-sp-gone"'):]
    gone = gone[:gone.index("</tr>")]
    assert "条目列表不见了" in gone
    link = re.search(r'href="(/evidence/sp-gone/[^"]+)"', gone)
    assert link, gone
    r = httpx.get(site["base"] + link.group(1))
    assert r.status_code == 200 and "网站改版中".encode() in r.content
    assert r.headers["content-type"].startswith("text/plain")  # shown, never run
    assert r.headers["x-content-type-options"] == "nosniff"
    assert httpx.get(site["base"] + "/evidence/../zxfeed.toml").status_code == 404


def test_hostile_names_and_errors_are_escaped(site: dict) -> None:
    raw = httpx.get(site["base"] + "/").text
    assert "<script>alert(1)</script>" not in raw and "<img src=x" not in raw
    assert html.escape("<script>alert(1)</script>", quote=False) in raw  # the error, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in raw  # the name, as text
    found = httpx.get(site["base"] + "/", params={"q": "<script>"}).text
    assert "<script>" not in found and _ids(found) == ["sp-evil"]


def test_filter_search_and_sort(site: dict) -> None:
    assert sorted(_ids(_get(site, "?state=failing"))) == ["sp-down", "sp-evil"]
    assert _ids(_get(site, "?region=" + quote("北京市"))) == ["sp-bj"]
    assert "sp-bj" not in _ids(_get(site, "?region=" + quote("济南市")))  # a city works too
    assert len(_ids(_get(site, "?region=" + quote("济南市")))) == 4
    assert _ids(_get(site, "?q=" + quote("菏泽"))) == ["sp-down"]
    assert _ids(_get(site, "?q=SP-GONE")) == ["sp-gone"]
    ok_then_failing = _ids(_get(site, "?sort=items"))
    assert ok_then_failing[0] == "sp-ok"  # 5 items, the most
    by_state = _ids(_get(site))
    assert by_state.index("sp-down") < by_state.index("sp-gone") < by_state.index("sp-ok")
    assert _ids(_get(site, "?state=failing&region=" + quote("北京市"))) == []
    assert "没有符合条件的来源" in _get(site, "?q=nothing-like-this")


def test_english_when_the_config_asks(tmp_path: Path, site: dict) -> None:
    text = site["cfg"].read_text("utf-8").replace("[server]\n", '[server]\nlanguage = "en"\n')
    cfg = site["cfg"].with_name("en.toml")
    cfg.write_text(text, "utf-8")
    from zxfeed.config.settings import load_config
    from zxfeed.store import Store
    from zxfeed.web.status import render_status

    loaded = load_config(cfg)
    store = Store(loaded.db_path)
    try:
        page = render_status(loaded, store, {})
    finally:
        store.close()
    assert '<html lang="en">' in page and "Status" in page and "failing 2" in page
    assert "The site answered with an error status." in page


MEASURE = """
const cards = [...document.querySelectorAll('tr.src')].map(e => e.getBoundingClientRect());
return {sw: document.documentElement.scrollWidth, iw: window.innerWidth,
        cards: cards.map(r => [r.top, r.left, r.width])};
"""


@pytest.mark.skipif(not browser.available(), reason="chromium or chromedriver is not installed")
@pytest.mark.parametrize("width", [390, 1280])
def test_no_horizontal_scroll_in_chromium(site: dict, width: int, tmp_path: Path) -> None:
    with browser.Browser(width) as chrome:
        chrome.open(site["base"] + "/")
        m = chrome.run(MEASURE)
        shot = chrome.screenshot(tmp_path / f"status-{width}.png")
    assert m["iw"] == width, m  # the viewport really is that wide
    assert m["sw"] <= width, m  # nothing sticks out sideways
    assert len(m["cards"]) == 5 and shot.stat().st_size > 1000
    if width == 390:
        # One card per source: each nearly as wide as the page, one below the other.
        assert all(w >= 0.9 * (width - 24) for _, _, w in m["cards"]), m
        tops = [t for t, _, _ in m["cards"]]
        assert len(set(tops)) == len(tops) and tops == sorted(tops), m


def test_long_lists_are_cut_with_a_link_to_all(site: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from zxfeed.config.settings import load_config
    from zxfeed.store import Store
    from zxfeed.web import status

    monkeypatch.setattr(status, "PAGE_ROWS", 3)
    loaded = load_config(site["cfg"])
    store = Store(loaded.db_path)
    try:
        cut = status.render_status(loaded, store, {})
        every = status.render_status(loaded, store, {}, "all=1")
    finally:
        store.close()
    assert len(_ids(cut)) == 3 and 'href="/?all=1">显示全部 (5)</a>' in cut
    assert len(_ids(every)) == 5 and "显示全部" not in every
