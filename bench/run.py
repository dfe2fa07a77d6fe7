"""Benchmark zxfeed against a loopback web of simulated 政协 sites (issue 5). Run by hand, never a test.

    .venv/bin/python bench/run.py --quick          # smoke run, about two minutes
    .venv/bin/python bench/run.py --sources 1000   # one size, three runs
    .venv/bin/python bench/run.py                  # N = 1000 and 3000
    .venv/bin/python bench/run.py --profile        # also py-spy profiles of a cold, unchanged, changed cycle

The fake web (``bench/fakeweb.py``) runs in its own process, one loopback
address per site. Every measurement runs in a fresh child process so that CPU
time (``time.process_time()``) and peak RSS (``getrusage``) belong to the
code under test alone:

* ``_zxfeed``: the real daemon (``zxfeed.daemon.Daemon``, watched through its observer: APScheduler jobs,
  the shared ``Fetcher``, the SQLite ``Store``, the ``Publisher``, the
  ``Notifier`` when it exists) on a generated config; a cold cycle, unchanged
  cycles, a cycle after one new item on every site, publish→feed/e-mail
  probes, idle CPU, feed regeneration, title check;
* ``_baseline``: a naive requests + BeautifulSoup(html.parser) poller, sequential
  or on a thread pool, time-boxed and extrapolated;
* ``_seed``: fills a template store with archive items (``--stored-items``).

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import platform
import random
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from fakeweb import REGIONS, FakeWebProcess, control

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PROBE_TIMEOUT = 30.0
MB = 1024 * 1024


def cpu() -> float:
    return time.process_time()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def med(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def write_json(path: str | Path, data: Any) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# =============================================================================================
# _seed: archive items so the store holds as many items as a long-running instance
# =============================================================================================


def seed_archive(store: Any, count: int) -> None:
    """Fill ``store`` with ``count`` old archive items spread over the fake web's places."""
    from zxfeed.extract.dates import SHANGHAI
    from zxfeed.models import RawItem
    from zxfeed.normalize.items import normalize_item, region_keys

    rng = random.Random(7)
    places = [region_keys(p, c, d) for p, cs in REGIONS.items() for c, ds in cs.items() for d in ds]
    now = datetime.now(SHANGHAI)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    batch = []
    for k in range(count):
        day = midnight - timedelta(days=400 + k % 3000)
        raw = RawItem(title=f"政协存档资料第{k}号 关于加强基层协商民主建设的调研报告",
                      url=f"http://archive.zx.example.gov.cn/{k // 1000}/t{day:%Y%m%d}_{k}.html",
                      published=day)
        batch.append(normalize_item(raw, source_id="archive", source_name="政协存档",
                                    regions=rng.choice(places), now=now))
        if len(batch) == 1000:
            store.save_poll("archive", batch, now)
            batch = []
    if batch:
        store.save_poll("archive", batch, now)


def seed_worker(a: argparse.Namespace) -> None:
    from zxfeed.store import Store

    store = Store(a.db)
    seed_archive(store, a.items)
    count = store.item_count()
    store.close()
    write_json(a.out, {"items": count})


# =============================================================================================
# _baseline: requests + BeautifulSoup(html.parser), sequential or on a thread pool
# =============================================================================================


def baseline_worker(a: argparse.Namespace) -> None:
    import requests
    from bs4 import BeautifulSoup

    sites = control(a.fakeweb, "sites")[: a.sources]
    urls = [s["url"] for s in sites]
    day = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
    seen: dict[str, str] = {}
    lock = threading.Lock()

    def poll(url: str) -> int:
        resp = requests.get(url, timeout=(5, 30))
        raw = resp.content
        # Decoded by hand: bs4's own guess fails on GB2312-declared GBK pages (and is slow).
        codec = "gb18030" if b"charset=gb" in raw[:2048].lower() else "utf-8"
        soup = BeautifulSoup(raw.decode(codec, "replace"), "html.parser")
        found = 0
        for li in soup.find_all("li"):
            link, when = li.find("a", href=True), li.find("span")
            if link is None or when is None or not day.match(when.get_text(strip=True)):
                continue
            title = link.get("title") or link.get_text(strip=True)
            key = urljoin(url, link["href"])
            found += 1
            with lock:
                seen.setdefault(key, title)
        return found

    deadline = time.monotonic() + a.seconds
    c0, w0 = cpu(), time.monotonic()
    found: list[int] = []
    if a.threads <= 1:
        for url in urls:
            if time.monotonic() >= deadline:
                break
            found.append(poll(url))
    else:
        from concurrent.futures import ThreadPoolExecutor

        def task(url: str) -> int | None:
            return poll(url) if time.monotonic() < deadline else None

        with ThreadPoolExecutor(a.threads) as pool:
            found = [n for n in pool.map(task, urls) if n is not None]
    wall, used = time.monotonic() - w0, cpu() - c0
    pages = len(found)
    write_json(a.out, {
        "threads": a.threads, "pages": pages, "wall": wall, "cpu": used,
        "cpu_per_page": used / pages if pages else None,
        "cycle_wall": wall * len(urls) / pages if pages else None,
        "complete": pages == len(urls), "items_per_page": statistics.mean(found) if found else 0,
        "peak_rss_mb": peak_rss_mb(),
    })


# =============================================================================================
# _zxfeed: the daemon, instrumented from outside
# =============================================================================================


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_config(work: Path, sites: list[dict[str, Any]], a: argparse.Namespace,
                 smtp_port: int | None) -> Path:
    lines = [
        "# generated by bench/run.py", "[storage]", 'path = "data/zxfeed.db"',
        "[feeds]", 'dir = "data/feeds"', 'title = "政协动态"',
        'base_url = "http://127.0.0.1:8080"',
        "[server]", "enabled = false",
        "[fetch]", f"host_delay = {a.host_delay}", "connect_timeout = 10", "read_timeout = 30",
    ]
    if a.workers:
        lines.append(f"workers = {a.workers}")
    lines += ["[schedule]", 'interval = "7d"', "jitter = 0"]
    if smtp_port:
        lines += ["[smtp]", 'host = "127.0.0.1"', f"port = {smtp_port}",
                  'from = "zxfeed <zxfeed@bench.example.org>"']
        # Every probe times its own alert: no per-subscriber spacing between them.
        lines += ["[notify]", "alert_every = 0"]
    for s in sites:
        lines += ["[[sources]]", f"id = {toml_str(s['id'])}", f"name = {toml_str(s['name'])}",
                  f"url = {toml_str(s['url'])}", f"region = {toml_str(s['region'])}",
                  f"level = {toml_str(s['level'])}"]
        if s.get("city"):
            lines.append(f"city = {toml_str(s['city'])}")
        if s.get("district"):
            lines.append(f"district = {toml_str(s['district'])}")
    if smtp_port:
        lines += ["[[subscribers]]", 'email = "reader@bench.example.org"', 'mode = "instant"']
    path = work / "zxfeed.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Recorder:
    """Per-source poll records of the current cycle, and an event when all expected are done."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.expect: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}
        self.starts: dict[str, float] = {}
        self.done = threading.Event()

    def arm(self, ids: Iterable[str]) -> None:
        with self.lock:
            self.expect = set(ids)
            self.records, self.starts = {}, {}
            self.done.clear()

    def started(self, sid: str, t: float) -> None:
        with self.lock:
            self.starts.setdefault(sid, t)

    def finished(self, sid: str, record: dict[str, Any]) -> None:
        with self.lock:
            self.records[sid] = record
            if self.expect and self.expect <= self.records.keys():
                self.done.set()


class Meter:
    """Calls, wall and thread CPU of instrumented functions, per cycle."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.data: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])

    def reset(self) -> None:
        with self.lock:
            self.data.clear()

    def add(self, name: str, wall: float, cpu: float) -> None:
        with self.lock:
            d = self.data[name]
            d[0] += 1
            d[1] += wall
            d[2] += cpu

    def snapshot(self) -> dict[str, dict[str, float]]:
        with self.lock:
            return {k: {"calls": v[0], "wall": v[1], "cpu": v[2]} for k, v in self.data.items()}


class Spy:
    """py-spy attached to this process for one phase (``--profile``)."""

    def __init__(self, directory: str | None, label: str) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        if not directory:
            return
        exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        self.out = Path(directory) / f"{label}.txt"
        self.proc = subprocess.Popen([exe, "record", "--pid", str(os.getpid()), "--format", "raw",
                                      "--rate", "200", "--nonblocking", "-o", str(self.out)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # let it attach

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


def feed_snapshot(root: Path) -> dict[str, int]:
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".atom"):
                p = os.path.join(dirpath, f)
                with contextlib.suppress(FileNotFoundError):
                    out[p] = os.stat(p).st_mtime_ns
    return out


def code_version() -> str:
    """The zxfeed commit and a hash of the source tree this process imported."""
    import hashlib

    import zxfeed

    src = Path(zxfeed.__file__).resolve().parent
    digest = hashlib.sha256()
    for f in sorted(src.rglob("*.py")):
        digest.update(f.read_bytes())
    commit = subprocess.run(["git", "-C", str(src), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return f"{commit or '?'}/src {digest.hexdigest()[:8]}"


def zx_worker(a: argparse.Namespace) -> None:
    import importlib.util

    from zxfeed.config.settings import load_config
    from zxfeed.daemon import wiring as zsched

    base = a.fakeweb
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, filename=str(work / "zxfeed.log"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

    sites = control(base, "sites")[: a.sources]
    meta = {s["id"]: s for s in sites}
    ids = list(meta)
    n = len(ids)
    has_notify = importlib.util.find_spec("zxfeed.notify") is not None
    alerts = has_notify and not a.no_alerts
    smtp_port = control(base, "stats")["mail"]["port"] if alerts else None
    cfg_path = write_config(work, sites, a, smtp_port)
    if a.seed_db:
        (work / "data").mkdir(exist_ok=True)
        shutil.copyfile(a.seed_db, work / "data" / "zxfeed.db")
    cfg = load_config(cfg_path)
    rec = Recorder()
    meter = Meter()

    class BenchObserver(zsched.DaemonObserver):  # type: ignore[misc, valid-type]
        """Records what the daemon reports through its observer hooks (nothing is patched)."""

        def on_poll_start(self, source_id: str, started: float) -> None:
            rec.started(source_id, started)

        def on_poll_done(self, source_id: str, result: Any, timing: Any) -> None:
            rec.finished(source_id, {
                "start": timing.started, "end": timing.ended, "cpu": timing.cpu,
                "pipeline_cpu": timing.pipeline_cpu,
                "status": getattr(result, "status", "crashed"),
                "new": len(getattr(result, "new", []) or []),
                "updated": len(getattr(result, "updated", []) or []),
                "error": getattr(result, "error", None),
            })

        def on_publish(self, files: int, seconds: float, cpu: float) -> None:
            meter.add("publish", seconds, cpu)

        def on_mail_round(self, seconds: float, cpu: float) -> None:
            meter.add("alerts+smtp", seconds, cpu)

    daemon = zsched.Daemon(cfg, observer=BenchObserver())
    feeds_dir = cfg.feeds_dir
    all_atom = feeds_dir / "all.atom"
    bound = a.cycle_timeout or (120 + 0.3 * n)
    # A first poll may visit up to article_fetches article pages per source, one host at a time.
    cold_bound = a.cycle_timeout or (300 + n * cfg.fetch.article_fetches * (cfg.fetch.host_delay + 0.3)
                                     / max(1, cfg.fetch.workers) * 1.5)
    out: dict[str, Any] = {"sources": n, "alerts": alerts, "notify_stage": has_notify, "code": code_version(),
                           "workers": cfg.fetch.workers, "host_delay": cfg.fetch.host_delay,
                           "cycles": [], "probes": []}

    def flush() -> None:
        daemon.publish_if_dirty()
        daemon.publishing.wait_idle()  # a round the publish thread had started

    def drain_archives() -> dict[str, float]:
        """Let the daemon's budgeted rounds write the archive pages still missing, timed apart.

        The daemon writes them in the background, a fraction of a second a round: left
        running into the next cycle they would count as that cycle's CPU and rewrites.
        """
        pending = getattr(daemon.publishing.publisher, "archive_pending", None)
        c0, w0, rounds = cpu(), time.monotonic(), 0
        while pending is not None and pending() and time.monotonic() - w0 < 1800:
            flush()  # one budgeted archive round when no feed is dirty
            rounds += 1
        return {"wall": time.monotonic() - w0, "cpu": cpu() - c0, "rounds": rounds}

    def category(sid: str, r: dict[str, Any]) -> str:
        m = meta[sid]
        if r["status"] == "unchanged":
            return "unchanged: 304" if (m["etag"] or m["last_modified"]) else "unchanged: same hash"
        if r["status"] == "ok":
            what = "changed: " + ("UTF-8" if m["charset"] == "utf-8" else "GBK")
            return what + (" + article pages" if m["title_mode"] == "cut" else "")
        return r["status"]

    def cycle(label: str, go: Callable[[], None], limit: float = bound) -> dict[str, Any]:
        before = feed_snapshot(feeds_dir)
        fw0 = control(base, "stats")
        meter.reset()
        rec.arm(ids)
        spy = Spy(a.profile_dir, f"{len(out['cycles'])}-{label}")
        c0, w0 = cpu(), time.monotonic()
        go()
        c1, w1 = cpu(), time.monotonic()
        complete = rec.done.wait(limit)
        w_polls = time.monotonic()
        flush()
        c2, w2 = cpu(), time.monotonic()
        spy.stop()
        fw1 = control(base, "stats")
        after = feed_snapshot(feeds_dir)
        archives = drain_archives()
        recs = dict(rec.records)
        cats: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for sid, r in recs.items():
            cats[category(sid, r)].append(r)
        reqs = {k: fw1["requests"].get(k, 0) - fw0["requests"].get(k, 0)
                for k in set(fw1["requests"]) | set(fw0["requests"])}
        errors = Counter(str(r["error"])[:80] for r in recs.values()
                         if r["status"] not in ("ok", "unchanged"))
        return {
            "label": label, "complete": complete, "polled": len(recs),
            "statuses": dict(Counter(r["status"] for r in recs.values())),
            "errors": dict(errors.most_common(5)),
            "new": sum(r["new"] for r in recs.values()),
            "updated": sum(r["updated"] for r in recs.values()),
            "go_wall": w1 - w0, "go_cpu": c1 - c0,
            "wall_polls": w_polls - w1, "wall": w2 - w1, "cpu": c2 - c1,
            "cpu_per_page": (c2 - c1) / max(1, len(recs)),
            "categories": {k: {"n": len(v), "poll_cpu": med(r["cpu"] for r in v),
                               "pipeline_cpu": med(r["pipeline_cpu"] for r in v),
                               "wall": med(r["end"] - r["start"] for r in v)}
                           for k, v in sorted(cats.items())},
            "meter": meter.snapshot(),
            "feeds_rewritten": sum(1 for p, t in after.items() if before.get(p) != t),
            "archive_drain": archives,
            "fakeweb_cpu": fw1["cpu"]["total"] - fw0["cpu"]["total"],
            "fakeweb_lateness_max": fw1["lateness_max"],
            "requests": reqs, "mail": fw1["mail"]["count"] - fw0["mail"]["count"],
        }

    def trigger(which: list[str]) -> Callable[[], None]:
        """Pause the scheduler and make ``which`` due now; the returned ``go`` resumes it."""
        sched = daemon.scheduler
        sched.pause()
        now = datetime.now(daemon.tz)
        for sid in which:
            sched.modify_job(f"poll:{sid}", next_run_time=now)
        return sched.resume

    # What the pages show before the first poll, kept on disk until the title check: held
    # in memory it would count in this process's peak RSS (tens of MB for 3,000 sites).
    truth0_file = work / "truth0.json"
    with urllib.request.urlopen(f"{base}/_ctl/truth?sites=1-{n}", timeout=120) as resp:
        truth0_file.write_bytes(resp.read())
    # -- cold: start() publishes what is stored, schedules every source; the first round runs.
    # start() spreads never-polled sources out (a few per second); the bench wants the whole
    # first round at once, as before, so every source is made due right after start.
    # The background reading of baseline articles (a round a minute) is held off while the
    # cycles are measured: a round that ends inside a cycle would count its CPU and its
    # republished feeds as the polls'. It runs again for the probes and the idle window.
    start_archives: dict[str, float] = {}

    def cold_start() -> None:
        daemon.start()
        if daemon.scheduler.get_job("backlog") is not None:
            daemon.scheduler.pause_job("backlog")
        # The archive pages the start left to its background rounds, before the polls (timed
        # apart; until 2026-12-01 start() wrote them all itself, inside "daemon start").
        daemon.scheduler.pause()
        start_archives.update(drain_archives())
        trigger(ids)()

    cold = cycle("cold", cold_start, cold_bound)
    out["startup"] = {"wall": cold["go_wall"] - start_archives.get("wall", 0.0),
                      "cpu": cold["go_cpu"] - start_archives.get("cpu", 0.0),
                      "archives": start_archives}
    out["cycles"].append(cold)
    out["cycles"].append(cycle("unchanged", trigger(ids)))
    control(base, "publish", sites=f"1-{n}")  # one new item on every site
    out["cycles"].append(cycle("changed", trigger(ids)))
    out["cycles"].append(cycle("unchanged", trigger(ids)))
    if daemon.scheduler.get_job("backlog") is not None:
        daemon.scheduler.resume_job("backlog")

    # -- probes: publish on one site, make its poll due, wait for the feed (and the e-mail)
    rng = random.Random(a.seed)
    for sid in rng.sample(ids, min(a.probes, n)):
        mail_before = control(base, "stats")["mail"]["count"]
        # A title of its own: reprint de-duplication would rightly not mail a story twice.
        item = control(base, "publish", sites=str(meta[sid]["site"]), unique=1)[0]
        t_pub = time.monotonic()
        title = item["title"]
        rec.arm([sid])
        trigger([sid])()
        feed_t = mail_t = None
        last_mtime = 0
        next_mail_check = 0.0
        while time.monotonic() - t_pub < PROBE_TIMEOUT and (feed_t is None or (alerts and mail_t is None)):
            now = time.monotonic()
            if feed_t is None:
                with contextlib.suppress(FileNotFoundError):
                    mtime = all_atom.stat().st_mtime_ns
                    if mtime != last_mtime:
                        last_mtime = mtime
                        if title.encode("utf-8") in all_atom.read_bytes():
                            feed_t = time.monotonic()
            if alerts and mail_t is None and now >= next_mail_check:
                next_mail_check = now + 0.05
                for m in control(base, "mail", since=mail_before):
                    if title in m["text"] or title in m["subject"]:
                        mail_t = m["t"]
                        break
            time.sleep(0.01)
        rec.done.wait(5)
        start = rec.starts.get(sid)
        out["probes"].append({
            "source": sid, "title": title, "poll_start": start,
            "feed_from_poll": feed_t - start if feed_t and start else None,
            "feed_from_publish": feed_t - t_pub if feed_t else None,
            "mail_from_poll": mail_t - start if mail_t and start else None,
            "mail_from_publish": mail_t - t_pub if mail_t else None,
            "poll_wall": (rec.records[sid]["end"] - start) if sid in rec.records and start else None,
            "kind": meta[sid]["title_mode"],
        })

    # -- idle: nothing due; what the scheduler's timers cost
    c0 = cpu()
    time.sleep(a.idle_seconds)
    out["idle_cpu_per_s"] = (cpu() - c0) / a.idle_seconds
    out["peak_rss_mb"] = peak_rss_mb()
    out["stored_items"] = daemon.store.item_count()

    # -- feed regeneration: the merged feed with 200 and 10,000 entries from this store
    regen_dir = work / "regen"
    out["regen"] = {}
    for limit in (200, 10000):
        if out["stored_items"] < limit:
            continue
        pub = zsched.make_publisher(cfg, daemon.store)
        pub.directory, pub.limit = regen_dir, limit
        # Untimed: the fresh folder's archive pages (about 1,000 of the merged feed at 100k items),
        # which the daemon's folder already has; timing them made --quick's single rep the cost
        # of every page, not of the feed.
        pub.publish(regions=set(), sources=set())
        cold_runs, same_runs = [], []
        for _ in range(a.regen_reps):
            with contextlib.suppress(FileNotFoundError):
                (regen_dir / "all.atom").unlink()
            t = time.perf_counter()
            pub.publish(regions=set(), sources=set())
            cold_runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            pub.publish(regions=set(), sources=set())
            same_runs.append(time.perf_counter() - t)
        out["regen"][str(limit)] = {"write": med(cold_runs), "unchanged": med(same_runs),
                                    "bytes": (regen_dir / "all.atom").stat().st_size}

    # -- titles: every item the sites showed, stored with its full title?
    truth = control(base, "truth", sites=f"1-{n}")
    truth0 = json.loads(truth0_file.read_bytes())
    db = sqlite3.connect(f"file:{cfg.db_path}?mode=ro", uri=True)
    stored = dict(db.execute("SELECT link, title FROM items WHERE source_id != 'archive'").fetchall())
    db.close()
    # Expected: the items on the pages at the first poll, and everything published since.
    before = {u for rows in truth0.values() for u, _ in rows}
    shown = {u for rows in truth0.values() for u, _ in rows[:20]}
    expected = [(u, t) for rows in truth.values() for u, t in rows if u in shown or u not in before]
    found = [(u, t) for u, t in expected if u in stored]
    wrong = [(t, stored[u]) for u, t in found if stored[u] != t]
    out["titles"] = {"expected": len(expected), "stored": len(found), "exact": len(found) - len(wrong),
                     "examples": wrong[:5]}
    daemon.stop()
    write_json(a.out, out)


# =============================================================================================
# Orchestrator
# =============================================================================================


def machine_facts() -> dict[str, str]:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kb / MB:.0f} GiB"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
                           capture_output=True, text=True).stdout.strip()
    libs = []
    for lib in ("lxml", "APScheduler", "feedgen", "beautifulsoup4", "requests"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            libs.append(f"{lib} {metadata.version(lib)}")
    return {
        "cpu": f"{model}, {os.cpu_count()} cores, {mem}",
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "libs": ", ".join(libs),
        "zxfeed": f"{commit}" + (f" + uncommitted changes in {len(dirty.splitlines())} src files"
                                 if dirty else ""),
    }


def child(mode: str, out: Path, args: list[str], timeout: float, log: Path) -> dict[str, Any] | None:
    cmd = [sys.executable, str(Path(__file__).resolve()), mode, "--out", str(out), *args]
    with log.open("ab") as fh:
        try:
            proc = subprocess.run(cmd, stdout=fh, stderr=fh, timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            print(f"  {mode}: timed out after {timeout:.0f} s (see {log})", flush=True)
            return None
    if proc.returncode != 0 or not out.exists():
        print(f"  {mode}: failed with exit {proc.returncode} (see {log})", flush=True)
        return None
    return json.loads(out.read_text(encoding="utf-8"))


def fmt_s(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.1f} s"


def fmt_ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 1000:.2f} ms" if v < 0.01 else f"{v * 1000:.1f} ms"


def ratio(zx: float | None, base: float | None) -> str:
    if zx is None or not base:
        return "—"
    r = zx / base
    return f"{r:.3f}×" if r < 0.1 else f"{r:.2f}×"


def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("pass" if ok else "MISS")


def summarize(n: int, zx_runs: list[dict[str, Any]], seq: list[dict[str, Any]],
              thr: list[dict[str, Any]]) -> list[list[str]]:
    """Table rows for one N: metric, zxfeed, naive seq, naive threads, ratios, target, mark."""
    def cyc(label: str, key: str) -> float | None:
        return med(c[key] for r in zx_runs for c in r["cycles"] if c["label"] == label)

    def cat(label: str, name: str, key: str = "pipeline_cpu") -> float | None:
        return med(c["categories"][name][key] for r in zx_runs for c in r["cycles"]
                   if c["label"] == label and name in c["categories"])

    b_cpu = med(r["cpu_per_page"] for r in seq)
    t_cpu = med(r["cpu_per_page"] for r in thr)
    b_wall = med(r["cycle_wall"] for r in seq)
    t_wall = med(r["cycle_wall"] for r in thr)
    b_rss = med(r["peak_rss_mb"] for r in seq)
    t_rss = med(r["peak_rss_mb"] for r in thr)
    scale = n / 1000
    rows: list[list[str]] = []

    def row(metric: str, zx: str, s: str, t: str, rs: str, rt: str, target: str, ok: bool | None) -> None:
        rows.append([metric, str(n), zx, s, t, rs, rt, target, mark(ok)])

    w_un = cyc("unchanged", "wall")
    row("full cycle wall: unchanged (steady state)", fmt_s(w_un), fmt_s(b_wall), fmt_s(t_wall),
        ratio(w_un, b_wall), ratio(w_un, t_wall),
        f"≤ {fmt_s(5 * scale)}" + ("" if n == 1000 else " (5 s per 1000)"),
        None if w_un is None else w_un <= 5 * scale)
    w_ch = cyc("changed", "wall")
    row("full cycle wall: changed (1 new item/site)", fmt_s(w_ch), fmt_s(b_wall), fmt_s(t_wall),
        ratio(w_ch, b_wall), ratio(w_ch, t_wall), "—", None)
    w_co = cyc("cold", "wall")
    row("full cycle wall: cold (first poll, 20 new)", fmt_s(w_co), fmt_s(b_wall), fmt_s(t_wall),
        ratio(w_co, b_wall), ratio(w_co, t_wall), "—", None)
    c_un = cyc("unchanged", "cpu_per_page")
    row("CPU/page: unchanged (304 or same hash)", fmt_ms(c_un), fmt_ms(b_cpu), fmt_ms(t_cpu),
        ratio(c_un, b_cpu), ratio(c_un, t_cpu), "≤ 1.0 ms", None if c_un is None else c_un <= 0.001)
    c_ch = cyc("changed", "cpu_per_page")
    # The whole process (feeds and mail included) when every source changed at once; the
    # issue's "bytes → committed" target is the poll's own row below.
    row("CPU/page: changed (1 new item; feeds, mail included)", fmt_ms(c_ch), fmt_ms(b_cpu),
        fmt_ms(t_cpu), ratio(c_ch, b_cpu), ratio(c_ch, t_cpu), "— (target: bytes → committed)",
        None)
    c_co = cyc("cold", "cpu_per_page")
    row("CPU/page: cold (first poll, 20 new)", fmt_ms(c_co), fmt_ms(b_cpu), fmt_ms(t_cpu),
        ratio(c_co, b_cpu), ratio(c_co, t_cpu), "below baseline", None if c_co is None or b_cpu is None
        else c_co < b_cpu)
    parts = []
    for label, name in (("unchanged", "unchanged: 304"), ("unchanged", "unchanged: same hash"),
                        ("changed", "changed: UTF-8"), ("changed", "changed: GBK"),
                        ("changed", "changed: GBK + article pages"),
                        ("changed", "changed: UTF-8 + article pages")):
        v = cat(label, name)
        if v is not None:
            parts.append(f"{name.split(': ')[1] if label == 'unchanged' else name} {fmt_ms(v)}")
    row("  in poll_source (thread CPU, median): " + "; ".join(parts), "", "", "", "", "", "", None)
    gbk = cat("changed", "changed: GBK")
    row("  changed 40 KB GBK page, bytes → committed", fmt_ms(gbk), "", "", ratio(gbk, b_cpu), "",
        "≤ 20 ms (stretch 5)", None if gbk is None else gbk <= 0.020)
    steady = c_un * n if c_un is not None else None
    row(f"CPU per steady-state cycle ({n} pages)", fmt_s(steady), fmt_s(b_cpu * n if b_cpu else None),
        fmt_s(t_cpu * n if t_cpu else None), ratio(c_un, b_cpu), ratio(c_un, t_cpu),
        "≥ 10× below baseline", None if c_un is None or b_cpu is None else c_un * 10 <= b_cpu)
    idle = med(r["idle_cpu_per_s"] for r in zx_runs)
    share = (c_un * 3000 / 900 + (idle or 0)) if c_un is not None else None
    row("steady state: 3000 sources / 15 min (% of one core)", f"{share * 100:.2f} %" if share is not None
        else "—", f"{b_cpu * 3000 / 9:.1f} %" if b_cpu else "—", "", ratio(share, b_cpu * 3000 / 900
                                                                            if b_cpu else None), "",
        "< 2 %", None if share is None else share < 0.02)
    rss = med(r["peak_rss_mb"] for r in zx_runs)
    items = med(r["stored_items"] for r in zx_runs)
    row(f"peak RSS ({items or 0:,.0f} stored items)", f"{rss:.0f} MB" if rss else "—",
        f"{b_rss:.0f} MB" if b_rss else "—", f"{t_rss:.0f} MB" if t_rss else "—", ratio(rss, b_rss),
        ratio(rss, t_rss), "≤ 150 MB (3000 src, 100k items)", None if rss is None else rss <= 150)
    startup = med(r["startup"]["wall"] for r in zx_runs)
    row("daemon start (publish stored feeds, schedule jobs)", fmt_s(startup), "", "", "", "", "—", None)
    for what, drains in (("the start", [r["startup"].get("archives") for r in zx_runs]),
                         ("the cold cycle", [c.get("archive_drain") for r in zx_runs for c in r["cycles"]
                                             if c["label"] == "cold"])):
        d_wall = med(d.get("wall") for d in drains if d)
        d_cpu = med(d.get("cpu") for d in drains if d)
        if d_wall is not None and d_wall >= 0.05:
            row(f"  archive pages left by {what}: background rounds, wall (CPU {fmt_s(d_cpu)})",
                fmt_s(d_wall), "", "", "", "", "—", None)
    pub_ch = med(c["meter"].get("publish", {}).get("cpu") for r in zx_runs for c in r["cycles"]
                 if c["label"] == "changed")
    rewritten_ch = med(c["feeds_rewritten"] for r in zx_runs for c in r["cycles"] if c["label"] == "changed")
    row(f"  feed publishing in changed cycle: CPU, files rewritten ({rewritten_ch or 0:.0f})",
        fmt_s(pub_ch), "", "", "", "", "—", None)
    for limit in ("200", "10000"):
        v = med(r["regen"].get(limit, {}).get("write") for r in zx_runs)
        same = med(r["regen"].get(limit, {}).get("unchanged") for r in zx_runs)
        row(f"merged feed regeneration, {int(limit):,} entries (unchanged: {fmt_s(same)})", fmt_s(v),
            "n/a", "n/a", "", "", "≤ 50 ms" if limit == "200" else "—",
            None if v is None or limit != "200" else v <= 0.050)
    rewritten = max((c["feeds_rewritten"] for r in zx_runs for c in r["cycles"] if c["label"] == "unchanged"),
                    default=None)
    row("feed files rewritten by an unchanged cycle", str(rewritten), "n/a", "n/a", "", "", "0",
        None if rewritten is None else rewritten == 0)
    probes = [p for r in zx_runs for p in r["probes"]]
    f_poll = med(p["feed_from_poll"] for p in probes)
    f_max = max((p["feed_from_poll"] for p in probes if p["feed_from_poll"] is not None), default=None)
    got = sum(p["feed_from_poll"] is not None for p in probes)
    row(f"publish → item in all.atom, from poll start (median; max {fmt_s(f_max)}; {got}/{len(probes)})",
        fmt_s(f_poll), "", "", "", "", "(≤ 2 s for e-mail)", None)
    if any(r.get("alerts") for r in zx_runs):
        m_poll = med(p["mail_from_poll"] for p in probes)
        m_max = max((p["mail_from_poll"] for p in probes if p["mail_from_poll"] is not None), default=None)
        got = sum(p["mail_from_poll"] is not None for p in probes)
        row(f"publish → alert accepted by SMTP sink, from poll start (max {fmt_s(m_max)}; "
            f"{got}/{len(probes)})", fmt_s(m_poll), "", "", "", "", "≤ 2 s",
            None if m_poll is None or got < len(probes) else (m_max or 0) <= 2.0)
    else:
        row("publish → alert accepted by SMTP sink", "n/a: notify stage not built", "", "", "", "", "≤ 2 s",
            None)
    t = zx_runs[-1]["titles"] if zx_runs else None
    if t:
        row(f"item titles exact (stored {t['stored']}/{t['expected']})",
            f"{t['exact']}/{t['stored']}", "", "", "", "", "all", t["exact"] == t["stored"] == t["expected"])
    fw_share = max((c["fakeweb_cpu"] / c["wall"] for r in zx_runs for c in r["cycles"] if c["wall"] > 0),
                   default=None)
    late = max((c["fakeweb_lateness_max"] for r in zx_runs for c in r["cycles"]), default=None)
    row(f"fake web: max CPU share of one core during a cycle (timer lateness max {fmt_s(late)})",
        f"{fw_share * 100:.0f} %" if fw_share is not None else "—", "", "", "", "", "not the bottleneck",
        None if fw_share is None else fw_share < 0.5)
    bad = sum(c["statuses"].get("failed", 0) + c["statuses"].get("crashed", 0) for r in zx_runs
              for c in r["cycles"])
    incomplete = sum(not c["complete"] for r in zx_runs for c in r["cycles"])
    row("failed polls / incomplete cycles (all runs)", f"{bad} / {incomplete}", "", "", "", "", "0 / 0",
        bad == 0 and incomplete == 0)
    return rows


def print_table(rows: list[list[str]], facts: dict[str, str], setup: str) -> str:
    head = ["metric", "N", "zxfeed", "naive seq", "naive 16 thr", "zx/seq", "zx/thr", "target", ""]
    lines = [f"machine: {facts['cpu']}; {facts['os']}; {facts['python']}",
             f"libs: {facts['libs']}; zxfeed {facts['zxfeed']}", setup, ""]
    body = [head, *rows]
    widths = [max(_width(r[i]) for r in body if not r[0].startswith("  in poll")) for i in range(len(head))]
    widths[0] = max(_width(r[0]) for r in body if not r[0].startswith("  in poll"))

    def fmt(r: list[str]) -> str:
        if r[0].startswith("  in poll"):
            return "| " + r[0] + " |"
        return "| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)) + " |"

    lines.append(fmt(head))
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [fmt(r) for r in rows]
    text = "\n".join(lines)
    print(text, flush=True)
    return text


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def summarize_profile(path: Path, top: int = 18) -> str:
    """Top functions (self and inclusive) from a py-spy raw (collapsed) file."""
    own: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    if not path.exists():
        return f"{path.name}: no profile written"
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        k = int(count)
        total += k
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        frames = [re.sub(r"\(.*?/(site-packages|src|lib/python3\.\d+)/", "(", f) for f in frames]
        own[frames[-1]] += k
        for f in set(frames):
            incl[f] += k
    out = [f"{path.stem}: {total} samples (200 Hz, all threads, idle excluded)", "  self:"]
    out += [f"    {v / total * 100:5.1f} %  {f}" for f, v in own.most_common(top)]
    out.append("  inclusive:")
    boring = ("<module>", "run (threading", "_bootstrap", "_worker (concurrent")
    out += [f"    {v / total * 100:5.1f} %  {f}" for f, v in incl.most_common(top + 12)
            if not f.startswith(boring)][: top + 6]
    return "\n".join(out)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # subprocess.run kills its child, ``finally`` stops the fake web


# Options left unset take these; --quick is a 2-minute smoke run.
QUICK_DEFAULTS = {"runs": 3, "baseline_seconds": 3, "idle_seconds": 1, "probes": 1,
                  "stored_items": 10_500, "regen_reps": 1}
FULL_DEFAULTS = {"runs": 3, "baseline_seconds": 20, "idle_seconds": 10, "probes": 5,
                 "stored_items": 100_000, "regen_reps": 5}


def orchestrate(a: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    sizes = [int(x) for x in (a.sources or ("20" if a.quick else "1000,3000")).split(",")]
    defaults = QUICK_DEFAULTS if a.quick else FULL_DEFAULTS
    for key, value in defaults.items():
        if getattr(a, key) is None or (key != "stored_items" and not getattr(a, key)):
            setattr(a, key, value)
    facts = machine_facts()
    work = Path(tempfile.mkdtemp(prefix="zxfeed-bench-"))
    log = work / "bench.log"
    lo, hi = (float(x) for x in a.latency.split(","))
    hosts = "one" if a.one_host else "many"
    print(f"zxfeed bench: N={sizes}, {a.runs} runs each; work dir {work}", flush=True)
    t_start = time.monotonic()
    fw = FakeWebProcess(max(sizes), seed=a.seed, hosts=hosts, latency=(lo, hi), cut_share=a.cut_share)
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    profiles: list[str] = []
    try:
        fw_cpu0 = fw.control("stats")["cpu"]["total"]
        for n in sizes:
            res = results[n] = {"zx": [], "seq": [], "thr": []}
            seed_db = None
            seed_items = max(0, a.stored_items - 21 * n)
            if seed_items:
                seed_db = work / f"seed-{n}.db"
                print(f"N={n}: seeding {seed_items:,} archive items", flush=True)
                if child("_seed", work / f"seed-{n}.json", ["--db", str(seed_db), "--items", str(seed_items)],
                         1800, log) is None and not seed_db.exists():
                    seed_db = None
            common = ["--fakeweb", fw.base, "--sources", str(n)]
            for run in range(a.runs):
                for threads, key in ((1, "seq"), (16, "thr")):
                    print(f"N={n} run {run + 1}/{a.runs}: naive baseline, {threads} thread(s), "
                          f"{a.baseline_seconds:.0f} s", flush=True)
                    r = child("_baseline", work / f"base-{n}-{key}-{run}.json",
                              [*common, "--threads", str(threads), "--seconds", str(a.baseline_seconds)],
                              a.baseline_seconds + 120, log)
                    if r:
                        res[key].append(r)
                print(f"N={n} run {run + 1}/{a.runs}: zxfeed daemon", flush=True)
                args = [*common, "--workdir", str(work / f"zx-{n}-{run}"), "--host-delay", str(a.host_delay),
                        "--probes", str(a.probes), "--idle-seconds", str(a.idle_seconds),
                        "--regen-reps", str(a.regen_reps), "--seed", str(a.seed + run)]
                if seed_db:
                    args += ["--seed-db", str(seed_db)]
                if a.workers:
                    args += ["--workers", str(a.workers)]
                if a.no_alerts:
                    args.append("--no-alerts")
                r = child("_zxfeed", work / f"zx-{n}-{run}.json", args, 4 * 3600, log)
                if r:
                    res["zx"].append(r)
                    for c in r["cycles"]:
                        print(f"    {c['label']:<9} wall {c['wall']:6.1f} s  "
                              f"cpu/page {c['cpu_per_page'] * 1000:6.2f} ms  statuses {c['statuses']}  "
                              f"mail {c['mail']}  fakeweb cpu {c['fakeweb_cpu']:.1f} s", flush=True)
            if a.profile and n == sizes[0]:
                pn = min(n, a.profile_sources)
                pdir = work / f"profile-{pn}"
                pdir.mkdir(exist_ok=True)
                print(f"profiling one run with N={pn} (py-spy)", flush=True)
                args = ["--fakeweb", fw.base, "--sources", str(pn), "--workdir", str(work / f"zx-prof-{pn}"),
                        "--host-delay", str(a.host_delay), "--probes", "0", "--idle-seconds", "1",
                        "--regen-reps", "1", "--profile-dir", str(pdir)]
                if seed_db:
                    args += ["--seed-db", str(seed_db)]
                if a.no_alerts:
                    args.append("--no-alerts")
                child("_zxfeed", work / "zx-profile.json", args, 3600, log)
                for label in ("0-cold", "1-unchanged", "2-changed"):
                    profiles.append(summarize_profile(pdir / f"{label}.txt"))
        fw_stats = fw.control("stats")
    finally:
        fw.close()
    rows = []
    for n in sizes:
        rows += summarize(n, results[n]["zx"], results[n]["seq"], results[n]["thr"])
    zx_any = next((r for n in sizes for r in results[n]["zx"]), None)
    where = "one loopback address" if hosts == "one" else "one loopback address each"
    subs = "1 instant subscriber" if zx_any and zx_any.get("alerts") else "no subscribers"
    setup = (f"setup: fake web of {max(sizes)} sites on {where}"
             f" (own process), latency {lo * 1000:.0f}–{hi * 1000:.0f} ms, ~40 KB list pages (half UTF-8,"
             " half"
             f" GBK declared gb2312; 1/4 ETag+LM, 1/4 LM, 1/2 none), {a.cut_share:.0%} of sites cut titles"
             f" without title=; zxfeed: Daemon, workers={zx_any['workers'] if zx_any else '?'},"
             f" host_delay={a.host_delay}s, {subs};"
             f" naive: requests + BeautifulSoup(html.parser), {a.baseline_seconds:.0f} s time box,"
             " extrapolated;"
             f" medians of {a.runs} runs; fake web total CPU {fw_stats['cpu']['total'] - fw_cpu0:.0f} s;"
             f" bench wall {time.monotonic() - t_start:.0f} s")
    codes = sorted({r.get("code", "?") for n in sizes for r in results[n]["zx"]})
    if len(codes) > 1:
        setup += f"; WARNING: zxfeed's source changed between runs ({', '.join(codes)})"
    elif codes:
        setup += f"; zxfeed code {codes[0]}"
    print()
    text = print_table(rows, facts, setup)
    if profiles:
        print()
        print("\n\n".join(profiles))
    if a.json:
        write_json(a.json, {"facts": facts, "setup": setup, "table": text, "profiles": profiles,
                            "results": {str(k): v for k, v in results.items()}})
    if a.keep:
        print(f"\nwork dir kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    mode = argv[0] if argv and argv[0].startswith("_") else None
    ap = argparse.ArgumentParser(description="zxfeed benchmark (issues 5, 15); see bench/README.md")
    if mode:
        argv = argv[1:]
        ap.add_argument("--out", required=True)
        ap.add_argument("--fakeweb")
        ap.add_argument("--sources", type=int, default=0)
        ap.add_argument("--db")
        ap.add_argument("--items", type=int, default=0)
        ap.add_argument("--threads", type=int, default=1)
        ap.add_argument("--seconds", type=float, default=20)
        ap.add_argument("--workdir")
        ap.add_argument("--seed-db")
        ap.add_argument("--host-delay", type=float, default=0.25)
        ap.add_argument("--workers", type=int, default=0)
        ap.add_argument("--probes", type=int, default=5)
        ap.add_argument("--idle-seconds", type=float, default=10)
        ap.add_argument("--regen-reps", type=int, default=5)
        ap.add_argument("--seed", type=int, default=1)
        ap.add_argument("--no-alerts", action="store_true")
        ap.add_argument("--profile-dir")
        ap.add_argument("--cycle-timeout", type=float, default=0)
        a = ap.parse_args(argv)
        {"_seed": seed_worker, "_baseline": baseline_worker, "_zxfeed": zx_worker}[mode](a)
        return 0
    ap.add_argument("--sources", help="comma-separated N values (default 1000,3000; --quick: 20)")
    ap.add_argument("--quick", action="store_true", help="smoke run: N=20, short time boxes (~2 min)")
    ap.add_argument("--runs", type=int, default=0, help="runs per N (default 3; medians)")
    ap.add_argument("--baseline-seconds", type=float, default=0, help="time box per naive run (default 20)")
    ap.add_argument("--host-delay", type=float, default=0.25,
                    help="zxfeed [fetch] host_delay in seconds (default 0.25; each site is its own host)")
    ap.add_argument("--workers", type=int, default=0, help="zxfeed [fetch] workers (default: zxfeed's own)")
    ap.add_argument("--latency", default="0.05,0.30", help="fake web latency min,max seconds")
    ap.add_argument("--cut-share", type=float, default=0.05,
                    help="share of sites with cut titles and no title= attribute (article fetches)")
    ap.add_argument("--one-host", action="store_true", help="all sites on 127.0.0.1 (politeness-bound)")
    ap.add_argument("--stored-items", type=int, default=None,
                    help="fill the store with archive items up to this many (default 100000; quick 10500)")
    ap.add_argument("--probes", type=int, default=0, help="publish→feed/e-mail probes per run (default 5)")
    ap.add_argument("--idle-seconds", type=float, default=0, help="idle CPU measurement (default 10 s)")
    ap.add_argument("--regen-reps", type=int, default=0, help="feed regeneration repetitions (default 5)")
    ap.add_argument("--no-alerts", action="store_true", help="no subscriber, no SMTP (feeds only)")
    ap.add_argument("--profile", action="store_true", help="py-spy profiles of one extra run")
    ap.add_argument("--profile-sources", type=int, default=500, help="N for the profiled run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write all results to this JSON file")
    ap.add_argument("--keep", action="store_true", help="keep the work dir (stores, feeds, logs)")
    return orchestrate(ap.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
