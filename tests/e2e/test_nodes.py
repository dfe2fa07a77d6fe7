"""Several ``zxfeed run`` nodes on one PostgreSQL: sources shared, one node SIGKILLed, nothing lost twice.

Real parts: a PostgreSQL server, the fixture web, an aiosmtpd sink, and the CLI as processes.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import feedparser
import pytest

from conftest import ROOT, write_config
from support.helpers import wait_for
from support.pages import dated_items, list_page
from support.smtpsink import SmtpSink, free_port
from support.webserver import TestWeb
from support.zxrun import _get

INTERVAL = 10  # the shortest interval the config accepts
LEASE = 3
SOURCES = 6


def _node_config(tmp: Path, name: str, url: str, web: TestWeb, smtp_port: int, port: int) -> Path:
    folder = tmp / name
    folder.mkdir()
    sources = "".join(f"""
        [[sources]]
        id = "n{i}"
        name = "节点测试{i}"
        url = "{web.url(f'/nodes/{tmp.name}/{i}/list.html')}"
        region = "山东省"
        """ for i in range(SOURCES))
    cfg = write_config(folder, f"""
        [server]
        port = {port}
        [schedule]
        interval = {INTERVAL}
        jitter = 0
        [smtp]
        host = "127.0.0.1"
        port = {smtp_port}
        from = "政协动态 <news@zxfeed.example>"
        [notify]
        retry_base = 0.2
        retry_cap = 1
        alert_every = 0
        [[subscribers]]
        email = "reader@example.org"
        {sources}
        """)
    text = cfg.read_text("utf-8").replace(
        'path = "data/zxfeed.db"', f'path = "data/zxfeed.db"\nurl = "{url}"\nlease = {LEASE}', 1)
    # Behind one public address (a load balancer): the same base_url on every node.
    text = text.replace("[feeds]", '[feeds]\npublish_delay = 0.5\nbase_url = "https://feeds.example.org"', 1)
    cfg.write_text(text, "utf-8")
    return cfg


def _publish(web: TestWeb, tmp: Path, upto: int) -> None:
    """Each source lists ``upto`` items of its own, all dated today (numbers unique across sources)."""
    today = date.today()
    for i in range(SOURCES):
        items = [(n, title, today) for n, title, _ in dated_items(upto, start=i * 1000)]
        web.set(f"/nodes/{tmp.name}/{i}/list.html", list_page(items[::-1]))


def _start(cfg: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"}
    return subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)


def _entries(port: int) -> list[str] | None:
    try:
        status, _, body = _get(port, "/feeds/all.atom")
    except OSError:
        return None
    return [e.id for e in feedparser.parse(body).entries] if status == 200 else None


def _polls(web: TestWeb, tmp: Path, i: int) -> list[float]:
    path = f"/nodes/{tmp.name}/{i}/list.html"
    with web._lock:
        return [t for p, _, t in web.log if p == path]


@pytest.mark.parametrize("nodes", [2, 3])
def test_nodes_share_sources_and_survive_a_sigkill(tmp_path: Path, web: TestWeb, pg_url: str,
                                                    nodes: int) -> None:
    sink = SmtpSink()
    ports = [free_port() for _ in range(nodes)]
    cfgs = [_node_config(tmp_path, f"node{k}", pg_url, web, sink.port, ports[k]) for k in range(nodes)]
    _publish(web, tmp_path, 3)
    procs = [_start(c) for c in cfgs]
    try:
        # Baseline: every source polled, every node serves all of its items.
        assert wait_for(lambda: all(len(_entries(p) or []) == 3 * SOURCES for p in ports), 60), \
            [len(_entries(p) or []) for p in ports]
        # New items: alerts, mailed once.
        _publish(web, tmp_path, 5)
        assert wait_for(lambda: all(len(_entries(p) or []) == 5 * SOURCES for p in ports), 40)
        assert wait_for(lambda: len(sink.received) >= 1, 30), "no alert arrived"
        # Mid-cycle: kill the first node hard (no lease given back, maybe a message unmarked).
        victim = procs[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        killed_at = time.monotonic()
        _publish(web, tmp_path, 7)
        live = ports[1:]
        assert wait_for(lambda: all(len(_entries(p) or []) == 7 * SOURCES for p in live), 40), \
            [len(_entries(p) or []) for p in live]
        # Every source polled again within interval + lease (plus the page's own time).
        for i in range(SOURCES):
            after = [t for t in _polls(web, tmp_path, i) if t > killed_at]
            assert after and after[0] - killed_at <= INTERVAL + LEASE + 2, (i, after[:3])
        # Once per interval: never two polls of one source much closer than the interval.
        for i in range(SOURCES):
            times = _polls(web, tmp_path, i)
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert gaps and min(gaps) >= 0.5 * INTERVAL, (i, gaps)
        # No item lost or duplicated: ids unique, same bytes on every live node.
        ids = _entries(live[0]) or []
        assert len(ids) == len(set(ids)) == 7 * SOURCES
        def same() -> bool:
            return len({_get(p, "/feeds/all.atom")[2] for p in live}) == 1

        if not wait_for(same, 10):
            import difflib
            a, b = (_get(p, "/feeds/all.atom")[2].decode().splitlines() for p in live[:2])
            raise AssertionError("\n".join(list(difflib.unified_diff(a, b, lineterm=""))[:40]))
        assert len({_get(p, "/feeds/all.atom")[1]["etag"] for p in live}) == 1
        # Mail: every item mailed, no message twice beyond the killed node's one in flight.
        wanted = {f"（第{i * 1000 + n}期）" for i in range(SOURCES) for n in (3, 4, 5, 6)}

        def mailed() -> set[str]:
            text = "".join(m.get_body(("plain",)).get_content() for m in sink.messages())
            return {w for w in wanted if w in text}

        assert wait_for(lambda: mailed() == wanted, 40), sorted(wanted - mailed())
        msg_ids = [m["Message-ID"] for m in sink.messages()]
        assert len(msg_ids) - len(set(msg_ids)) <= 1, msg_ids
        # No item queued twice: each is in one message (a resent one keeps its Message-ID).
        carriers = {w: {m["Message-ID"] for m in sink.messages()
                        if w in m.get_body(("plain",)).get_content()} for w in wanted}
        assert all(len(c) == 1 for c in carriers.values()), carriers
        status, _, body = _get(live[0], "/healthz?format=json")
        health = json.loads(body)
        assert status == 200 and health["database"]["engine"] == "postgresql"
        assert health["database"]["reachable"] and \
            health["database"]["schema_version"] == health["database"]["schema_expected"]
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for k, p in enumerate(procs):
            try:
                _, err = p.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                err = ""
            print(f"--- node{k} stderr (last lines)\n" + "\n".join((err or "").splitlines()[-80:]))
        sink.stop()
