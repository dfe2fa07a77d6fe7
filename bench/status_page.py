"""How long the status page takes to render, and how big it is, for N sources (run by hand).

    .venv/bin/python bench/status_page.py --sources 3000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from zxfeed.config.settings import load_config
from zxfeed.store import Store
from zxfeed.web.status import render_status


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sources", type=int, default=3000)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lines = ['[storage]\npath = "zxfeed.db"']
        for i in range(a.sources):
            lines.append(f'[[sources]]\nid = "s{i}"\nname = "第{i}号市政协 · 工作动态"\n'
                         f'url = "http://www{i}.example.gov.cn/gzdt/"\nregion = "省{i % 31}"\n'
                         f'city = "市{i % 300}"')
        cfg_file = Path(tmp) / "zxfeed.toml"
        cfg_file.write_text("\n\n".join(lines) + "\n", "utf-8")
        cfg = load_config(cfg_file)
        store = Store(cfg.db_path)
        store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        for i in range(0, a.sources, 3):  # a third failing, with an error each
            store.record_failure(f"s{i}", now, "timeout", "read timed out after 30 s")
        for query, label in (("", "everything"), ("state=failing", "?state=failing"),
                             ("q=第12", "?q=第12")):
            times = []
            for _ in range(a.runs):
                t = time.perf_counter()
                page = render_status(cfg, store, {}, query)
                times.append(time.perf_counter() - t)
            print(f"{label:<16} {statistics.median(times) * 1000:7.0f} ms  "
                  f"{len(page.encode()) / 1024:7.0f} KiB  (median of {a.runs}, "
                  f"{a.sources} sources)")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
