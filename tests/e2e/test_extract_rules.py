"""General rules learnt from real pages: which lists, which link, which year (issue 10)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import one_source, write_config
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.extract import extract_items
from zxfeed.extract.dates import SHANGHAI
from zxfeed.fetch.client import Fetcher, FetchSettings
from zxfeed.poll.source import poll_source
from zxfeed.store import Store

TITLES = [f"市政协第{n}次专题协商会聚焦民生实事" for n in range(1, 41)]


@pytest.mark.parametrize(("zone", "day"), [(None, "2026-12-01"), ("UTC", "2025-12-01")])
def test_poll_reads_dates_in_the_configured_zone(tmp_path: Path, web: TestWeb, zone: str | None,
                                                 day: str) -> None:
    site = f"zone-{(zone or 'default').lower()}"
    html = "<ul>" + "".join(f"<li><a href='/{site}/{k}.html'>{TITLES[k]}</a> [12-01]</li>"
                            for k in range(3)) + "</ul>"
    web.set(f"/{site}/list.html", html)
    top = f'[schedule]\ntimezone = "{zone}"\n' if zone else ""
    path = one_source(tmp_path, web, site, top=top)
    cfg = load_config(path)
    store = Store(cfg.db_path)
    with Fetcher(FetchSettings(host_delay=0)) as fetcher:
        result = poll_source(cfg.sources[0], cfg, store, fetcher,
                             now=datetime(2026, 11, 30, 18, tzinfo=UTC))
    store.close()
    assert result.found == 3
    local = ZoneInfo(zone or "Asia/Shanghai")
    with sqlite3.connect(cfg.db_path) as db:
        published = {datetime.fromisoformat(row[0]).astimezone(local).date().isoformat()
                     for row in db.execute("SELECT published FROM items")}
    assert published == {day}


@pytest.mark.parametrize(("value", "ok"), [('"main"', True), ('"all"', True), ('["最新加入", "热门资讯"]', True),
                                           ('"some"', False), ("[]", False), ('[""]', False)])
def test_lists_config_key(tmp_path: Path, value: str, ok: bool) -> None:
    from conftest import zxfeed

    path = write_config(tmp_path, f"""
        [[sources]]
        id = "a"
        name = "A"
        url = "http://127.0.0.1:9/a"
        region = "山东省"
        lists = {value}
        """)
    proc = zxfeed("check", config=path)
    assert (proc.returncode == 0) == ok, proc.stderr
    if not ok:
        assert "lists" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_side_box_of_a_column_by_heading_with_titles_repaired(web: TestWeb) -> None:
    from support.extraction_score import TRUTH
    from zxfeed.poll.source import enrich_items

    truth = json.loads((TRUTH / "gbk-table.json").read_text("utf-8"))
    (page, side), = truth["side_items"].items()
    now = datetime.fromisoformat(truth["now"]).replace(hour=12, tzinfo=SHANGHAI)
    with Fetcher(FetchSettings(host_delay=0)) as fetcher:
        resp = fetcher.get(web.url(page))
        auto = extract_items(resp.body, resp.url, content_type=resp.content_type, now=now)
        named = extract_items(resp.body, resp.url, content_type=resp.content_type, now=now,
                              lists=["通知公告"])
        enrich_items(named.items, fetcher, now, budget=50, articles=False)
    expected = {(e["title"], web.url(e["url"]), e["date"]) for e in side}
    assert not expected & {(i.title, i.url, i.published.date().isoformat()) for i in auto.items}
    assert {(i.title, i.url, i.published.date().isoformat()) for i in named.items} == expected
