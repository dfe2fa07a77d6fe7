"""Per-page precision, recall and F1 of automatic extraction on the real list corpus (run by hand).

Replays every page of ../shared/corpus/real/lists on 127.0.0.1 (tests/real_lists.py) and
scores (title, URL, day) read as of the page's capture time, and (title, URL) as of now.
Also prints the median extraction time per page (extract_items alone, in process).

    .venv/bin/python bench/extract_real.py [--verbose] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.real_lists import LISTS, score_page, truth
from zxfeed.extract import extract_items


def _ms(spec: dict, repeat: int) -> float:
    body = (LISTS / spec["file"]).read_bytes()
    now = datetime.fromisoformat(spec["captured"])
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        extract_items(body, spec["url"], content_type="text/html", now=now)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verbose", action="store_true", help="list missing and extra items")
    ap.add_argument("--repeat", type=int, default=10, help="timing runs per page")
    a = ap.parse_args(argv)
    if not LISTS.is_dir():
        print(f"no corpus at {LISTS}", file=sys.stderr)
        return 1
    print(f"{'page':22} {'P':>6} {'R':>6} {'F1':>6} | {'P':>6} {'R':>6} {'F1':>6} | {'ms':>7}")
    print(f"{'':22} {'(title, URL, day) at captured':^22} | {'(title, URL) now':^22} |")
    worst = 1.0
    for page_id, spec in truth().items():
        row = []
        for dated in (True, False):
            s = score_page(page_id, spec, dated=dated)
            p, r = s.pr()
            row += [p, r, s.f1()]
            worst = min(worst, s.f1())
            if a.verbose and (s.f1() < 1 or s.future):
                print(("dated " if dated else "undated ") + s.report())
        ms = _ms(spec, a.repeat)
        print(f"{page_id:22} " + " ".join(f"{v:6.3f}" for v in row[:3]) + " | "
              + " ".join(f"{v:6.3f}" for v in row[3:]) + f" | {ms:7.1f}")
    print(f"worst F1 {worst:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
