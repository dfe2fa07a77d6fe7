"""Mail latencies of a real daemon (run by hand): poll → alert accepted by SMTP, sign-up → confirmation.

    .venv/bin/python bench/mail.py [--rounds 10]

Uses the tests' loopback web server and aiosmtpd sink; prints medians and maxima,
and how many mails a burst of polls inside ``alert_every`` produced.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import httpx  # noqa: E402

from support.pages import dated_items, list_page  # noqa: E402
from support.smtpsink import SmtpSink, free_port  # noqa: E402
from support.webserver import TestWeb  # noqa: E402
from zxfeed.config.settings import load_config  # noqa: E402
from zxfeed.daemon.wiring import Daemon  # noqa: E402
from zxfeed.web.app import FeedServer  # noqa: E402


def _wait(cond, timeout: float = 30.0) -> float | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return time.monotonic()
        time.sleep(0.002)
    return None


def run(rounds: int, alert_every: str) -> tuple[list[float], int, list[float]]:
    web, sink = TestWeb(), SmtpSink()
    work = Path(tempfile.mkdtemp(prefix="zxfeed-mailbench-"))
    web.set("/b/list.html", list_page(dated_items(3)))
    port = free_port()
    cfg_file = work / "zxfeed.toml"
    cfg_file.write_text(f"""
[storage]
path = "data/zxfeed.db"
[feeds]
dir = "data/feeds"
[server]
port = {port}
[fetch]
host_delay = 0
[schedule]
interval = "7d"
jitter = 0
one_core = false
[smtp]
host = "127.0.0.1"
port = {sink.port}
[notify]
alert_every = "{alert_every}"
[[sources]]
id = "bench"
name = "测试政协"
url = "{web.url('/b/list.html')}"
region = "山东省"
[[subscribers]]
email = "reader@example.org"
""", "utf-8")
    cfg = load_config(cfg_file)
    daemon = Daemon(cfg)
    daemon.start()
    server = FeedServer("127.0.0.1", port, cfg.feeds_dir, daemon.store, notifier=daemon.notifier)
    server.start()
    src = cfg.sources[0]
    try:
        _wait(lambda: (s := daemon.store.source("bench")) is not None and s.baseline_at is not None)
        items = dated_items(3)
        alerts: list[float] = []
        for k in range(rounds):
            items = dated_items(1, start=100 + k, titles=[f"委员提案第{k}号"]) + items
            web.set("/b/list.html", list_page(items))
            before = len(sink.received)
            t0 = time.monotonic()
            daemon.poll(src)
            t1 = _wait(lambda b=before: len(sink.received) > b, timeout=3.0)
            if t1 is not None:
                alerts.append(t1 - t0)
        mails = len(sink.received)
        confirms: list[float] = []
        for k in range(min(rounds, 5)):  # the sign-up rate limit allows 5 per client
            before = len(sink.received)
            t0 = time.monotonic()
            httpx.post(f"{server.url}/subscribe", data={"email": f"new{k}@example.org"})
            t1 = _wait(lambda b=before: len(sink.received) > b)
            if t1 is not None:
                confirms.append(t1 - t0)
        return alerts, mails, confirms
    finally:
        server.stop()
        daemon.stop()
        sink.stop()
        web.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=10)
    a = ap.parse_args()
    alerts, _, confirms = run(a.rounds, "0s")
    print(f"poll → alert accepted by SMTP (alert_every 0, {len(alerts)} of {a.rounds}): "
          f"median {statistics.median(alerts):.3f} s, max {max(alerts):.3f} s")
    print(f"POST /subscribe → confirmation accepted by SMTP ({len(confirms)}): "
          f"median {statistics.median(confirms):.3f} s, max {max(confirms):.3f} s")
    first, mails, _ = run(a.rounds, "10m")
    print(f"burst of {a.rounds} polls with new items, alert_every 10m: {mails} mail(s); "
          f"first alert {first[0]:.3f} s after its poll started")


if __name__ == "__main__":
    main()
