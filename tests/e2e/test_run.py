"""``zxfeed run`` as a real process: schedules polls, serves feeds, stops on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import httpx

from conftest import ROOT, write_config, zxfeed
from support.helpers import wait_for
from support.smtpsink import free_port
from support.webserver import TestWeb


def _page(titles: list[str]) -> str:
    rows = "".join(f"<li><a href='/run/{i}.html'>{t}</a> <span>2024-02-0{i + 1}</span></li>"
                   for i, t in enumerate(titles))
    return f"<html><body><ul>{rows}</ul></body></html>"


def test_run_polls_serves_and_stops(tmp_path: Path, web: TestWeb) -> None:
    port = free_port()
    titles = ["全国政协召开双周协商座谈会", "省政协调研组赴基层开展专题调研", "市政协召开主席会议"]
    web.set("/run/list.html", _page(titles[:2]))
    cfg = write_config(tmp_path, f"""
        [server]
        port = {port}
        [schedule]
        interval = 10
        jitter = 0
        [[sources]]
        id = "run"
        name = "运行测试"
        url = "{web.url('/run/list.html')}"
        region = "北京市"
        """)
    cfg.write_text(cfg.read_text("utf-8").replace("[feeds]", "[feeds]\npublish_delay = 0.5"), "utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def feed_has(n: int) -> bool:
            try:
                r = httpx.get(base + "/feeds/all.atom")
            except httpx.HTTPError:
                return False
            return r.status_code == 200 and len(feedparser.parse(r.content).entries) == n

        assert wait_for(lambda: feed_has(2)), "first poll never reached the served feed"
        if len(os.sched_getaffinity(0)) > 1:  # [schedule] one_core: every thread on one core
            cores = set()
            for task in Path(f"/proc/{proc.pid}/task").iterdir():
                with contextlib.suppress(OSError):  # a thread that ended meanwhile
                    cores.add(frozenset(os.sched_getaffinity(int(task.name))))
            assert len(cores) == 1 and len(next(iter(cores))) == 1, cores
        r = httpx.get(base + "/feeds/all.atom")
        assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
        etag, modified = r.headers["etag"], r.headers["last-modified"]
        assert httpx.get(base + "/feeds/all.atom", headers={"If-None-Match": etag}).status_code == 304
        assert httpx.get(base + "/feeds/all.atom",
                         headers={"If-Modified-Since": modified}).status_code == 304
        assert httpx.get(base + "/feeds/region/北京市.atom").status_code == 200
        assert httpx.get(base + "/feeds/source/run.atom").status_code == 200
        assert httpx.get(base + "/feeds/../zxfeed.toml").status_code == 404
        assert httpx.get(base + "/healthz").status_code == 200
        assert "run" in httpx.get(base + "/").text

        # A second scheduler on the same store is refused with a clear message.
        second = zxfeed("run", config=cfg, timeout=20)
        assert second.returncode == 1 and "already running" in second.stderr

        web.set("/run/list.html", _page(titles))
        assert wait_for(lambda: feed_has(3), timeout=30), "new item never appeared"
        r2 = httpx.get(base + "/feeds/all.atom", headers={"If-None-Match": etag})
        assert r2.status_code == 200 and r2.headers["etag"] != etag
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "poll source=run status=ok" in err
    assert not (Path(str(tmp_path / "data" / "zxfeed.db") + "-wal").exists() and
                os.path.getsize(str(tmp_path / "data" / "zxfeed.db") + "-wal") > 10_000_000)


def test_demo_runs_without_internet(tmp_path: Path) -> None:
    port = free_port()
    proc = zxfeed("demo", "--port", str(port), "--seconds", "26", cwd=tmp_path, timeout=90)
    assert proc.returncode == 0, proc.stderr
    feed = tmp_path / "data" / "demo" / "feeds" / "all.atom"
    parsed = feedparser.parse(feed.read_bytes())
    assert len(parsed.entries) >= 40
    assert len({e.link for e in parsed.entries}) == len(parsed.entries)
    assert all(not e.title.endswith("...") for e in parsed.entries)
    # A new item appears every 20 s: the instant subscriber's mail is in the outbox.
    mails = list((tmp_path / "data" / "demo" / "outbox").glob("*.eml"))
    assert mails and all(b"reader@example.org" in m.read_bytes() for m in mails)
