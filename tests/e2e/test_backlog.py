"""Every entry has text: baseline items read in the background, within the per-host budget."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import feedparser

from conftest import write_config, zxfeed
from support.pages import dated_items, serve_site
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import fetch_settings, make_publisher
from zxfeed.extract.dates import SHANGHAI
from zxfeed.fetch.client import Fetcher
from zxfeed.poll.enrich import Enricher
from zxfeed.store import Store


def _config(tmp_path: Path, web: TestWeb, sites: list[str]) -> Path:
    body = "".join(f"""
        [[sources]]
        id = "{s}"
        name = "测试政协{s}"
        url = "{web.url(f'/{s}/list.html')}"
        region = "山东省"
        """ for s in sites)
    return write_config(tmp_path, body)


def test_baseline_entries_name_source_and_day_then_fill_in(tmp_path: Path, web: TestWeb) -> None:
    old, new = "bl-old", "bl-new"
    items = dated_items(3)
    serve_site(web, old, items)
    serve_site(web, new, dated_items(3, titles=["区政协召开党组会议传达学习全国政协全会精神",
                                           "委员工作室开展主题接待活动收集意见建议"]))
    cfg_path = _config(tmp_path, web, [old, new])
    assert zxfeed("poll", "--source", old, config=cfg_path).returncode == 0
    time.sleep(1.1)  # the second source's baseline is a later second (stored to the second)
    assert zxfeed("poll", "--source", new, config=cfg_path).returncode == 0
    feeds = tmp_path / "data" / "feeds"
    parsed = feedparser.parse((feeds / "all.atom").read_bytes())
    assert len(parsed.entries) == 6
    for e in parsed.entries:  # nothing read yet: the source and the day, never nothing
        assert e.summary.startswith("测试政协bl-") and e.summary.endswith("发布。"), e.summary
        assert f"{items[0][2].year}年" in e.summary and "content" not in e

    cfg = load_config(cfg_path)
    store = Store(cfg.db_path)
    with Fetcher(fetch_settings(cfg)) as fetcher:
        enricher = Enricher(cfg, store, fetcher)
        seen = len(web.log)
        first = enricher.run_round(datetime.now(SHANGHAI), per_host=2)
        fetched = [p for p, _, _ in web.log[seen:] if "/art/" in p]
        # Both sites share a host: two articles in the round, the newest source's first.
        assert len(fetched) == 2 and all(p.startswith(f"/{new}/") for p in fetched), fetched
        assert {it.source_id for it in first} == {new}
        rounds = 1
        while enricher.pending(2) and rounds < 10:
            enricher.run_round(datetime.now(SHANGHAI), per_host=2)
            rounds += 1
    assert rounds == 3 and not enricher.pending(2)
    make_publisher(cfg, store).publish()
    store.close()
    parsed = feedparser.parse((feeds / "all.atom").read_bytes())
    for e in parsed.entries:
        assert e.summary.startswith("会议指出"), e.summary
        assert "会议要求" in e.content[0].value


def test_content_none_is_not_read_in_the_background(tmp_path: Path, web: TestWeb) -> None:
    site = "bl-none"
    serve_site(web, site, dated_items(2))
    cfg_path = write_config(tmp_path, f"""
        [[sources]]
        id = "{site}"
        name = "测试政协"
        url = "{web.url(f'/{site}/list.html')}"
        region = "山东省"
        content = "none"
        """)
    assert zxfeed("poll", config=cfg_path).returncode == 0
    cfg = load_config(cfg_path)
    store = Store(cfg.db_path)
    with Fetcher(fetch_settings(cfg)) as fetcher:
        assert Enricher(cfg, store, fetcher).pending(5) == []
    store.close()


def test_daemon_reads_the_backlog_on_its_own(tmp_path: Path, web: TestWeb) -> None:
    from zxfeed.daemon.wiring import Daemon

    site = "bl-daemon"
    serve_site(web, site, dated_items(3, titles=["市政协委员视察城市更新项目建设情况并提出意见建议"]))
    cfg = load_config(write_config(tmp_path, f"""
        [server]
        enabled = false
        [[sources]]
        id = "{site}"
        name = "测试政协"
        url = "{web.url(f'/{site}/list.html')}"
        region = "山东省"
        """))
    cfg = cfg.model_copy(update={"fetch": cfg.fetch.model_copy(update={"backlog_every": 10,
                                                                        "backlog_per_host": 5})})
    daemon = Daemon(cfg)
    daemon.start()
    feed = cfg.feeds_dir / f"source/{site}.atom"
    try:
        end = time.monotonic() + 90
        entries: list = []
        while time.monotonic() < end:
            if feed.exists():
                entries = feedparser.parse(feed.read_bytes()).entries
                if len(entries) == 3 and all("content" in e for e in entries):
                    break
            time.sleep(0.2)
    finally:
        daemon.stop()
    assert len(entries) == 3 and all("会议要求" in e.content[0].value for e in entries)
