"""Per-stage CPU of one poll, without the scheduler: a quick loop for profiling (run by hand).

Starts the fake web with no latency, fills a store with archive items, then calls
``poll_source`` on every site sequentially: a cold poll, an unchanged poll, one new
item on every site and a changed poll. Prints the median thread CPU per page kind and,
with ``--profile``, the top of a cProfile of the changed (or ``--phase``) polls.

    .venv/bin/python bench/stages.py --sites 60 --stored-items 100000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeweb import FakeWebProcess
from run import seed_archive, toml_str


def _config(work: Path, sites: list[dict[str, Any]], articles: bool) -> Path:
    lines = ["[storage]", 'path = "data/zxfeed.db"', "[feeds]", 'dir = "data/feeds"',
             "[server]", "enabled = false", "[fetch]", "host_delay = 0"]
    if not articles:
        lines.append("article_fetches = 0")
    for s in sites:
        lines += ["[[sources]]", f"id = {toml_str(s['id'])}", f"name = {toml_str(s['name'])}",
                  f"url = {toml_str(s['url'])}", f"region = {toml_str(s['region'])}"]
        if s.get("city"):
            lines.append(f"city = {toml_str(s['city'])}")
    path = work / "zxfeed.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=60)
    ap.add_argument("--stored-items", type=int, default=20000)
    ap.add_argument("--cut-share", type=float, default=0.05)
    ap.add_argument("--no-articles", action="store_true", help="article_fetches = 0")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--phase", default="changed", choices=["cold", "unchanged", "changed"])
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1, help="poll on this many threads at once")
    ap.add_argument("--latency", default="0,0", help="min,max seconds per response of the fake web")
    ap.add_argument("--cpu-gate", type=int, default=0, help="at most this many polls parse at once")
    a = ap.parse_args(argv)

    from zxfeed.config.settings import load_config
    from zxfeed.daemon.wiring import fetch_settings
    from zxfeed.fetch.client import Fetcher
    from zxfeed.poll.source import poll_source
    from zxfeed.store import Store

    low, high = (float(x) for x in a.latency.split(","))
    with FakeWebProcess(a.sites, latency=(low, high), cut_share=a.cut_share) as web, \
            tempfile.TemporaryDirectory() as tmp:
        sites = web.control("sites")
        meta = {s["id"]: s for s in sites}
        cfg = load_config(_config(Path(tmp), sites, not a.no_articles))
        cfg.db_path.parent.mkdir(parents=True, exist_ok=True)
        store = Store(cfg.db_path)
        store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
        t = time.monotonic()
        seed_archive(store, a.stored_items)
        print(f"seeded {a.stored_items} items in {time.monotonic() - t:.1f} s")
        fetcher = Fetcher(fetch_settings(cfg))
        # Thread CPU, not wall time: on a shared machine, preemption would be charged to whatever ran.
        profile = cProfile.Profile(time.thread_time)
        gate = threading.BoundedSemaphore(a.cpu_gate) if a.cpu_gate else None
        times: dict[str, list[float]] = {}

        def phase(name: str) -> None:
            if a.threads > 1:
                with ThreadPoolExecutor(a.threads) as pool:
                    list(pool.map(lambda src: one(name, src), cfg.sources))
            else:
                for src in cfg.sources:
                    one(name, src)

        def one(name: str, src: Any) -> None:
            m = meta[src.id]
            if a.profile and name == a.phase and a.threads == 1:
                profile.enable()
            c = time.thread_time()
            result = poll_source(src, cfg, store, fetcher, cpu=gate)
            spent = time.thread_time() - c
            if a.profile and name == a.phase and a.threads == 1:
                profile.disable()
            kind = name
            if result.status == "unchanged":
                kind += ": 304" if (m["etag"] or m["last_modified"]) else ": same hash"
            elif name != "cold":
                kind += f": {m['charset']}"
            times.setdefault(kind, []).append(spent * 1000)

        phase("cold")
        phase("unchanged")
        web.control("publish", sites=f"1-{a.sites}")
        phase("changed")
        for kind, values in times.items():
            print(f"{kind:28} n={len(values):4}  median {statistics.median(values):7.2f} ms"
                  f"  mean {statistics.fmean(values):7.2f} ms")
        if a.profile:
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(a.top)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(a.top)
            print(out.getvalue())
        fetcher.close()
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
