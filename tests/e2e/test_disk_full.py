"""A full disk under a running ``zxfeed run``: said everywhere, and no mail goes twice."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import write_config, zxfeed
from support.helpers import wait_for
from support.smtpsink import SmtpSink, free_port
from support.webserver import TestWeb
from support.zxrun import _get, _running


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs (needs root; skipped with the reason otherwise)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(disk)],
                           capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        pytest.skip("no mount command: cannot make a small filesystem")
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs (root needed): {r.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def _fill(disk: Path) -> None:
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)


def _list(n: int) -> str:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # recent: alerts go out
    rows = "".join(f"<li><a href='/full/{i}.html'>政协提案办理协商会第{i}场举行</a> <span>{today}</span></li>"
                   for i in range(n))
    return f"<html><body><ul>{rows}</ul></body></html>"


def test_full_disk_turns_health_red_and_sends_nothing_twice(small_disk: Path, tmp_path: Path,
                                                            web: TestWeb) -> None:
    sink = SmtpSink()
    port = free_port()
    web.set("/full/list.html", _list(3))
    cfg = write_config(tmp_path, f"""
        [server]
        port = {port}
        [schedule]
        interval = 10
        jitter = 0
        [smtp]
        host = "127.0.0.1"
        port = {sink.port}
        from = "政协动态 <news@zxfeed.example>"
        [[sources]]
        id = "full"
        name = "满盘"
        url = "{web.url('/full/list.html')}"
        region = "北京市"
        fetch_articles = false
        [[subscribers]]
        email = "reader@example.org"
        """)
    cfg.write_text(cfg.read_text("utf-8").replace('path = "data/zxfeed.db"', 'path = "disk/zxfeed.db"'),
                   "utf-8")
    db = small_disk / "zxfeed.db"
    try:
        with _running(cfg, port) as (_, err):
            assert wait_for(lambda: _get(port, "/healthz")[0] == 200)
            assert wait_for(lambda: "第2场".encode() in _get(port, "/feeds/all.atom")[2], 60), "no baseline"
            # The next poll finds two new items; the disk fills while the server takes the alert.
            sink.on_message = lambda: _fill(small_disk)
            web.set("/full/list.html", _list(5))
            assert wait_for(lambda: len(sink.received) >= 1, 60), "no alert sent"
            assert wait_for(lambda: _get(port, "/healthz")[0] == 503, 30), "/healthz stayed 200"
            page = _get(port, "/")
            assert page[0] == 200 and "full" in page[2].decode("utf-8")
            listed = zxfeed("sources", "--json", config=cfg)
            assert listed.returncode == 0, listed.stderr
            state = json.loads(listed.stdout)[0]
            assert state["state"] != "ok" and "full" in (state["last_error"] or "")
            # Two mail rounds (every 15 s) and more polls while full: still one message.
            wait_for(lambda: False, 35)
            assert len(sink.received) == 1
            sink.on_message = None
            (small_disk / "filler").unlink()
            assert wait_for(lambda: _get(port, "/healthz")[0] == 200, 30), "/healthz never recovered"
            wait_for(lambda: False, 20)  # another mail round with the store writable again
            assert len(sink.received) == 1
        rows = sqlite3.connect(db).execute("SELECT status FROM outbox").fetchall()
        assert rows == [("sent",)]  # marked once the disk had room: never sent again
        assert not any("Traceback" in line for line in err), err
        assert any("sent but not marked" in line for line in err), err  # the case did happen
    finally:
        sink.stop()
