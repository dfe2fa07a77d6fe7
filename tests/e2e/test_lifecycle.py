"""The daemon's life cycle: a restart resumes stored schedules; SIGHUP / ``zxfeed reload``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from conftest import ROOT, write_config, zxfeed
from support.helpers import wait_for
from support.smtpsink import free_port
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import Daemon
from zxfeed.store import Store


def _list(prefix: str, n: int) -> str:
    rows = "".join(f"<li><a href='{prefix}/{i}.html'>政协第{i}号工作动态消息标题</a>"
                   f"<span>2024-02-{i + 1:02d}</span></li>" for i in range(n))
    return f"<html><body><ul>{rows}</ul></body></html>"


def _source(sid: str, url: str, name: str | None = None) -> str:
    return (f'[[sources]]\nid = "{sid}"\nname = "{name or sid.upper()}"\nurl = "{url}"\n'
            'region = "山东省"\n')


def test_restart_resumes_stored_next_polls(tmp_path: Path, web: TestWeb) -> None:
    web.set("/life/ok.html", _list("/life/ok", 3))
    web.set("/life/down.html", "busy", status=503, headers={"Retry-After": "900"})
    body = ("[schedule]\ninterval = 600\njitter = 0\n[server]\nenabled = false\n"
            + _source("ok", web.url("/life/ok.html")) + _source("down", web.url("/life/down.html")))
    cfg = load_config(write_config(tmp_path, body))
    first = Daemon(cfg)
    first.start()
    try:
        assert wait_for(lambda: all(s.polls == 1 for s in first.store.sources()), 20)
        assert wait_for(lambda: first.store.source("down").next_poll is not None, 10)
    finally:
        first.stop()
    stored = {s.id: s for s in Store(cfg.db_path).sources()}
    second = Daemon(load_config(cfg.path))
    second.start()
    try:
        runs = second.next_runs()
        # Polled a moment ago: due one interval after that poll, not now.
        assert runs["ok"] >= stored["ok"].last_poll + timedelta(seconds=599), runs
        # Backing off with Retry-After 900: the stored next poll survives the restart.
        assert abs((runs["down"] - stored["down"].next_poll).total_seconds()) < 1, runs
        assert runs["down"] > datetime.now(runs["down"].tzinfo) + timedelta(seconds=800)
    finally:
        second.stop()
    assert len(web.requests_to("/life/ok.html")) == 1
    assert len(web.requests_to("/life/down.html")) == 1


def test_never_polled_sources_are_spread_out(tmp_path: Path) -> None:
    n = 300
    body = "[schedule]\ninterval = 600\njitter = 0\n[server]\nenabled = false\n"
    body += "".join(_source(f"s{i}", f"http://127.0.0.1:9/s{i}") for i in range(n))
    cfg = load_config(write_config(tmp_path, body))
    daemon = Daemon(cfg)
    started = datetime.now(daemon.tz)
    daemon.start()
    try:
        planned = daemon.next_runs()
        # The first few may have been polled (and backed off) already: look at the others.
        polled = {s.id for s in daemon.store.sources() if s.polls or s.failures or s.last_poll}
    finally:
        daemon.stop()
    assert len(planned) == n and len(polled) < n / 10
    runs = sorted(when for sid, when in planned.items() if sid not in polled)
    # A poll in flight at the snapshot is already one interval on (APScheduler moves a job
    # when it starts it) and is abandoned by stop() without a record: only the first few.
    in_flight = [r for r in runs if r > started + timedelta(seconds=600)]
    assert len(in_flight) <= cfg.fetch.workers, len(in_flight)
    runs = runs[:len(runs) - len(in_flight)]
    span = (runs[-1] - runs[0]).total_seconds()
    assert span >= 30, span  # not all within the first seconds
    assert runs[-1] <= started + timedelta(seconds=600)  # all within their first interval
    per_10s = max(sum(1 for r in runs if a <= r < a + timedelta(seconds=10)) for a in runs)
    assert per_10s <= n / 3, per_10s


def _log_has(path: Path, text: str) -> bool:
    return text in path.read_text("utf-8", "replace")


def test_sighup_and_reload_change_a_running_daemon(tmp_path: Path, web: TestWeb) -> None:
    port = free_port()
    web.set("/hup/a.html", _list("/hup/a", 2))
    web.set("/hup/b.html", _list("/hup/b", 2))
    head = (f"[server]\nport = {port}\n[schedule]\ninterval = 10\njitter = 0\n"
            "[notify]\nmax_age = \"7d\"\n")
    cfg = write_config(tmp_path, head + _source("a", web.url("/hup/a.html")))
    cfg.write_text(cfg.read_text("utf-8").replace("[feeds]", "[feeds]\npublish_delay = 0.5"),
                   "utf-8")
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "run.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    try:
        def page() -> str:
            try:
                return httpx.get(base + "/", timeout=5).text
            except httpx.HTTPError:
                return ""

        assert wait_for(lambda: 'id="src-a"' in page() and web.requests_to("/hup/a.html"), 30)

        # Add b, remove a; `zxfeed reload` finds the daemon through the store's lock.
        text = cfg.read_text("utf-8")
        cfg.write_text(text.replace(_source("a", web.url("/hup/a.html")),
                                    _source("b", web.url("/hup/b.html"))), "utf-8")
        proc_reload = zxfeed("reload", config=cfg)
        assert proc_reload.returncode == 0 and str(proc.pid) in proc_reload.stdout, proc_reload
        assert wait_for(lambda: _log_has(log, "reload: added=b removed=a"), 20), log.read_text()
        assert wait_for(lambda: 'id="src-b"' in page() and 'id="src-a"' not in page(), 20)
        polls_of_a = len(web.requests_to("/hup/a.html"))
        # b polled twice (its interval passed at least once): a never again.
        assert wait_for(lambda: len(web.requests_to("/hup/b.html")) >= 2, 40)
        assert len(web.requests_to("/hup/a.html")) == polls_of_a

        # Changed source and a new subscriber: plain SIGHUP, then a new item on b.
        good = cfg.read_text("utf-8").replace('name = "B"', 'name = "乙 · 新名称"')
        good += '[[subscribers]]\nemail = "late@example.org"\nmode = "instant"\n'
        cfg.write_text(good, "utf-8")
        os.kill(proc.pid, signal.SIGHUP)
        assert wait_for(lambda: _log_has(log, "changed=b"), 20), log.read_text()
        assert wait_for(lambda: "乙 · 新名称" in page(), 20)
        today = datetime.now().strftime("%Y-%m-%d")  # recent enough to be alerted
        web.set("/hup/b.html", _list("/hup/b", 2).replace(
            "<ul>", f"<ul><li><a href='/hup/b/new.html'>市政协召开新一次协商座谈会议</a>"
            f"<span>{today}</span></li>"))
        outbox = tmp_path / "data" / "outbox"
        assert wait_for(lambda: any(b"late@example.org" in m.read_bytes()
                                 for m in outbox.glob("*.eml")), 60), "new subscriber got no alert"

        # A bad config is reported and the running one kept.
        cfg.write_text(good + '[sources.selectors]\nitem = "li[["\n', "utf-8")
        refused = zxfeed("reload", config=cfg)
        assert refused.returncode == 2 and "selectors.item" in refused.stderr
        os.kill(proc.pid, signal.SIGHUP)
        assert wait_for(lambda: _log_has(log, "reload refused"), 20), log.read_text()
        assert "selectors.item" in log.read_text("utf-8")
        assert httpx.get(base + "/healthz").status_code == 200
        assert "乙 · 新名称" in page() and proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, log.read_text()
    cfg.write_text(good, "utf-8")
    gone = zxfeed("reload", config=cfg)
    assert gone.returncode == 1 and "no zxfeed run" in gone.stderr


def test_run_host_and_port_options(tmp_path: Path, web: TestWeb) -> None:
    import socket

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()  # "another service" on the config's port
    port = free_port()
    web.set("/hp/list.html", _list("/hp", 2))
    cfg = write_config(tmp_path, f"[server]\nport = {busy.getsockname()[1]}\n"
                       + _source("hp", web.url("/hp/list.html")))
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run",
                             "--host", "127.0.0.2", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        def up() -> bool:
            try:
                return httpx.get(f"http://127.0.0.2:{port}/healthz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(up, 30), "not serving on --host/--port"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        busy.close()
    assert proc.returncode == 0, err


def test_second_demo_leaves_the_running_one_alone(tmp_path: Path) -> None:
    port = free_port()
    first = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "demo", "--port", str(port),
                              "--seconds", "120"], cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
    config = tmp_path / "data" / "demo" / "zxfeed.toml"
    try:
        line = first.stdout.readline()
        assert line.startswith("sample sites: http://127.0.0.1:"), line
        sites = line.split()[2]
        assert wait_for(lambda: (tmp_path / "data" / "demo" / "feeds" / "all.atom").exists(), 60)
        before = config.read_bytes()
        second = zxfeed("demo", "--port", str(free_port()), "--seconds", "5", cwd=tmp_path)
        assert second.returncode == 1 and "already running" in second.stderr, second
        assert config.read_bytes() == before
        # The sample sites have a homepage: discover finds their columns and the feed.
        found = zxfeed("discover", sites, cwd=tmp_path)
        assert found.returncode == 0, found.stderr
        for path in ("/jinan/", "/heze/", "/mudan/", "/weifang/"):
            assert f'url = "{sites.rstrip("/")}{path}"' in found.stdout, found.stdout
        assert wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200, 20)
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert first.returncode == 0


def test_restart_does_not_rediscover_a_site(tmp_path: Path, web: TestWeb) -> None:
    from support.pages import dated_items, list_page

    web.set("/lc-dsc/", "<html><head><meta charset='utf-8'><title>潍坊市政协</title></head><body>"
            "<a href='/lc-dsc/zxyw/'>政协要闻</a><a href='/lc-dsc/tagz/'>提案工作</a></body></html>")
    web.set("/lc-dsc/zxyw/", list_page(dated_items(6, start=700)))
    web.set("/lc-dsc/tagz/", list_page(dated_items(4, start=800)))
    cfg = load_config(write_config(tmp_path, "[server]\nenabled = false\n[schedule]\n"
                                   "interval = 600\n" + _source("wf", web.url("/lc-dsc/"))
                                   + "discover = true\nfetch_articles = false\n"))
    first = Daemon(cfg)
    first.start()
    try:
        assert wait_for(lambda: {"wf--1", "wf--2"} <= {s.id for s in first.store.sources()
                                                    if s.polls}, 30)
    finally:
        first.stop()
    homepage_hits = len(web.requests_to("/lc-dsc/"))
    second = Daemon(load_config(cfg.path))
    second.start()
    try:
        now = datetime.now(second.tz)
        job = second.scheduler.get_job("discover:wf")
        assert job.next_run_time > now + timedelta(hours=23), job.next_run_time
        runs = second.next_runs()
        assert runs["wf--1"] > now + timedelta(seconds=500), runs  # resumes, not re-polled
        assert runs["wf--2"] > now + timedelta(seconds=500), runs
    finally:
        second.stop()
    assert len(web.requests_to("/lc-dsc/")) == homepage_hits
