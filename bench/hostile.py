"""Peak memory, starvation and stop time of a real ``zxfeed run`` against the hostile site set (issue 16).

Run by hand, never as a test (the figures depend on the machine)::

    .venv/bin/python bench/hostile.py                 # 90 s run, 48 trickling sites
    .venv/bin/python bench/hostile.py --seconds 180 --tricklers 96 --workers 48

Serves, on loopback addresses 127.0.0.0/8 only: 5 MB pages of deep nesting, of flat
markup and of links, 5,000-item lists, a 5 MB entity-amplification feed, a 10,005-
character title, a list after 2,500 unclosed tags, bad entries, JSON nested 100,000
deep, and sites that trickle their body at one byte a second; plus one normal site.
Reports the daemon's peak RSS (``VmHWM``), when the normal site was first polled,
the stop time after SIGTERM with polls in flight, and every source's final state.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.hostile import (  # noqa: E402
    HostileWeb,
    deep_nesting,
    entity_feed,
    good_links,
    json_list,
    json_nested,
    list_page,
    long_title,
    many_items,
)

MB = 5 * 1024 * 1024


def hostile_pages() -> dict[str, tuple[str, str]]:
    """path → (body, content type): the pages that misbehave, each under ``max_bytes``."""
    links = "".join(f"<li><a href='/farm/{i}.html'>政协会议第{i}号文件</a> 2024-02-05</li>"
                    for i in range(MB // 90))
    return {
        "/deep-div.html": ("<html><body>" + "<div>" * (MB // 6), "text/html"),
        "/flat.html": ("<html><body>" + "<p>x</p>" * (MB // 9), "text/html"),
        "/farm.html": (f"<html><body><ul>{links}</ul></body></html>", "text/html"),
        "/many1.html": (many_items(5000), "text/html"),
        "/many2.html": (many_items(5000), "text/html"),
        "/entity.xml": (entity_feed(chars=50_000, refs=MB // 6), "application/rss+xml"),
        "/long.html": (long_title(10_005), "text/html"),
        "/deep-list.html": (deep_nesting(2500), "text/html"),
        "/bad.html": (list_page([*good_links("/b", 3), ("http://[siteurl]/x.html", "模板链接标题文字"),
                                 ("http://a.gov.cn:99999/x.html", "端口越界的标题文字")]), "text/html"),
        "/dates.json": (json_list([{"title": "日期过大的条目标题", "url": "/j1.html", "date": 1e20},
                                   {"title": "正常的政协新闻条目", "url": "/j2.html", "date": "2024-02-05"}]),
                        "application/json"),
        "/nested.json": (json_nested(100_000), "application/json"),
    }


def rss_peak(pid: int) -> tuple[int, int]:
    """(current RSS, peak RSS) of ``pid`` in KB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def sources(cfg: Path) -> dict[str, dict]:
    out = subprocess.run([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "sources", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    return {s["id"]: s for s in json.loads(out.stdout)} if out.returncode == 0 else {}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=90, help="how long the daemon runs")
    ap.add_argument("--tricklers", type=int, default=48, help="sites trickling one byte a second")
    ap.add_argument("--workers", type=int, default=48, help="[fetch] workers")
    ap.add_argument("--stop-bound", type=float, default=60, help="seconds to wait for the stop")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="zxfeed-hostile-"))
    # Every hostile page on its own loopback host, so politeness does not serialize them.
    servers: list[HostileWeb] = []
    entries: list[tuple[str, str]] = []
    for i, (path, (body, ctype)) in enumerate(hostile_pages().items()):
        web = HostileWeb(f"127.0.9.{i + 1}")
        servers.append(web)
        entries.append((path.strip("/").split(".")[0], web.set(path, body, content_type=ctype)))
    for i in range(args.tricklers):
        web = HostileWeb(f"127.0.10.{i + 1}")
        servers.append(web)
        entries.append((f"trickle{i}", web.set("/list.html", "<p>政协</p>", trickle=10**6, every=1.0)))
    normal = HostileWeb("127.0.11.1")
    servers.append(normal)
    normal.set("/list.html", list_page(good_links("/n", 5)))
    entries.append(("normal", normal.url("/list.html")))

    blocks = "".join(textwrap.dedent(f"""
        [[sources]]
        id = "{sid}"
        name = "{sid}"
        url = "{url}"
        region = "山东省"
        """) for sid, url in entries)
    cfg = work / "zxfeed.toml"
    cfg.write_text(textwrap.dedent(f"""
        [storage]
        path = "data/zxfeed.db"
        [feeds]
        dir = "data/feeds"
        [server]
        enabled = false
        [fetch]
        host_delay = 0
        robots = false
        workers = {args.workers}
        [schedule]
        interval = 60
        jitter = 0
        """) + blocks, encoding="utf-8")

    log = (work / "run.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    started = time.monotonic()
    normal_at = None
    peak = 0
    try:
        while time.monotonic() - started < args.seconds and proc.poll() is None:
            time.sleep(0.5)
            _, peak = rss_peak(proc.pid)
            if normal_at is None and normal.count("/list.html"):
                normal_at = time.monotonic() - started
        _, peak = rss_peak(proc.pid)
        in_flight = sum(w.open_trickles for w in servers)
        stop_started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=args.stop_bound)
            stop_seconds: float | None = time.monotonic() - stop_started
        except subprocess.TimeoutExpired:
            stop_seconds = None
    finally:
        if proc.poll() is None:
            proc.kill()
        for web in servers:
            web.close()
        log.close()
    states = sources(cfg)
    print(f"hostile set: {len(hostile_pages())} hostile pages, {args.tricklers} trickling sites, "
          f"1 normal site; workers={args.workers}; ran {args.seconds:.0f} s")
    print(f"peak RSS (VmHWM) of zxfeed run: {peak / 1024:.0f} MB")
    print("normal site (listed last) first requested after: "
          + (f"{normal_at:.1f} s" if normal_at is not None else "never")
          + f"; requests to it in the run: {normal.count('/list.html')}")
    print(f"stop after SIGTERM with {in_flight} trickling requests in flight: "
          + (f"{stop_seconds:.2f} s (exit code {proc.returncode})" if stop_seconds is not None
             else f"not stopped after {args.stop_bound:.0f} s (killed)"))
    by_state: dict[str, list[str]] = {}
    for sid, st in states.items():
        by_state.setdefault(f"{st['state']}/{st.get('last_error_kind') or '-'}", []).append(sid)
    for key, ids in sorted(by_state.items()):
        shown = ", ".join(i for i in ids if not i.startswith("trickle"))
        tricklers = sum(i.startswith("trickle") for i in ids)
        print(f"  {key:<22} {len(ids):>3}  {shown}{f' + {tricklers} tricklers' if tricklers else ''}")
    if args.keep:
        print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
