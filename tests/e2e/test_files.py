"""What zxfeed leaves on disk: data files 0600 and its folders 0700, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, write_config
from support.helpers import wait_for
from support.smtpsink import free_port
from support.webserver import TestWeb
from support.zxrun import _get, _running


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_lock_evidence_and_outbox_are_private(tmp_path: Path, web: TestWeb) -> None:
    port = free_port()
    rows = "".join(f"<li><a href='/files/{i}.html'>政协委员视察调研活动第{i}期</a> <span>2024-03-0{i + 1}</span></li>"
                   for i in range(5))
    web.set("/files/good.html", f"<html><body><ul>{rows}</ul></body></html>")
    web.set("/files/empty.html", "<html><body><p>栏目维护中</p></body></html>")
    cfg = write_config(tmp_path, f"""
        [server]
        port = {port}
        [schedule]
        interval = 600
        [[sources]]
        id = "good"
        name = "好"
        url = "{web.url('/files/good.html')}"
        region = "北京市"
        [[sources]]
        id = "empty"
        name = "空"
        url = "{web.url('/files/empty.html')}"
        region = "北京市"
        """)
    old = os.umask(0)  # the child inherits it: the worst case
    try:
        with _running(cfg, port) as (_proc, _):
            data = tmp_path / "data"
            assert wait_for(lambda: any((data / "evidence").rglob("*.html")), 60)
            assert wait_for(lambda: (data / "zxfeed.db-wal").exists() and (data / "zxfeed.db-shm").exists())
            for f in ("zxfeed.db", "zxfeed.db-wal", "zxfeed.db-shm", "zxfeed.db.lock"):
                assert _mode(data / f) == 0o600, f
            for d in (data, data / "evidence", data / "evidence" / "empty", data / "feeds"):
                assert _mode(d) == 0o700, d
            for page in (data / "evidence").rglob("*.html"):
                assert _mode(page) == 0o600, page
            assert _get(port, "/feeds/all.atom")[0] == 200  # the server still reads its feeds
        # An outbox (no [smtp]) made by a mail round is private too.
        out = subprocess.run([sys.executable, "-c",
                              "import sys; from pathlib import Path; from zxfeed.notify.send import FileSender;"
                              "FileSender(Path(sys.argv[1])).send('a@example.org', b'x')", str(tmp_path / "ob" / "x")],
                             cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert _mode(tmp_path / "ob") == 0o700 and _mode(tmp_path / "ob" / "x") == 0o700
        assert all(_mode(f) == 0o600 for f in (tmp_path / "ob" / "x").iterdir())
    finally:
        os.umask(old)


def test_existing_world_readable_store_is_tightened(tmp_path: Path) -> None:
    from zxfeed.store import Store

    db = tmp_path / "old.db"
    Store(db).close()
    os.chmod(db, 0o644)
    Store(db).close()
    assert _mode(db) == 0o600
