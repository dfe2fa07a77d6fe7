"""Cost of rendering one 200-entry feed in each format (Atom reusing its previous entries).

Run by hand: ``.venv/bin/python bench/formats.py``; builds a throwaway store of 3,000 items.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zxfeed.models import RawItem
from zxfeed.normalize.items import normalize_item
from zxfeed.publish.publisher import FeedSpec, Publisher
from zxfeed.store import Store

NOW = datetime(2026, 12, 1, tzinfo=UTC)
BODY = "<p>会议指出，过去一年，政协各参加单位和广大委员坚持团结和民主两大主题，紧扣中心大局履职尽责。</p>" * 8


def timed(fn, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "z.db")
        store.sync_sources([("s1", "测试政协", "http://x/")])
        items = []
        for i in range(3000):
            raw = RawItem(title=f"政协第{i}号工作动态：围绕重点课题开展专题调研", url=f"http://zx.example.gov.cn/a/{i}.html",
                          published=NOW - timedelta(minutes=7 * i), summary="会议指出……" * 20, enriched=True)
            raw.content = BODY
            items.append(normalize_item(raw, source_id="s1", source_name="测试政协", regions=("山东省",),
                                        now=NOW))
        store.save_poll("s1", items, NOW)
        pub = Publisher(store, Path(tmp) / "feeds", title="政协动态", base_url="http://127.0.0.1:8080",
                        source_names={"s1": "测试政协"})
        spec = FeedSpec("all.atom", "政协动态")
        sel, related = pub.select(spec)
        entries = pub.entries(sel, related)
        feed = pub.feed_info(spec, entries)
        atom = pub.render_format(".atom", feed, entries)
        print(f"select + entries: {timed(lambda: pub.entries(*pub.select(spec))):.1f} ms")
        print(f"atom, fresh:      {timed(lambda: pub.render_format('.atom', feed, entries)):.1f} ms")
        print(f"atom, reused:     {timed(lambda: pub.render_format('.atom', feed, entries, atom)):.1f} ms")
        print(f"rss:              {timed(lambda: pub.render_format('.rss', feed, entries)):.1f} ms")
        print(f"json:             {timed(lambda: pub.render_format('.json', feed, entries)):.1f} ms")
        idle = timed(lambda: pub.publish(regions=set(), sources=set()))
        print(f"publish (no change, all formats): {idle:.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
