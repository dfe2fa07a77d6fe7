"""Trickling sites (issue 16.4): a total deadline that fires, a bounded share of workers, a prompt stop.

Bounds here are correctness bounds (the process has exited, the source was polled at
all), generous for a loaded machine; how fast is measured by ``bench/hostile.py``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, write_config, zxfeed
from support.helpers import wait_for
from support.hostile import HostileWeb, good_links, list_page
from support.smtpsink import free_port
from zxfeed.fetch.client import Fetcher, FetchError, FetchSettings


@pytest.fixture()
def site() -> Iterator[HostileWeb]:
    web = HostileWeb("127.0.0.1")
    yield web
    web.close()


@pytest.mark.parametrize("headers_too", [False, True])
def test_trickled_page_is_given_up_at_the_total_deadline(site: HostileWeb, headers_too: bool) -> None:
    # One byte a second, for a day: every read gets a byte long before read_timeout.
    site.set("/trickle.html", "<p>政协</p>", trickle=86_400, every=1.0, trickle_headers=headers_too)
    site.set("/after.html", list_page(good_links("/x", 2)))
    with Fetcher(FetchSettings(host_delay=0, read_timeout=10, total_timeout=2, robots=False)) as f:
        with pytest.raises(FetchError) as info:
            f.get(site.url("/trickle.html"))
        assert info.value.kind == "timeout"
        # The host's gate was released: the next page of the same host is fetched.
        assert f.get(site.url("/after.html")).status == 200


def _sources(cfg: Path) -> dict[str, dict]:
    out = zxfeed("sources", "--json", config=cfg)
    assert out.returncode == 0, out.stderr
    return {s["id"]: s for s in json.loads(out.stdout)}


def _config(tmp_path: Path, sources: list[tuple[str, str]], fetch: str = "") -> Path:
    body = f"""
        [server]
        port = {free_port()}
        [schedule]
        interval = 3600
        jitter = 0
        """
    for sid, url in sources:
        body += f"""
        [[sources]]
        id = "{sid}"
        name = "来源 {sid}"
        url = "{url}"
        region = "山东省"
        fetch_articles = false
        """
    cfg = write_config(tmp_path, body)
    cfg.write_text(cfg.read_text("utf-8").replace("[fetch]", "[fetch]\nrobots = false\n" + fetch), "utf-8")
    return cfg


def _start(cfg: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(proc: subprocess.Popen[str], timeout: float) -> tuple[float, str]:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"zxfeed run did not stop within {timeout:.0f} s of SIGTERM:\n{err[-2000:]}")
    return time.monotonic() - started, err


def test_sigterm_stops_the_daemon_whatever_the_sites_do(tmp_path: Path, site: HostileWeb) -> None:
    tricklers = [(f"t{i}", site.url(f"/t{i}.html")) for i in range(6)]
    for i in range(6):
        site.set(f"/t{i}.html", "<p>政协</p>", trickle=100_000, every=1.0)
    # One host per trickler is not needed: the gate of 127.0.0.1 allows them all at once here.
    cfg = _config(tmp_path, tricklers, fetch="host_concurrency = 8\n")
    proc = _start(cfg)
    try:
        assert wait_for(lambda: site.open_trickles == 6, timeout=60), "polls never started"
    except BaseException:
        proc.kill()
        raise
    seconds, err = _stop(proc, timeout=30)
    print(f"stop time with 6 trickling polls in flight: {seconds:.2f} s")
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    # Abandoned polls recorded nothing: every source is still due, not failed.
    states = _sources(cfg)
    assert all(states[sid]["state"] == "new" and states[sid]["failures"] == 0 for sid, _ in tricklers)


def test_trickling_sites_cannot_starve_the_others(tmp_path: Path, site: HostileWeb) -> None:
    slow = [HostileWeb(f"127.0.0.{3 + i}") for i in range(6)]
    try:
        for web in slow:
            web.set("/list.html", "<p>政协</p>", trickle=100_000, every=1.0)
        # A same-host sibling of a trickler, and a normal source elsewhere.
        site.set("/slow.html", "<p>政协</p>", trickle=100_000, every=1.0)
        site.set("/sibling.html", list_page(good_links("/s", 3)))
        other = HostileWeb("127.0.0.20")
        other.set("/list.html", list_page(good_links("/o", 3)))
        sources = [(f"slow{i}", web.url("/list.html")) for i, web in enumerate(slow)]
        sources += [("slowsib", site.url("/slow.html")), ("sibling", site.url("/sibling.html")),
                    ("normal", other.url("/list.html"))]
        # Four workers, one slot for slow requests: seven trickling sources are queued first.
        cfg = _config(tmp_path, sources, fetch="workers = 4\nslow_after = 2\nslow_share = 0.25\n"
                                               "total_timeout = 20\n")
        proc = _start(cfg)
        try:
            def polled(*ids: str) -> bool:
                states = _sources(cfg)
                return all(states[i]["state"] == "ok" for i in ids)

            # The store is read only once the daemon has made it (its schema migration
            # is not safe against a second process migrating at the same moment).
            assert wait_for(lambda: other.count("/list.html") > 0, timeout=90), "never polled"
            assert wait_for(lambda: polled("normal", "sibling"), timeout=90, every=1.0), \
                _sources(cfg)
            states = _sources(cfg)
        finally:
            _stop(proc, timeout=30)
        gave_up = [s for s in states.values() if s["last_error_kind"] == "timeout"]
        assert any("slow" in s["last_error"] for s in gave_up), states
    finally:
        for web in slow:
            web.close()
        other.close()
