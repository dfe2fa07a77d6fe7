"""Benchmark: 3 ``zxfeed run`` nodes on one PostgreSQL next to one SQLite node (issue 14). Run by hand.

Both setups poll the same N sites of bench/fakeweb.py (one loopback host per site),
one after the other on this machine: first the SQLite node, then the nodes on a
PostgreSQL server started for the run (initdb + pg_ctl in a temporary folder, as
the tests do). For each setup: the wall time of the first cycle (every source
polled once: all new), of the second (every source polled once more after that:
unchanged pages), the CPU of the zxfeed processes and of the PostgreSQL server per
poll in each cycle, and the polls per second overall.

    python bench/nodes.py --sites 3000 --nodes 3 --interval 120

Prints a Markdown table (and writes it with ``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from fakeweb import FakeWebProcess  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children_of(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_config(folder: Path, sites: list[dict[str, Any]], interval: int, url: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[storage]", 'path = "data/zxfeed.db"']
    if url:
        lines += [f"url = {toml_str(url)}", "lease = 120"]
    lines += ["[feeds]", 'dir = "data/feeds"', 'title = "政协动态"', 'base_url = "http://127.0.0.1:8080"',
              "[server]", "enabled = false",
              "[fetch]", "host_delay = 1", "connect_timeout = 10", "read_timeout = 30",
              "[schedule]", f"interval = {interval}", "jitter = 0"]
    for s in sites:
        lines += ["[[sources]]", f"id = {toml_str(s['id'])}", f"name = {toml_str(s['name'])}",
                  f"url = {toml_str(s['url'])}", f"region = {toml_str(s['region'])}"]
    path = folder / "zxfeed.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def polls_sqlite(db: Path) -> dict[str, int]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return dict(con.execute("SELECT id, polls FROM sources").fetchall())
        finally:
            con.close()
    except sqlite3.Error:
        return {}


def polls_postgres(url: str) -> dict[str, int]:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as con:
            return dict(con.execute("SELECT id, polls FROM sources").fetchall())
    except psycopg.Error:
        return {}


def run_setup(label: str, configs: list[Path], read_polls: Any, n: int, pg_pid: int | None,
              limit: float) -> dict[str, Any]:
    """Start the nodes, time two full cycles, stop them; CPU measured from the first poll on."""
    env = {k: v for k, v in os.environ.items() if k != "ZXFEED_CONFIG"}
    procs = [subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--log-level", "WARNING", "--config",
                               str(c), "run"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(c.parent / "zxfeed.log", "w"))  # noqa: SIM115
             for c in configs]

    def cpu_now() -> tuple[float, float]:
        zx = sum(proc_cpu(p.pid) for p in procs)
        pg = 0.0
        if pg_pid:
            pg = proc_cpu(pg_pid) + sum(proc_cpu(c) for c in children_of(pg_pid))
        return zx, pg

    start = time.monotonic()
    marks: dict[int, tuple[float, float, float]] = {}
    marks_polls: dict[int, int] = {}
    cpu0: tuple[float, float] | None = None
    start_polls = start
    base: dict[str, int] = {}  # polls of each source when the previous cycle was complete
    polls: dict[str, int] = {}
    try:
        while time.monotonic() - start < limit and len(marks) < 2:
            time.sleep(1.0)
            polls = read_polls()
            if cpu0 is None and polls and max(polls.values()) >= 1:
                cpu0 = cpu_now()
                start_polls = time.monotonic()
            # A cycle is complete when every source was polled once more since the last one was.
            k = len(marks) + 1
            if len(polls) == n and all(polls[s] >= base.get(s, 0) + 1 for s in polls):
                marks[k] = (time.monotonic(), *cpu_now())
                marks_polls[k] = sum(polls.values())
                base = dict(polls)
                print(f"{label}: cycle {k} done after {marks[k][0] - start:.0f} s", flush=True)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
    out: dict[str, Any] = {"label": label, "nodes": len(configs), "sources": n}
    if cpu0 is None or 1 not in marks:
        out["error"] = f"no full cycle within {limit:.0f} s (polled: {sum(1 for x in polls.values() if x)})"
        return out
    t1, zx1, pg1 = marks[1]
    # CPU per page: over the polls made in the cycle (some sources are polled twice in a
    # cycle that lasts longer than the interval).
    p1 = marks_polls[1]
    out["cycle1_wall"] = t1 - start_polls
    out["cycle1_polls"] = p1
    out["cycle1_zx_cpu_ms_per_page"] = 1000 * (zx1 - cpu0[0]) / p1
    out["cycle1_pg_cpu_ms_per_page"] = 1000 * (pg1 - cpu0[1]) / p1
    if 2 in marks:
        t2, zx2, pg2 = marks[2]
        p2 = marks_polls[2] - p1
        out["cycle2_wall"] = t2 - t1
        out["cycle2_polls"] = p2
        out["cycle2_zx_cpu_ms_per_page"] = 1000 * (zx2 - zx1) / p2
        out["cycle2_pg_cpu_ms_per_page"] = 1000 * (pg2 - pg1) / p2
    out["polls_per_second"] = marks_polls[max(marks)] / (marks[max(marks)][0] - start_polls)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=3000)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--interval", type=int, default=120, help="poll interval (s); a cycle lasts about this")
    ap.add_argument("--limit", type=float, default=900.0, help="give up on a setup after this many seconds")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--setups", default="sqlite,postgresql", help="which setups to run (comma-separated)")
    a = ap.parse_args(argv)

    from support.pgserver import SharedServer, find_bindir

    work = Path(tempfile.mkdtemp(prefix="zxfeed-nodes-"))
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL binaries not found (apt-get install postgresql)", file=sys.stderr)
        return 1
    results = []
    with FakeWebProcess(a.sites, hosts="many") as fw:
        sites = fw.control("sites")[: a.sites]
        cfg = write_config(work / "sqlite", sites, a.interval, None)
        if "sqlite" in a.setups:
            results.append(run_setup("SQLite, 1 node", [cfg],
                                     lambda: polls_sqlite(cfg.parent / "data/zxfeed.db"),
                                     len(sites), None, a.limit))
        if "postgresql" in a.setups:
            shared = SharedServer(work, bindir)
            server = shared.acquire()
            try:
                server.admin("CREATE DATABASE bench")
                url = server.url("bench")
                pg_pid = int((server.datadir / "postmaster.pid").read_text().split()[0])
                cfgs = [write_config(work / f"pg{k}", sites, a.interval, url) for k in range(a.nodes)]
                results.append(run_setup(f"PostgreSQL, {a.nodes} nodes", cfgs,
                                         lambda: polls_postgres(url), len(sites), pg_pid, a.limit))
            finally:
                shared.release()
    facts = (f"{a.sites} sites (bench/fakeweb.py, one loopback host each, latency 50-300 ms), "
             f"interval {a.interval} s, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    head = ("| setup | cycle 1 wall (new) | cycle 2 wall (unchanged) | zxfeed CPU/page c1 | c2 "
            "| PostgreSQL CPU/page c1 | c2 | polls/s |")
    rows = [head, "|" + "---|" * 8]
    for r in results:
        if "error" in r:
            rows.append(f"| {r['label']} | {r['error']} |||||||")
            continue
        rows.append(
            f"| {r['label']} | {r['cycle1_wall']:.0f} s | "
            f"{r.get('cycle2_wall', float('nan')):.0f} s | {r['cycle1_zx_cpu_ms_per_page']:.1f} ms | "
            f"{r.get('cycle2_zx_cpu_ms_per_page', float('nan')):.1f} ms | "
            f"{r['cycle1_pg_cpu_ms_per_page']:.1f} ms | "
            f"{r.get('cycle2_pg_cpu_ms_per_page', float('nan')):.1f} ms | "
            f"{r['polls_per_second']:.1f} |")
    table = facts + "\n\n" + "\n".join(rows) + "\n"
    print(table)
    print(json.dumps(results, indent=1))
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(table + "\n```json\n" + json.dumps(results, indent=1) + "\n```\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
