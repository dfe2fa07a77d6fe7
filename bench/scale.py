"""Many sources, steady state: unchanged cycles, idle CPU and peak RSS (issue 15). Run by hand.

    .venv/bin/python bench/scale.py --sources 10000            # ~15-30 min: the cold cycle is setup
    .venv/bin/python bench/scale.py --sources 1000 --cycles 2  # a few minutes

The fake web (``bench/fakeweb.py``, its own process, one loopback address per site)
serves N sites; zxfeed runs here as the real daemon (``Daemon`` with ``[schedule]
one_core``, as ``zxfeed run``), started by a child process of its own so that its CPU
and peak RSS are its own. The first (cold) cycle only fills the store and the sources'
validators, and its archive pages are left to the daemon's budgeted rounds until none is
missing (timed apart); then K unchanged cycles (every poll job made due at once, as the
scheduler would when they fall due together), an idle window with nothing due, and the peak
RSS over those (VmHWM, reset after the cold cycle; the cold cycle's own peak is printed too).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from argparse import Namespace
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fakeweb import FakeWebProcess, control
from run import Spy, code_version, machine_facts, seed_archive, summarize_profile, write_config


class _Yappi:
    """yappi (``pip install yappi``) over all threads in CPU time: own-time per function."""

    def __init__(self, directory: str | None) -> None:
        import yappi

        self.yappi, self.directory = yappi, directory
        yappi.set_clock_type("cpu")
        yappi.start()

    def stop(self) -> None:
        self.yappi.stop()
        stats = self.yappi.get_func_stats()
        stats.sort("tsub")
        with open(Path(self.directory or ".") / "unchanged-yappi.txt", "w") as f:
            stats.print_all(out=f, columns={0: ("name", 60), 1: ("ncall", 9), 2: ("tsub", 8),
                                            3: ("ttot", 8), 4: ("tavg", 8)})


def _reset_peak_rss() -> None:
    """Start the peak RSS count again (Linux: ``clear_refs`` 5 resets VmHWM)."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak_rss_since_reset() -> float:
    """VmHWM in MB: the peak resident set since :func:`_reset_peak_rss`."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _zxfeed(a: argparse.Namespace) -> dict[str, Any]:
    """The daemon's side (in the child): cold cycle, unchanged cycles, idle window."""
    from zxfeed.config.settings import load_config
    from zxfeed.daemon.observer import DaemonObserver
    from zxfeed.daemon.wiring import Daemon
    from zxfeed.store import Store

    work = Path(a.workdir)
    logging.basicConfig(level=logging.WARNING, filename=str(work / "zxfeed.log"))
    sites = control(a.fakeweb, "sites", timeout=300)[: a.sources]
    ids = [s["id"] for s in sites]
    cfg = load_config(write_config(work, sites, Namespace(host_delay=a.host_delay,
                                                          workers=a.workers), None))
    if a.stored_items:
        cfg.db_path.parent.mkdir(parents=True, exist_ok=True)
        seed = Store(cfg.db_path)
        seed_archive(seed, a.stored_items)
        seed.close()
    lock = threading.Lock()
    polled: dict[str, str] = {}
    expect: set[str] = set()
    done = threading.Event()

    class Watch(DaemonObserver):
        def on_poll_done(self, source_id: str, result: Any, timing: Any) -> None:
            with lock:
                polled[source_id] = getattr(result, "status", "crashed")
                if expect and expect <= polled.keys():
                    done.set()

    daemon = Daemon(cfg, observer=Watch())

    def cycle(start: bool) -> dict[str, Any]:
        with lock:
            polled.clear()
            expect.clear()
            expect.update(ids)
            done.clear()
        sched = daemon.scheduler
        c0, w0 = time.process_time(), time.monotonic()
        if start:
            daemon.start()
            if sched.get_job("backlog") is not None:
                sched.pause_job("backlog")
        sched.pause()
        now = datetime.now(daemon.tz)
        for sid in ids:
            sched.modify_job(f"poll:{sid}", next_run_time=now)
        c1, w1 = time.process_time(), time.monotonic()
        sched.resume()
        complete = done.wait(a.cycle_timeout)
        daemon.publish_if_dirty()
        daemon.publishing.wait_idle()
        c2, w2 = time.process_time(), time.monotonic()
        statuses: dict[str, int] = {}
        for status in polled.values():
            statuses[status] = statuses.get(status, 0) + 1
        return {"complete": complete, "polled": len(polled), "statuses": statuses,
                "setup_wall": w1 - w0, "setup_cpu": c1 - c0, "wall": w2 - w1, "cpu": c2 - c1,
                "cpu_per_page": (c2 - c1) / max(1, len(polled))}

    out: dict[str, Any] = {"code": code_version(), "workers": cfg.fetch.workers,
                           "stored_items_seeded": a.stored_items}
    out["cold"] = cycle(True)
    out["stored_items"] = daemon.store.item_count()
    # The archive pages of 20 new items a site are written by budgeted background rounds;
    # left running they would count as the unchanged cycles' CPU and the idle window's.
    pending = daemon.publishing.publisher.archive_pending
    c0, w0, rounds = time.process_time(), time.monotonic(), 0
    while pending() and time.monotonic() - w0 < a.cycle_timeout:
        daemon.publish_if_dirty()
        daemon.publishing.wait_idle()
        rounds += 1
    out["archives"] = {"wall": time.monotonic() - w0, "cpu": time.process_time() - c0,
                       "rounds": rounds}
    out["peak_rss_cold_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _reset_peak_rss()
    spy = _Yappi(a.profile) if a.yappi else Spy(a.profile, "unchanged")  # unchanged cycles only
    out["unchanged"] = [cycle(False) for _ in range(a.cycles)]
    spy.stop()
    c0 = time.process_time()
    time.sleep(a.idle_seconds)
    out["idle_cpu_per_min"] = (time.process_time() - c0) / a.idle_seconds * 60
    out["peak_rss_mb"] = _peak_rss_since_reset()
    daemon.stop()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=10000)
    ap.add_argument("--cycles", type=int, default=3, help="unchanged cycles measured")
    ap.add_argument("--stored-items", type=int, default=0,
                    help="archive items seeded before the cold cycle (it adds 20 per source)")
    ap.add_argument("--workers", type=int, default=0, help="[fetch] workers (0: zxfeed's default)")
    ap.add_argument("--host-delay", type=float, default=0.25)
    ap.add_argument("--latency", default="0.05,0.30")
    ap.add_argument("--cut-share", type=float, default=0.0,
                    help="sites whose cut titles need article pages (only the cold cycle reads them)")
    ap.add_argument("--idle-seconds", type=float, default=60.0)
    ap.add_argument("--cycle-timeout", type=float, default=3600.0)
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--profile", metavar="DIR", help="py-spy profile of the unchanged cycles into DIR")
    ap.add_argument("--yappi", action="store_true", help="with --profile: yappi instead of py-spy")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (store, feeds, log)")
    ap.add_argument("--fakeweb", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.out:  # the child
        Path(a.out).write_text(json.dumps(_zxfeed(a)), encoding="utf-8")
        return 0
    lo, hi = (float(x) for x in a.latency.split(","))
    work = Path(tempfile.mkdtemp(prefix="zxfeed-scale-"))
    print(f"fake web of {a.sources} sites; work dir {work}", flush=True)
    with FakeWebProcess(a.sources, latency=(lo, hi), cut_share=a.cut_share,
                        startup_timeout=900) as web:
        args = [sys.executable, __file__, *(argv if argv is not None else sys.argv[1:]),
                "--fakeweb", web.base, "--workdir", str(work), "--out", str(work / "out.json")]
        started = time.monotonic()
        subprocess.run(args, check=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        web_cpu = web.control("stats")["cpu"]["total"]
    r = json.loads((work / "out.json").read_text(encoding="utf-8"))
    facts = machine_facts()
    walls = [c["wall"] for c in r["unchanged"]]
    per_page = [c["cpu_per_page"] * 1000 for c in r["unchanged"]]
    print(f"\nmachine: {facts['cpu']}, {facts['python']}; zxfeed {r['code']}; workers {r['workers']};"
          f" {a.sources} sites, latency {lo * 1000:.0f}–{hi * 1000:.0f} ms, host_delay {a.host_delay} s;"
          f" fake web CPU {web_cpu:.0f} s; bench wall {time.monotonic() - started:.0f} s")
    cold = r["cold"]
    print(f"cold cycle (setup): wall {cold['wall']:.1f} s, cpu/page {cold['cpu_per_page'] * 1000:.1f} ms,"
          f" statuses {cold['statuses']}; daemon start {cold['setup_wall']:.1f} s")
    print(f"stored items after the cold cycle: {r['stored_items']:,}; its archive pages then in"
          f" {r['archives']['rounds']} background rounds, {r['archives']['wall']:.1f} s wall,"
          f" {r['archives']['cpu']:.1f} s CPU; peak RSS up to here {r['peak_rss_cold_mb']:.0f} MB")
    for i, c in enumerate(r["unchanged"], 1):
        print(f"unchanged cycle {i}: wall {c['wall']:.2f} s, cpu/page {c['cpu_per_page'] * 1000:.3f} ms,"
              f" statuses {c['statuses']}, complete {c['complete']}")
    print(f"unchanged: median wall {statistics.median(walls):.2f} s,"
          f" median cpu/page {statistics.median(per_page):.3f} ms")
    print(f"idle CPU, nothing due ({a.idle_seconds:.0f} s window):"
          f" {r['idle_cpu_per_min']:.4f} CPU-s per minute")
    print(f"peak RSS of the zxfeed process over the unchanged cycles and the idle window:"
          f" {r['peak_rss_mb']:.0f} MB")
    if a.profile and a.yappi:
        print("\n".join((Path(a.profile) / "unchanged-yappi.txt").read_text().splitlines()[:45]))
    elif a.profile:
        print(summarize_profile(Path(a.profile) / "unchanged.txt", top=25))
    if a.json:
        Path(a.json).write_text(json.dumps({"facts": facts, "args": vars(a), "result": r},
                                           ensure_ascii=False, indent=1), encoding="utf-8")
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
