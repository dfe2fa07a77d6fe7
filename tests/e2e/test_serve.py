"""The HTTP server under hostile clients, and what it serves: gzip, weak ETags, status auth."""

from __future__ import annotations

import base64
import gzip
import io
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, write_config, zxfeed
from support.smtpsink import free_port
from support.webserver import TestWeb
from support.zxrun import _get, _running
from zxfeed.cli.main import JsonFormatter
from zxfeed.store import Store
from zxfeed.web.app import FeedServer
from zxfeed.web.server import Limits


def _page(n: int) -> str:
    rows = "".join(f"<li><a href='/serve/{i}.html'>政协第{i}次专题协商会议召开情况通报</a> "
                   f"<span>2024-02-{i + 1:02d}</span></li>" for i in range(n))
    return f"<html><body><ul>{rows}</ul></body></html>"


def _config(tmp: Path, web: TestWeb, port: int, server: str = "") -> Path:
    web.set("/serve/list.html", _page(12))
    return write_config(tmp, f"""
        [server]
        port = {port}
        {server}
        [schedule]
        interval = 600
        jitter = 0
        [[sources]]
        id = "serve"
        name = "服务测试"
        url = "{web.url('/serve/list.html')}"
        region = "北京市"
        """)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[FeedServer]:
    """An in-process server on a real store and feeds folder, with short timeouts."""
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "all.atom").write_bytes(b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>"
                                     + b"<title>t</title>" * 200 + b"</feed>")
    store = Store(tmp_path / "zxfeed.db")
    for i in range(80):  # a status page worth compressing
        store.sync_sources([(f"src-{i}", f"第{i}号来源", f"http://127.0.0.1/{i}.html")])
    srv = FeedServer("127.0.0.1", 0, feeds, store,
                     limits=Limits(idle_timeout=1, request_timeout=1, write_timeout=2,
                                   max_connections=64))
    srv.start()
    yield srv
    srv.stop()
    store.close()


def _closed_by_server(sock: socket.socket, timeout: float = 30.0) -> bytes | None:
    """Everything the server sent before closing, or None if it kept the connection open."""
    sock.settimeout(timeout)
    got = b""
    try:
        while chunk := sock.recv(4096):
            got += chunk
    except TimeoutError:
        return None
    return got


def test_idle_and_keepalive_connections_are_closed(server: FeedServer) -> None:
    port = server.server_address[1]
    idle = socket.create_connection(("127.0.0.1", port))
    assert _closed_by_server(idle) == b""  # said nothing: closed, not held forever
    kept = socket.create_connection(("127.0.0.1", port))
    kept.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    got = _closed_by_server(kept)
    assert got is not None and got.startswith(b"HTTP/1.1 200") and got.endswith(b"ok\n")
    idle.close()
    kept.close()


def test_unfinished_or_bad_requests_hold_no_thread(server: FeedServer) -> None:
    port = server.server_address[1]
    threads = threading.active_count()
    socks = []
    for _ in range(30):  # 60 connections, under the cap of 64
        s = socket.create_connection(("127.0.0.1", port))
        # A body promised and never sent, and headers trickled without an end.
        s.sendall(b"POST /unsubscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nemail=a")
        socks.append(s)
        t = socket.create_connection(("127.0.0.1", port))
        t.sendall(b"GET /feeds/all.atom HTTP/1.1\r\nHost: x\r\nX-Slow: a")
        socks.append(t)
    time.sleep(0.3)
    assert threading.active_count() < threads + 10
    for s in socks:
        got = _closed_by_server(s)
        assert got is not None and got.startswith(b"HTTP/1.1 408"), got
        s.close()
    for bad, status in ((b"Content-Length: abc\r\n", b"400"), (b"Content-Length: 99999999\r\n", b"413"),
                        (b"Transfer-Encoding: chunked\r\n", b"501"), (b"X: " + b"a" * 40000, b"431")):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"POST /unsubscribe HTTP/1.1\r\nHost: x\r\n" + bad + b"\r\n")
        got = _closed_by_server(s)
        assert got is not None and got.split(b" ")[1] == status, (bad, got)
        s.close()
    # The server still answers, and pipelined keep-alive requests are all answered.
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    got = _closed_by_server(s)
    assert got is not None and got.count(b"HTTP/1.1 200 OK") == 3
    s.close()


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_flood_keeps_healthz_and_feeds_answering_with_bounded_fds(tmp_path: Path, web: TestWeb) -> None:
    port = free_port()
    cfg = _config(tmp_path, web, port, "max_connections = 64\nidle_timeout = 60\nrequest_timeout = 60")
    with _running(cfg, port) as (proc, _):
        before = _fds(proc.pid)
        flood: list[socket.socket] = []
        try:
            for i in range(600):
                s = socket.create_connection(("127.0.0.1", port))
                if i % 2:
                    s.sendall(b"GET /feeds/all.atom HTTP/1.1\r\nHost: x\r\n")  # never finished
                flood.append(s)
            # While the flood holds its sockets: health, feeds and the status page answer.
            for path in ("/healthz", "/feeds/all.atom", "/", "/healthz"):
                status, _, _ = _get(port, path)
                assert status == 200, path
            assert _fds(proc.pid) <= before + 64 + 8
        finally:
            for s in flood:
                s.close()


def test_gzip_and_weak_etags(server: FeedServer) -> None:
    port = server.server_address[1]
    plain_status, plain_h, plain = _get(port, "/feeds/all.atom")
    assert plain_status == 200 and "content-encoding" not in plain_h
    etag = plain_h["etag"]
    assert etag.startswith('W/"') and "Accept-Encoding" in plain_h["vary"]
    status, h, body = _get(port, "/feeds/all.atom", {"Accept-Encoding": "br, gzip;q=0.8"})
    assert status == 200 and h["content-encoding"] == "gzip" and h["etag"] == etag
    assert int(h["content-length"]) == len(body) < len(plain) and gzip.decompress(body) == plain
    assert "content-encoding" not in _get(port, "/feeds/all.atom", {"Accept-Encoding": "gzip;q=0"})[1]
    # A list with the weak tag, or its strong form from an older response: 304, no body.
    for inm in (f'"nope", {etag}', etag.removeprefix("W/"), "*"):
        status, h, body = _get(port, "/feeds/all.atom", {"If-None-Match": inm})
        assert status == 304 and body == b"" and h["etag"] == etag, inm
    assert _get(port, "/feeds/all.atom", {"If-None-Match": 'W/"other"'})[0] == 200
    # Pages too: the status page is gzipped when asked and has a validator.
    status, h, body = _get(port, "/", {"Accept-Encoding": "gzip"})
    assert status == 200 and h["content-encoding"] == "gzip"
    assert "src-79 new" in gzip.decompress(body).decode("utf-8") and h["etag"].startswith('W/"')
    assert _get(port, "/", {"If-None-Match": h["etag"]})[0] == 304


def test_status_auth_protects_status_and_metrics_only(tmp_path: Path, web: TestWeb) -> None:
    port = free_port()
    cfg = _config(tmp_path, web, port, 'status_auth = "ops:ZX_STATUS_PW"')
    proc = zxfeed("run", config=cfg, timeout=60)  # no password in the environment: refused
    assert proc.returncode == 2 and "ZX_STATUS_PW" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    (tmp_path / "bad").mkdir()
    proc = zxfeed("check", config=_config(tmp_path / "bad", web, port, 'status_auth = "no-colon-here"'))
    assert proc.returncode == 2 and "server.status_auth" in proc.stderr and "user:ENV_VAR" in proc.stderr
    good = "Basic " + base64.b64encode(b"ops:s3cret pass").decode()
    bad = "Basic " + base64.b64encode(b"ops:wrong").decode()
    with _running(cfg, port, {"ZX_STATUS_PW": "s3cret pass"}):
        for path in ("/", "/metrics"):
            status, h, _ = _get(port, path)
            assert status == 401 and h["www-authenticate"].startswith("Basic realm=")
            assert _get(port, path, {"Authorization": bad})[0] == 401
            assert _get(port, path, {"Authorization": good})[0] == 200
        assert _get(port, "/feeds/all.atom")[0] == 200
        assert _get(port, "/healthz")[0] == 200


def test_empty_password_env_is_refused(tmp_path: Path) -> None:
    cfg = write_config(tmp_path, '[smtp]\nhost = "127.0.0.1"\nusername = "u"\nstarttls = true\n'
                       'password_env = "ZX_EMPTY_PW"\n')
    env = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"} | {"ZX_EMPTY_PW": ""}
    # `check` runs without the password (and says so); commands that send mail refuse.
    proc = subprocess.run([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "poll"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 2 and "ZX_EMPTY_PW" in proc.stderr and "Traceback" not in proc.stderr


def test_json_logs_stay_json_under_hostile_requests(tmp_path: Path, web: TestWeb) -> None:
    port = free_port()
    cfg = _config(tmp_path, web, port)
    with _running(cfg, port, args=("--log-format", "json", "--log-level", "DEBUG")) as (_, err):
        for raw in (b"POST /unsubscribe HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                    b"POST /unsubscribe HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
                    b"GET /feeds/%00.atom HTTP/1.1\r\n\r\n",
                    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n"):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(raw)
                _closed_by_server(s)
        assert _get(port, "/healthz")[0] == 200
    lines = [line for line in err if line.strip()]
    assert lines
    for line in lines:
        json.loads(line)  # every line, whatever the clients sent


def test_handler_traceback_is_one_json_record(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    store = Store(tmp_path / "zxfeed.db")
    srv = FeedServer("127.0.0.1", 0, feeds, store)
    srv.start()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("zxfeed").addHandler(handler)
    try:
        store.close()  # the status page now fails inside the handler
        status, _, _ = _get(srv.server_address[1], "/")
        assert status == 500
    finally:
        logging.getLogger("zxfeed").removeHandler(handler)
        srv.stop()
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    failed = [r for r in records if "exception" in r]
    assert failed and "Traceback" in failed[0]["exception"] and "GET /" in failed[0]["message"]


def test_expect_100_continue_gets_its_answer(server: FeedServer) -> None:
    s = socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30)
    s.sendall(b"POST /unsubscribe HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nExpect: 100-continue\r\n"
              b"Connection: close\r\n\r\n")
    assert s.recv(4096) == b"HTTP/1.1 100 Continue\r\n\r\n"  # the client waits for this
    s.sendall(b"email=a")
    got = _closed_by_server(s)
    assert got is not None and got.startswith(b"HTTP/1.1 404") and b"100 Continue" not in got
    s.close()


def test_clients_that_do_not_read_hold_no_worker(server: FeedServer) -> None:
    port = server.server_address[1]
    big = b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>" + b"<!-- x -->" * 3_000_000 + b"</feed>"
    (server.feeds_dir / "big.atom").write_bytes(big)
    slow = []
    for _ in range(3 * server.limits.workers):  # more than there are workers
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /feeds/big.atom HTTP/1.1\r\nHost: x\r\n\r\n")  # and never read
        slow.append(s)
    time.sleep(0.5)
    assert _get(port, "/healthz")[0] == 200
    status, _, body = _get(port, "/feeds/all.atom")
    assert status == 200 and body.endswith(b"</feed>")
    status, _, body = _get(port, "/feeds/big.atom")  # a client that reads gets all of it
    assert status == 200 and body == big
    for s in slow:  # ... and the ones that did not are dropped once their time is up
        got = _closed_by_server(s)
        assert got is not None and len(got) < len(big)
        s.close()
