"""A real ``zxfeed run`` for tests: started, waited for, stopped with SIGTERM; raw HTTP GETs."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from conftest import ROOT
from support.helpers import wait_for


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


@contextlib.contextmanager
def _running(cfg: Path, port: int, env: dict[str, str] | None = None,
             args: tuple[str, ...] = ()) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """A real ``zxfeed run``; yields the process and (after it stopped) its stderr lines."""
    environ = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"} | (env or {})
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", *args, "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=environ)
    err: list[str] = []

    def up() -> bool:
        try:
            return _get(port, "/feeds/all.atom")[0] == 200
        except OSError:
            return False

    try:
        assert wait_for(up, 60), "zxfeed run never served its feed"
        yield proc, err
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
        err.extend(stderr.splitlines())


