"""Fault servers on 127.0.0.1: each yields the right state; the other sources go on, on time."""

from __future__ import annotations

import json
import os
import random
from datetime import timedelta
from pathlib import Path

import httpx

from conftest import write_config, zxfeed
from support.helpers import wait_for
from support.pages import dated_items, list_page
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import Daemon

WALL = ("<html><head><script>var _0x1=['wzws_cid'];document.cookie='wzws_cid=abc';"
        "location.reload();</script></head><body></body></html>")


def _sources(web: TestWeb, names: list[str]) -> str:
    return "".join(f'[[sources]]\nid = "{n}"\nname = "{n}"\nurl = "{web.url(f"/h/{n}.html")}"\n'
                   'region = "山东省"\n' for n in names)


def test_fault_servers_states_and_others_on_time(tmp_path: Path, web: TestWeb) -> None:
    rng = random.Random(7)
    web.set("/h/good1.html", list_page(dated_items(4)))
    web.set("/h/good2.html", list_page(dated_items(3, start=5)))
    web.set("/h/hang.html", "<p>late</p>", delay=8)
    web.set("/h/e500.html", "<h1>500</h1>", status=500)
    web.set("/h/wall.html", WALL, status=412, headers={"Set-Cookie": "wzws_cid=abc; path=/"})
    web.set("/h/js.html", "<html><body><p>请开启JavaScript并刷新该页</p></body></html>")
    web.set("/h/huge.html", b"", stream=60 * 1024 * 1024)
    web.set("/h/loop.html", b"", status=302, headers={"Location": "/h/loop.html"})
    web.set("/h/garbage.html", bytes(rng.randrange(256) for _ in range(50_000)),
            content_type="text/html")
    web.set("/h/redesign.html", list_page(dated_items(6, start=20)))
    names = ["good1", "good2", "hang", "e500", "wall", "js", "huge", "loop", "garbage", "redesign"]
    cfg = load_config(write_config(tmp_path, "[schedule]\ninterval = 10\njitter = 0\n"
                                   "[server]\nenabled = false\n" + _sources(web, names)))
    cfg.fetch = cfg.fetch.model_copy(update={"read_timeout": 2.0, "workers": 4})
    daemon = Daemon(cfg)
    daemon.start()
    try:
        store = daemon.store
        assert wait_for(lambda: all(s.polls >= 1 for s in store.sources()), timeout=20)
        # The redesign removes the list: same page, no dated items left.
        web.set("/h/redesign.html", "<html><body><div class='nav'><a href='/'>首页</a></div>"
                "<p>网站改版升级中，敬请期待</p></body></html>")
        assert wait_for(lambda: store.source("redesign").polls >= 2 and
                     store.source("good1").polls >= 2, timeout=25)
        # Sources sharing the host and the workers with the faults stay on their interval:
        # no backoff moved them.
        runs = daemon.next_runs()
        for sid in ("good1", "good2"):
            assert runs[sid] <= store.source(sid).last_poll + timedelta(seconds=10 + 1), runs
        states = {s.id: s for s in store.sources()}
        expect = {"good1": "ok", "good2": "ok", "hang": "failing", "e500": "failing",
                  "wall": "blocked", "js": "blocked", "huge": "failing", "loop": "failing",
                  "garbage": "broken", "redesign": "broken"}
        assert {k: states[k].state for k in expect} == expect, \
            {k: (states[k].state, states[k].last_error) for k in expect}
        assert states["hang"].last_error_kind == "timeout"
        assert states["huge"].last_error_kind == "too-large"
        assert states["loop"].last_error_kind == "redirects"
        assert states["e500"].failures >= 1 and "500" in states["e500"].last_error
        ev = states["redesign"].evidence
        assert ev["last_good_items"] == 6 and Path(ev["page"]).read_bytes().startswith(b"<html>")
        assert "no items" in states["redesign"].last_error
        # Failures back off but stay scheduled; the good ones keep their interval.
        for n in ("hang", "e500", "wall", "huge", "loop"):
            assert daemon.scheduler.get_job(f"poll:{n}") is not None
        assert store.item_count() == 4 + 3 + 6  # nothing from the faults, nothing lost
    finally:
        daemon.stop()


def test_count_collapse_and_undated_and_degraded(tmp_path: Path, web: TestWeb) -> None:
    from zxfeed.poll.health import page_state

    urls = [f"http://zx.example.gov.cn/a/{i}.html" for i in range(20)]
    ok = page_state(url="http://zx.example.gov.cn/", item_urls=urls, recent=[20, 20, 20],
                    replacements=0, undated=0, body=b"")
    assert ok.state == "ok"
    few = page_state(url="http://zx.example.gov.cn/", item_urls=urls[:5], recent=[20, 20, 20],
                     replacements=0, undated=0, body=b"")
    assert few.state == "broken" and "usual 20" in few.reason
    undated = page_state(url="http://zx.example.gov.cn/", item_urls=urls, recent=[],
                         replacements=0, undated=15, body=b"")
    assert undated.state == "broken"
    some = page_state(url="http://zx.example.gov.cn/", item_urls=urls, recent=[],
                      replacements=0, undated=2, body=b"")
    assert some.state == "degraded"
    off = page_state(url="http://zx.example.gov.cn/",
                     item_urls=[f"http://ads.example.com/{i}" for i in range(5)], recent=[],
                     replacements=0, undated=0, body=b"")
    assert off.state == "broken" and "off the site" in off.reason
    sub = page_state(url="http://www.sdzx.gov.cn/", item_urls=[f"http://news.sdzx.gov.cn/{i}"
                                                               for i in range(5)],
                     recent=[], replacements=0, undated=0, body=b"")
    assert sub.state == "ok"
    bad_bytes = page_state(url="http://zx.example.gov.cn/", item_urls=urls, recent=[],
                           replacements=3, undated=0, body=b"")
    assert bad_bytes.state == "degraded"


def test_robots_txt_honoured_and_opt_out(tmp_path: Path, web: TestWeb) -> None:
    robots_site = TestWeb()  # its own host:port, so its robots.txt is its own
    try:
        robots_site.set("/robots.txt", "User-agent: *\nDisallow: /private/\n",
                        content_type="text/plain")
        robots_site.set("/private/list.html", list_page(dated_items(3)))
        robots_site.set("/open/list.html", list_page(dated_items(3, start=3)))
        cfg = write_config(tmp_path, f"""
            [[sources]]
            id = "private"
            name = "P"
            url = "{robots_site.url('/private/list.html')}"
            region = "山东省"
            [[sources]]
            id = "open"
            name = "O"
            url = "{robots_site.url('/open/list.html')}"
            region = "山东省"
            [[sources]]
            id = "optout"
            name = "Q"
            url = "{robots_site.url('/private/list.html')}"
            region = "山东省"
            robots = false
            robots_reason = "the committee asked us to follow this page"
            """)
        proc = zxfeed("poll", config=cfg)
        assert proc.returncode == 0, proc.stderr
        states = {s["id"]: s for s in json.loads(zxfeed("sources", "--json", config=cfg).stdout)}
        assert states["private"]["state"] == "blocked" and "robots" in states["private"]["last_error"]
        assert states["open"]["state"] == "ok" and states["optout"]["state"] == "ok"
        assert len(robots_site.requests_to("/robots.txt")) == 1  # cached per host
        # Fetched once: by the source that opted out, never by the one that honours robots.txt.
        assert len(robots_site.requests_to("/private/list.html")) == 1
        # A second process (cron's next run) reads the kept robots.txt from the store: the
        # host is not asked again, and its Disallow still holds.
        again = zxfeed("poll", config=cfg)
        assert again.returncode == 0, again.stderr
        assert "private: failed" in again.stdout and "robots" in again.stdout, again.stdout
        assert len(robots_site.requests_to("/robots.txt")) == 1
        assert len(robots_site.requests_to("/private/list.html")) == 2  # the opt-out's poll only
    finally:
        robots_site.close()
    bad = write_config(tmp_path, f'[[sources]]\nid = "x"\nname = "X"\nurl = "{web.url("/x")}"\n'
                       'region = "山东省"\nrobots = false\n')
    proc = zxfeed("check", config=bad)
    assert proc.returncode == 2 and "robots_reason" in proc.stderr


def test_metrics_and_healthz(tmp_path: Path, web: TestWeb) -> None:
    from support.smtpsink import free_port

    port = free_port()
    web.set("/h/m-good.html", list_page(dated_items(3)))
    web.set("/h/m-down.html", "x", status=503)
    cfg = load_config(write_config(tmp_path, f"[server]\nport = {port}\n[schedule]\ninterval = 600\n"
                                   + _sources(web, ["m-good", "m-down"])))
    from zxfeed.web.app import FeedServer
    daemon = Daemon(cfg)
    daemon.start()
    server = FeedServer("127.0.0.1", port, cfg.feeds_dir, daemon.store, healthy=daemon.healthy,
                        metrics=daemon.metrics.render)
    server.start()
    try:
        assert wait_for(lambda: all(s.polls >= 1 for s in daemon.store.sources()), 10)
        text = httpx.get(server.url + "/metrics").text
        assert 'zxfeed_polls_total{source="m-good",status="ok"} 1.0' in text
        assert 'zxfeed_poll_failures_total{kind="http"} 1.0' in text
        assert "zxfeed_items_stored 3.0" in text
        assert 'zxfeed_source_state{source="m-down",state="failing"} 1.0' in text
        assert "zxfeed_poll_seconds_bucket" in text and 'zxfeed_fetch_seconds_count 1.0' in text and 'zxfeed_outbox_messages{status="pending"}' in text
        assert httpx.get(server.url + "/healthz").status_code == 200
        page = httpx.get(server.url + "/").text
        assert "m-down" in page and "failing" in page and "HTTP 503" in page
        daemon.scheduler.shutdown(wait=True)
        assert httpx.get(server.url + "/healthz").status_code == 503  # scheduler gone
    finally:
        server.stop()
        daemon.stop()


def test_operator_told_once_and_on_recovery(tmp_path: Path, web: TestWeb) -> None:
    web.set("/h/op.html", "x", status=500)
    cfg = write_config(tmp_path, "[notify]\noperator_after = 10\noperator_every = 0\n" + _sources(web, ["op"]),
                       top='operator = "ops@example.org"\n')
    outbox = tmp_path / "data" / "outbox"
    zxfeed("poll", config=cfg)
    assert not list(outbox.glob("*.eml"))  # not yet past the threshold
    db = tmp_path / "data" / "zxfeed.db"
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("UPDATE sources SET state_since='2020-01-01T00:00:00+00:00'")
    con.commit()
    zxfeed("poll", config=cfg)
    zxfeed("poll", config=cfg)
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1 and "来源异常" in _subject(mails[0])
    web.set("/h/op.html", list_page(dated_items(3)))
    zxfeed("poll", config=cfg)
    subjects = sorted(_subject(m) for m in outbox.glob("*.eml"))
    assert len(subjects) == 2 and any("来源恢复" in s for s in subjects)


def _subject(path: Path) -> str:
    import email
    from email.policy import default
    return email.message_from_bytes(path.read_bytes(), policy=default)["Subject"]


def test_retention_prunes_and_never_reannounces(tmp_path: Path, web: TestWeb) -> None:
    from datetime import UTC, datetime, timedelta

    from zxfeed.store import Store
    items = dated_items(4)
    web.set("/h/ret.html", list_page(items))
    cfg = write_config(tmp_path, _sources(web, ["ret"]) + '[[subscribers]]\nemail = "r@example.org"\n')
    zxfeed("poll", config=cfg)
    store = Store(tmp_path / "data" / "zxfeed.db")
    later = datetime.now(UTC) + timedelta(days=400)
    assert store.prune(later - timedelta(days=365), later) == 4 and store.item_count() == 0
    store.close()
    web.set("/h/ret.html", list_page(items) + " ")  # still listed: must not come back as new
    proc = zxfeed("poll", config=cfg)
    assert "new=0" in proc.stdout, proc.stdout
    assert not list((tmp_path / "data" / "outbox").glob("*.eml"))


def test_json_logs_and_no_secrets(tmp_path: Path, web: TestWeb) -> None:
    web.set("/h/log.html", list_page(dated_items(3)))
    cfg = write_config(tmp_path, '[smtp]\nhost = "127.0.0.1"\nport = 9\nusername = "u"\n'
                       'password_env = "ZX_TEST_SECRET"\nallow_plain_auth = true\n' + _sources(web, ["log"])
                       + '[[subscribers]]\nemail = "r@example.org"\n')
    os.environ["ZX_TEST_SECRET"] = "hunter2-very-secret"
    try:
        proc = zxfeed("--log-format", "json", "--log-level", "DEBUG", "poll", config=cfg)
    finally:
        del os.environ["ZX_TEST_SECRET"]
    lines = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert any("poll source=log status=ok" in x["message"] for x in lines)
    assert all({"time", "level", "logger", "message"} <= x.keys() for x in lines)
    assert "hunter2" not in proc.stderr + proc.stdout
