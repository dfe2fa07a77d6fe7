"""What the operator reads is true: last success, one line per poll, the configured zone, retention."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser

from conftest import ROOT, write_config, zxfeed
from support.pages import dated_items, list_page
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import Daemon, fetch_settings
from zxfeed.fetch.client import Fetcher
from zxfeed.poll.source import poll_source
from zxfeed.store import Store


def _source(sid: str, url: str, extra: str = "") -> str:
    return (f'[[sources]]\nid = "{sid}"\nname = "{sid.upper()}"\nurl = "{url}"\n'
            f'region = "山东省"\ncity = "济南市"\n{extra}')


def test_broken_poll_keeps_last_success(tmp_path: Path, web: TestWeb) -> None:
    web.set("/hs/list.html", list_page(dated_items(6)))
    cfg = load_config(write_config(tmp_path, _source("hs", web.url("/hs/list.html"),
                                                     "fetch_articles = false\n")))
    store = Store(cfg.db_path)
    store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
    src = cfg.sources[0]
    good = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=3)).replace(microsecond=0)
    with Fetcher(fetch_settings(cfg)) as fetcher:
        assert poll_source(src, cfg, store, fetcher, now=good).state == "ok"
        web.set("/hs/list.html", "<html><body><p>网站改版中</p></body></html>")
        for hours in (1, 2):  # broken twice: the second poll sees the same broken page
            r = poll_source(src, cfg, store, fetcher, now=good + timedelta(hours=hours))
            assert r.state == "broken", r
    st = store.source("hs")
    assert st.state == "broken"
    assert st.last_success == good, st.last_success
    assert st.last_poll == good + timedelta(hours=2)
    store.close()


def test_poll_prints_each_source_once_and_no_progress_off_a_terminal(tmp_path: Path,
                                                                      web: TestWeb) -> None:
    web.set("/hs/one.html", list_page(dated_items(3)))
    cfg = write_config(tmp_path, _source("one", web.url("/hs/one.html"), "fetch_articles = false\n")
                       + _source("two", "http://127.0.0.1:9/none"))
    proc = zxfeed("poll", config=cfg)
    both = proc.stdout + proc.stderr
    assert both.count("one:") + both.count("source=one") == 1, both
    assert both.count("two:") + both.count("source=two") == 1, both
    assert "polled " not in both  # progress is for terminals only


def test_poll_shows_progress_on_a_terminal(tmp_path: Path, web: TestWeb) -> None:
    web.set("/hs/tty.html", list_page(dated_items(3)))
    cfg = write_config(tmp_path, _source("tty", web.url("/hs/tty.html"), "fetch_articles = false\n")
                       + _source("off", "http://127.0.0.1:9/none"))
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"}
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "poll"],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=child, stderr=child, env=env)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.wait(timeout=60) in (0, 1)
    text = out.decode("utf-8", "replace")
    assert "polled 2/2 · 3 new · 1 failing" in text, text
    assert text.count("tty:") == 1 and text.count("off:") == 1, text


def test_times_in_the_configured_zone(tmp_path: Path, web: TestWeb) -> None:
    web.set("/hs/zone.html", list_page(dated_items(3)))
    cfg = write_config(tmp_path, '[schedule]\ntimezone = "Asia/Tokyo"\n'
                       + _source("zone", web.url("/hs/zone.html"), "fetch_articles = false\n"))
    polled = zxfeed("--log-level", "DEBUG", "poll", config=cfg)
    assert polled.returncode == 0, polled.stderr
    # Logs stay in UTC and say so.
    stamps = re.findall(r"^(\S+) (?:DEBUG|INFO|WARNING)", polled.stderr, re.M)
    assert stamps and all(s.endswith("Z") for s in stamps), polled.stderr[:500]
    rows = json.loads(zxfeed("sources", "--json", config=cfg).stdout)
    for key in ("last_poll", "last_success", "next_poll", "state_since"):
        assert rows[0][key].endswith("+09:00"), (key, rows[0][key])
    table = zxfeed("sources", config=cfg).stdout
    local = datetime.fromisoformat(rows[0]["last_success"]).strftime("%Y-%m-%d %H:%M")
    assert local in table and "Asia/Tokyo" in table, table


def test_retention_rebuilds_region_feeds_too(tmp_path: Path, web: TestWeb) -> None:
    old = date.today() - timedelta(days=800)
    web.set("/hs/old.html", list_page([(i, t, old - timedelta(days=i)) for i, t, _ in
                                       dated_items(4)]))
    cfg = load_config(write_config(tmp_path, _source("old", web.url("/hs/old.html"),
                                                     "fetch_articles = false\n")))
    cfg.storage = cfg.storage.model_copy(update={"retention_days": 30})
    daemon = Daemon(cfg)
    then = datetime.now(daemon.tz) - timedelta(days=800)
    with Fetcher(fetch_settings(cfg)) as fetcher:
        assert len(poll_source(cfg.sources[0], cfg, daemon.store, fetcher, now=then).new) == 4
    daemon.publisher.publish()
    region = cfg.feeds_dir / "region" / "济南市.atom"
    assert len(feedparser.parse(region.read_bytes()).entries) == 4
    try:
        assert daemon.prune() == 4
        daemon.publish_if_dirty()
    finally:
        daemon.store.close()
    for feed in (region, cfg.feeds_dir / "region" / "山东省.atom",
                 cfg.feeds_dir / "source" / "old.atom", cfg.feeds_dir / "all.atom"):
        assert feedparser.parse(feed.read_bytes()).entries == [], feed
