"""Client flood against a real ``zxfeed run`` on loopback: latency of other clients and /healthz.

    .venv/bin/python bench/flood.py [--idle 1000] [--busy 200] [--seconds 10] [--src OTHER/src]

Starts ``zxfeed run`` on a seeded store, then, from a child process, holds ``--idle``
connections that say nothing (from 127.0.0.2, reopened when closed) and runs ``--busy``
keep-alive clients fetching the merged feed as fast as they can (from 127.0.0.3). Meanwhile
this process, from 127.0.0.1, fetches the feed every 50 ms and /healthz every 200 ms on new
connections and reports their latencies, plus the server's open descriptors and threads.
``--src`` runs the server from another checkout's ``src`` (to compare with older code).
Bounded: at most 5,000 idle and 1,000 busy clients, 120 s, loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(work: Path, port: int, items: int, server_toml: str = "") -> Path:
    """A config with one (unreachable) source and a store holding ``items`` items."""
    sys.path.insert(0, str(ROOT / "src"))
    from zxfeed.extract.dates import SHANGHAI
    from zxfeed.models import RawItem
    from zxfeed.normalize.items import normalize_item
    from zxfeed.store import Store

    cfg = work / "zxfeed.toml"
    cfg.write_text(f"""
[storage]
path = "data/zxfeed.db"
[feeds]
dir = "data/feeds"
[server]
port = {port}
{server_toml}
[schedule]
interval = "7d"
[[sources]]
id = "flood"
name = "压力测试"
url = "http://127.0.0.1:9/list.html"
region = "北京市"
""", "utf-8")
    store = Store(work / "data" / "zxfeed.db")
    store.sync_sources([("flood", "压力测试", "http://127.0.0.1:9/list.html")])
    now = datetime.now(SHANGHAI)
    batch = [normalize_item(RawItem(title=f"政协第{k}次专题协商会议召开 围绕基层治理建言资政",
                                    url=f"http://flood.example.gov.cn/t{k}.html",
                                    published=now - timedelta(hours=k)),
                            source_id="flood", source_name="压力测试", regions=("北京市",), now=now)
             for k in range(items)]
    store.save_poll("flood", batch, now)
    store.close()
    return cfg


# -- the flood (a child process, so that its CPU is not the probe's) -------------------

async def _idle(port: int, stop: float, stats: dict[str, int], trickle: bool) -> None:
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port,
                                                           local_addr=("127.0.0.2", 0))
            stats["idle_opened"] += 1
            if not trickle:
                await asyncio.wait_for(reader.read(), max(0.1, stop - time.monotonic()))
            else:  # a request whose headers never end, one byte a second
                writer.write(b"GET /feeds/all.atom HTTP/1.1\r\nHost: flood\r\nX-Trickle: ")
                while time.monotonic() < stop:
                    writer.write(b"a")
                    await writer.drain()
                    try:
                        await asyncio.wait_for(reader.read(1), 1.0)
                        break  # answered (408) or closed
                    except TimeoutError:
                        continue
                writer.close()
            stats["idle_closed_by_server"] += 1
        except (TimeoutError, OSError):
            await asyncio.sleep(0.2)


async def _busy(port: int, stop: float, stats: dict[str, int]) -> None:
    request = (b"GET /feeds/all.atom HTTP/1.1\r\nHost: flood\r\nAccept-Encoding: gzip\r\n\r\n")
    while time.monotonic() < stop:
        try:
            left = max(0.1, stop - time.monotonic())
            reader, writer = await asyncio.wait_for(asyncio.open_connection(
                "127.0.0.1", port, local_addr=("127.0.0.3", 0)), left)
            while time.monotonic() < stop:
                writer.write(request)
                left = max(0.1, stop - time.monotonic())
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), left)
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                await asyncio.wait_for(reader.readexactly(length), left)
                stats["busy_responses"] += 1
            writer.close()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                StopIteration):
            stats["busy_errors"] += 1
            await asyncio.sleep(0.05)


async def _flood(port: int, idle: int, busy: int, seconds: float, trickle: bool) -> dict[str, int]:
    stats = {"idle_opened": 0, "idle_closed_by_server": 0, "busy_responses": 0, "busy_errors": 0}
    stop = time.monotonic() + seconds
    tasks = [_idle(port, stop, stats, trickle) for _ in range(idle)] + [_busy(port, stop, stats)
                                                               for _ in range(busy)]
    await asyncio.gather(*tasks)
    return stats


def flood_main(port: int, idle: int, busy: int, seconds: float, trickle: bool) -> None:
    print(json.dumps(asyncio.run(_flood(port, idle, busy, seconds, trickle))), flush=True)


# -- the probe ----------------------------------------------------------------------

def _timed_get(port: int, path: str, timeout: float = 30.0) -> float | None:
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: probe\r\nAccept-Encoding: gzip\r\n"
                      "Connection: close\r\n\r\n".encode())
            got = b""
            while chunk := s.recv(65536):
                got += chunk
        if not got.startswith(b"HTTP/1.1 200"):
            return None
    except OSError:
        return None
    return time.monotonic() - started


def _probe(port: int, path: str, every: float, stop: float, out: list[float | None]) -> None:
    while time.monotonic() < stop:
        t = time.monotonic()
        out.append(_timed_get(port, path))
        time.sleep(max(0.0, every - (time.monotonic() - t)))


def _pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return (values or [0.0])[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _summary(name: str, results: list[float | None]) -> str:
    ok = sorted(v * 1000 for v in results if v is not None)
    failed = len(results) - len(ok)
    if not ok:
        return f"{name:<16} n={len(results):<5} all failed"
    return (f"{name:<16} n={len(results):<5} failed={failed:<4} p50={_pct(ok, 50):7.1f} ms  "
            f"p95={_pct(ok, 95):7.1f} ms  max={ok[-1]:7.1f} ms")


def _soft_nofile(soft: int) -> None:
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, hard), hard))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--busy", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--src", help="run the server from this src folder instead")
    ap.add_argument("--nofile", type=int, help="the server's soft limit on open files "
                    "(as systemd's default of 1024; the hard limit stays)")
    ap.add_argument("--server-toml", default="", help="extra lines for the [server] table")
    ap.add_argument("--trickle", action="store_true",
                    help="the idle clients send a header byte a second instead of nothing")
    ap.add_argument("--flood-child", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    a.idle, a.busy, a.seconds = min(a.idle, 5000), min(a.busy, 1000), min(a.seconds, 120)
    if a.flood_child:
        flood_main(a.flood_child, a.idle, a.busy, a.seconds, a.trickle)
        return 0
    with tempfile.TemporaryDirectory(prefix="zxflood-") as tmp:
        work = Path(tmp)
        port = free_port()
        cfg = seed(work, port, a.items, a.server_toml.replace("\\n", "\n"))
        env = dict(os.environ)
        if a.src:
            env["PYTHONPATH"] = str(Path(a.src).resolve())
        server = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg),
                                   "--log-level", "WARNING", "run"], cwd=work, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  preexec_fn=(lambda: _soft_nofile(a.nofile)) if a.nofile else None)
        try:
            deadline = time.monotonic() + 60
            while _timed_get(port, "/feeds/all.atom", 2) is None:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("server did not come up", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            quiet = [_timed_get(port, "/feeds/all.atom") for _ in range(20)]
            flood = subprocess.Popen([sys.executable, __file__, "--flood-child", str(port),
                                      "--idle", str(a.idle), "--busy", str(a.busy),
                                      "--seconds", str(a.seconds + 2),
                                      *(["--trickle"] if a.trickle else [])],
                                     stdout=subprocess.PIPE, text=True)
            time.sleep(2)  # let the flood build up
            stop = time.monotonic() + a.seconds
            feed: list[float | None] = []
            health: list[float | None] = []
            probes = [threading.Thread(target=_probe, args=(port, "/feeds/all.atom", 0.05, stop, feed)),
                      threading.Thread(target=_probe, args=(port, "/healthz", 0.2, stop, health))]
            for t in probes:
                t.start()
            peak_fds = peak_threads = 0
            while time.monotonic() < stop:
                try:
                    peak_fds = max(peak_fds, len(os.listdir(f"/proc/{server.pid}/fd")))
                    peak_threads = max(peak_threads, len(os.listdir(f"/proc/{server.pid}/task")))
                except OSError:
                    pass
                time.sleep(0.25)
            for t in probes:
                t.join()
            try:
                out, _ = flood.communicate(timeout=a.seconds + 60)
            except subprocess.TimeoutExpired:
                flood.kill()
                out, _ = flood.communicate()
            stats = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"server: {'src ' + a.src if a.src else 'this checkout'}"
          f"{f', soft nofile {a.nofile}' if a.nofile else ''}"
          f"{f', [server] {a.server_toml}' if a.server_toml else ''}; flood: {a.idle} "
          f"{'trickling' if a.trickle else 'idle'} + "
          f"{a.busy} busy clients for {a.seconds:g} s; feed {a.items} items")
    print(_summary("feed, quiet", quiet))
    print(_summary("feed, flooded", feed))
    print(_summary("/healthz", health))
    print(f"server peak: {peak_fds} open fds, {peak_threads} threads; flood: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
