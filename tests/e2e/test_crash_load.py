"""A real ``zxfeed run`` killed with SIGKILL mid-poll, and 500 sources in one process."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, write_config
from support.helpers import wait_for
from support.pages import dated_items, list_page
from support.webserver import TestWeb
from zxfeed.config.settings import load_config
from zxfeed.daemon.wiring import Daemon


def _config(tmp_path: Path, web: TestWeb, prefix: str, n: int, extra: str = "") -> Path:
    body = extra
    for i in range(n):
        body += (f'[[sources]]\nid = "{prefix}{i}"\nname = "{prefix}{i}"\n'
                 f'url = "{web.url(f"/{prefix}/{i}.html")}"\nregion = "山东省"\n')
    return write_config(tmp_path, body)


def _count(db: Path, sql: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # the daemon has created the file but not yet its schema
        return 0
    finally:
        con.close()


def test_sigkill_mid_poll_loses_nothing(tmp_path: Path, web: TestWeb) -> None:
    n = 40
    for i in range(n):
        items = [(k, f"第{i}站 {t}", d) for k, t, d in dated_items(10, start=i * 100)]
        web.set(f"/kill/{i}.html", list_page(items), delay=0.25)
    cfg = _config(tmp_path, web, "kill", n, "[server]\nenabled = false\n[schedule]\ninterval = 600\n"
                  "jitter = 0\n")
    db = tmp_path / "data" / "zxfeed.db"
    cmd = [sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: db.exists() and _count(db, "SELECT COUNT(*) FROM sources WHERE polls > 0") >= 3, 30)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    done_before = _count(db, "SELECT COUNT(*) FROM sources WHERE polls > 0")
    assert 0 < done_before < n, "the kill must land mid-round"
    # Every committed poll is whole: its source's ten items are all there.
    assert _count(db, "SELECT COUNT(*) FROM items") == 10 * done_before

    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: _count(db, "SELECT COUNT(*) FROM sources WHERE polls > 0") == n, 60)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT url) FROM items").fetchone() == (10 * n, 10 * n)
    # Items of the first (killed) run were not re-stored or re-announced as a second copy.
    assert con.execute("SELECT COUNT(*) FROM item_sources").fetchone()[0] == 10 * n


def test_500_sources_none_starved(tmp_path: Path, web: TestWeb) -> None:
    n = 500
    for i in range(n):
        web.set(f"/load/{i}.html", list_page([(k, f"{i}号来源 {t}", d) for k, t, d in dated_items(3, start=i * 10)]),
                etag=i % 2 == 0)
    cfg = load_config(_config(tmp_path, web, "load", n,
                              "[server]\nenabled = false\n[schedule]\ninterval = 10\njitter = 1\n"))
    daemon = Daemon(cfg)
    daemon.start()
    try:
        assert wait_for(lambda: min(s.polls for s in daemon.store.sources()) >= 3, timeout=60), \
            sorted(s.polls for s in daemon.store.sources())[:10]
        polls = [s.polls for s in daemon.store.sources()]
        assert max(polls) - min(polls) <= 1, (min(polls), max(polls))  # nobody starved, nobody hogs
        assert daemon.store.item_count() == 3 * n
        assert all(s.state == "ok" for s in daemon.store.sources())
    finally:
        daemon.stop()
