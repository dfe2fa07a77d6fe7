"""Cost of the full-text step per article page: body detection, bs4 cleaning (two bs4 parsers).

Run by hand: ``.venv/bin/python bench/sanitize.py``. Reads the fixture articles under
tests/web/sites (and the real rmzxb page from ../shared/corpus when present).
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from zxfeed.extract import sanitize  # noqa: E402
from zxfeed.extract.article import parse_article  # noqa: E402
from zxfeed.extract.encoding import decode  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def pages() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "tests/web/sites").rglob("*.htm*")):
        if "list" not in path.stem and path.name != "index.html":
            out.append((decode(path.read_bytes(), None).text, "http://127.0.0.1/" + path.name))
    real = ROOT.parent / "shared/corpus/real/rmzxb_article_2023-02-27_3299508.html"
    if real.exists():
        out.append((decode(real.read_bytes(), None).text, "http://www.rmzxb.com.cn/c/3299508.shtml"))
    return out


def per_page(fn, docs, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text, url in docs:
            fn(text, url)
        times.append((time.perf_counter() - start) / len(docs))
    return statistics.median(times) * 1000


def main() -> None:
    docs = pages()
    print(f"{len(docs)} article pages")
    full = per_page(lambda t, u: parse_article(t, "", NOW, u), docs)
    print(f"parse_article (html.parser in bs4): {full:.2f} ms/page")
    original = sanitize.BeautifulSoup
    with mock.patch.object(sanitize, "BeautifulSoup", lambda text, _p: original(text, "lxml")):
        lx = per_page(lambda t, u: parse_article(t, "", NOW, u), docs)
    print(f"parse_article (lxml in bs4):        {lx:.2f} ms/page")
    with mock.patch.object(sanitize, "clean_html", lambda *a, **k: ""), \
         mock.patch("zxfeed.extract.article.clean_html", lambda *a, **k: ""):
        bare = per_page(lambda t, u: parse_article(t, "", NOW, u), docs)
    print(f"parse_article without cleaning:     {bare:.2f} ms/page")


if __name__ == "__main__":
    main()
