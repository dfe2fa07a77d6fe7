"""Publishing cost on a big store (issue 15): a start, a burst of new items, the merged feed.

Run by hand, never a test (figures depend on the machine)::

    .venv/bin/python bench/publish.py                      # 100,000 items, 1,000 sources, 20 new each
    .venv/bin/python bench/publish.py --items 20000 --sources 200
    .venv/bin/python bench/publish.py --profile burst      # cProfile (thread CPU) of one phase

The seeded store is kept (``--db``, default in the temp dir) and copied for each run, so that
the second invocation starts at once. Every figure is thread CPU (``time.thread_time``) of the
publishing thread, next to its wall time; the publisher is the daemon's (``make_publisher`` on a
generated config: 100 entries per archive page, 200 per feed), with the daemon's archive
budget (``ARCHIVE_SECONDS`` of CPU per round) unless ``--unbudgeted``.

Phases:

* ``start``: every feed of the store into an empty folder, as ``zxfeed run`` does at start:
  the round itself, then the archive rounds until no page is missing (when the publisher
  budgets them);
* ``burst``: ``--new`` new items on each of ``--sources`` sources (20,000 by default), then one
  publishing round of the feeds they touched, then the archive rounds;
* ``merged``: the merged feed alone, 200 entries, as ``bench/run.py`` times it: file deleted
  before each write ("write"), then again with the same bytes ("unchanged"); in the
  folder of the start (archive pages written) and in a fresh folder (``fresh``: its first
  publish writes every archive page, unless budgeted).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fakeweb import REGIONS  # noqa: E402

from zxfeed.config.settings import load_config  # noqa: E402
from zxfeed.daemon import publishing  # noqa: E402
from zxfeed.daemon.publishing import make_publisher  # noqa: E402
from zxfeed.extract.dates import SHANGHAI  # noqa: E402
from zxfeed.models import RawItem  # noqa: E402
from zxfeed.normalize.items import normalize_item, region_keys  # noqa: E402
from zxfeed.store import Store  # noqa: E402

BODY = "<p>会议指出，政协各参加单位和广大委员坚持团结和民主两大主题，紧扣中心大局履职尽责。</p>" * 6


def places() -> list[tuple[str, str, str]]:
    return [(p, c, d) for p, cs in REGIONS.items() for c, ds in cs.items() for d in ds]


def write_config(work: Path, sources: int) -> Path:
    lines = ["[storage]", 'path = "zxfeed.db"', "[feeds]", 'dir = "feeds"', 'title = "政协动态"',
             'base_url = "http://127.0.0.1:8080"', "[server]", "enabled = false"]
    spots = places()
    for i in range(sources):
        p, c, d = spots[i % len(spots)]
        lines += ["[[sources]]", f'id = "s{i:04d}"', f'name = "{d}政协{i}"',
                  f'url = "http://127.0.{i // 250}.{i % 250 + 1}/s{i:04d}/list.html"',
                  f'region = "{p}"', f'city = "{c}"', f'district = "{d}"', 'level = "district"']
    path = work / "zxfeed.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed(db: Path, count: int) -> None:
    """``count`` archive items, as ``bench/run.py`` seeds its store (same titles and places)."""
    sys.argv[1:] = []
    from run import seed_archive

    store = Store(db)
    seed_archive(store, count)
    store.close()


def burst_items(sources: int, new: int, now: datetime) -> dict[str, list[Any]]:
    """``new`` new items (with bodies) for each source: a cold cycle's worth."""
    spots = places()
    out: dict[str, list[Any]] = {}
    for i in range(sources):
        p, c, d = spots[i % len(spots)]
        sid = f"s{i:04d}"
        batch = []
        for k in range(new):
            raw = RawItem(title=f"{d}政协召开第{k}次专题协商会 围绕重点课题建言献策",
                          url=f"http://127.0.{i // 250}.{i % 250 + 1}/{sid}/202612/t20261201_{k}.html",
                          published=now - timedelta(minutes=k * 13 + i % 7), summary="会议指出……" * 10,
                          enriched=True)
            raw.content = BODY
            batch.append(normalize_item(raw, source_id=sid, source_name=f"{d}政协{i}",
                                        regions=region_keys(p, c, d), now=now))
        out[sid] = batch
    return out


def timed(fn: Callable[[], Any], profile: str | None = None) -> tuple[float, float, Any]:
    """(thread CPU s, wall s, result) of one call; with ``profile``, a cProfile in thread CPU."""
    prof = cProfile.Profile(time.thread_time) if profile else None
    c0, w0 = time.thread_time(), time.perf_counter()
    if prof:
        prof.enable()
    result = fn()
    if prof:
        prof.disable()
    cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
    if prof:
        print(f"--- profile of {profile} (thread CPU) ---")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    return cpu, wall, result


def archive_rounds(pub: Any, profile: str | None) -> tuple[float, float, int, int]:
    """Archive rounds until none is pending: (CPU, wall, rounds, pages)."""
    step = getattr(pub, "archive_step", None)
    if step is None:
        return 0.0, 0.0, 0, 0
    cpu = wall = 0.0
    rounds = pages = 0
    while pub.archive_pending():
        c, w, written = timed(step, profile if rounds == 0 else None)
        cpu, wall, rounds = cpu + c, wall + w, rounds + 1
        pages += sum(1 for p in written if "archive" in p.parts)
    return cpu, wall, rounds, pages


def count_pages(folder: Path) -> int:
    return sum(1 for _ in (folder / "archive").rglob("*.atom")) if (folder / "archive").exists() else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=100_000, help="archive items seeded (default 100,000)")
    ap.add_argument("--sources", type=int, default=1000)
    ap.add_argument("--new", type=int, default=20, help="new items per source in the burst")
    ap.add_argument("--reps", type=int, default=7, help="repetitions of the merged-feed figures")
    ap.add_argument("--db", help="seeded store to reuse (made when missing)")
    ap.add_argument("--profile", choices=("start", "burst", "merged", "archive"), help="cProfile one phase")
    ap.add_argument("--unbudgeted", action="store_true", help="every archive page in the round "
                    "(as zxfeed publish does), not the daemon's budgeted rounds")
    ap.add_argument("--skip-start", action="store_true", help="no start phase (the burst then "
                    "publishes into an empty folder)")
    a = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="zxfeed-publish-"))
    db = Path(a.db) if a.db else Path(tempfile.gettempdir()) / f"zxfeed-publish-seed-{a.items}.db"
    if not db.exists():
        t = time.perf_counter()
        seed(db, a.items)
        print(f"seeded {a.items:,} items into {db} in {time.perf_counter() - t:.0f} s")
    shutil.copyfile(db, work / "zxfeed.db")
    cfg = load_config(write_config(work, a.sources))
    store = Store(cfg.db_path)
    store.sync_sources([(s.id, s.name, s.url) for s in cfg.sources])
    pub = make_publisher(cfg, store)
    budget = getattr(publishing, "ARCHIVE_SECONDS", None)  # the daemon's archive budget, when it has one
    if budget is not None and not a.unbudgeted:
        pub.archive_seconds = budget
    load = os.getloadavg()
    shown = getattr(pub, "archive_seconds", None)
    print(f"store {store.item_count():,} items, {a.sources} sources; archive budget "
          f"{'none' if shown is None else f'{shown} s CPU a round'}; load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; work dir {work}")

    def line(label: str, cpu: float, wall: float, extra: str = "") -> None:
        print(f"{label:<52} {cpu * 1000:>10.1f} ms CPU {wall * 1000:>10.1f} ms wall  {extra}")

    if not a.skip_start:
        cpu, wall, written = timed(pub.publish, "start" if a.profile == "start" else None)
        line("start: publishing round (every feed)", cpu, wall, f"{len(written)} files")
        c2, w2, rounds, pages = archive_rounds(pub, "archive" if a.profile == "archive" else None)
        if rounds:
            line(f"start: archive rounds ({rounds})", c2, w2, f"{pages} pages")
        print(f"  archive pages on disk: {count_pages(cfg.feeds_dir)}")

    now = datetime.now(SHANGHAI).replace(microsecond=0)
    batches = burst_items(a.sources, a.new, now)
    for sid, batch in batches.items():
        store.save_poll(sid, batch, now)
    regions = {r for b in batches.values() for it in b for r in it.regions}
    before = count_pages(cfg.feeds_dir)
    cpu, wall, written = timed(lambda: pub.publish(regions=regions, sources=set(batches)),
                               "burst" if a.profile == "burst" else None)
    line(f"burst: {a.new * a.sources:,} new items, publishing round", cpu, wall,
         f"{len(written)} files, {sum(1 for p in written if 'archive' in p.parts)} archive pages")
    c2, w2, rounds, pages = archive_rounds(pub, "archive" if a.profile == "archive" else None)
    if rounds:
        line(f"burst: archive rounds ({rounds})", c2, w2, f"{pages} pages")
    print(f"  archive pages written by the burst: {count_pages(cfg.feeds_dir) - before}")

    for label, folder in (("merged", cfg.feeds_dir), ("merged, fresh folder", work / "regen")):
        if folder != cfg.feeds_dir:
            # As bench/run.py times it: the publisher of zxfeed publish, every page at once.
            pub = make_publisher(cfg, store)
            pub.directory = folder
        first: tuple[float, float] | None = None
        writes, sames = [], []
        for rep in range(a.reps):
            with contextlib.suppress(FileNotFoundError):
                (folder / "all.atom").unlink()
            prof = "merged" if a.profile == "merged" and rep == 1 and folder == cfg.feeds_dir else None
            c, w, _ = timed(partial(pub.publish, regions=set(), sources=set()), prof)
            if rep == 0:
                first = (c, w)
            else:
                writes.append((c, w))
            c, w, _ = timed(partial(pub.publish, regions=set(), sources=set()))
            sames.append((c, w))
        assert first is not None
        line(f"{label}: first write", *first)
        if writes:
            line(f"{label}: write (median of {len(writes)})", statistics.median(c for c, _ in writes),
                 statistics.median(w for _, w in writes))
        line(f"{label}: unchanged (median of {len(sames)})", statistics.median(c for c, _ in sames),
             statistics.median(w for _, w in sames))
    store.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
