"""The one-shot ``zxfeed poll`` (cron-style): whole-process CPU per page (issue 15). Run by hand.

    .venv/bin/python bench/oneshot.py --sources 500

Starts the fake web (``bench/fakeweb.py``), writes a config for its N sites, then runs
``zxfeed poll`` as a new process each time, as cron would: a cold run (first poll of
every site), two unchanged runs, one new item on every site, a changed run. Each run's
CPU is the child's user + system time (``getrusage(RUSAGE_CHILDREN)``): interpreter
start, imports, config, polls, feeds, mail — everything cron pays for.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from argparse import Namespace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeweb import FakeWebProcess
from run import machine_facts, write_config


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=500)
    ap.add_argument("--workers", type=int, default=0, help="[fetch] workers (0: zxfeed's default)")
    ap.add_argument("--host-delay", type=float, default=0.25)
    ap.add_argument("--latency", default="0.05,0.30")
    ap.add_argument("--cut-share", type=float, default=0.05)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args(argv)
    lo, hi = (float(x) for x in a.latency.split(","))
    work = Path(tempfile.mkdtemp(prefix="zxfeed-oneshot-"))
    zxfeed = shutil.which("zxfeed") or str(Path(sys.executable).parent / "zxfeed")
    rows = []
    with FakeWebProcess(a.sources, latency=(lo, hi), cut_share=a.cut_share) as web:
        sites = web.control("sites")[: a.sources]
        cfg = write_config(work, sites, Namespace(host_delay=a.host_delay, workers=a.workers), None)

        def run(label: str) -> None:
            c0, w0 = _children_cpu(), time.monotonic()
            done = subprocess.run([zxfeed, "--config", str(cfg), "--log-level", "WARNING", "poll"],
                                  cwd=work, capture_output=True, text=True,
                                  env={**os.environ, "ZXFEED_CONFIG": str(cfg)})
            cpu, wall = _children_cpu() - c0, time.monotonic() - w0
            lines = done.stdout.splitlines()
            rows.append((label, done.returncode, len(lines), wall, cpu))
            print(f"{label:<12} exit {done.returncode}  lines {len(lines):5}  wall {wall:7.1f} s"
                  f"  CPU {cpu:6.2f} s  CPU/page {cpu / a.sources * 1000:6.2f} ms", flush=True)
            if done.returncode not in (0, 1):
                print(done.stderr[-2000:], file=sys.stderr)

        run("cold")
        run("unchanged")
        run("unchanged")
        web.control("publish", sites=f"1-{a.sources}")
        run("changed")
        start = subprocess.run([sys.executable, "-c", "import zxfeed.cli.main"], capture_output=True)
        c0 = _children_cpu()
        subprocess.run([zxfeed, "--version"], capture_output=True)
        version_cpu = _children_cpu() - c0
    facts = machine_facts()
    print(f"\nmachine: {facts['cpu']}, {facts['python']}; zxfeed {facts['zxfeed']}; {a.sources} sites,"
          f" latency {lo * 1000:.0f}–{hi * 1000:.0f} ms; `zxfeed --version` alone: {version_cpu:.2f} s CPU"
          f" (import check exit {start.returncode})")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work dir kept: {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
