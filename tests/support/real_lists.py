"""Replay the real list pages of ../shared/corpus/real/lists and score extraction on them.

Each page is served at the path of its original URL by its own 127.0.0.1 server, with
``Content-Type: text/html`` and no charset (PROVENANCE.md); the served origin is mapped
back to the original one before URLs are compared with ``truth.json``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from support.webserver import TestWeb
from zxfeed.extract import extract_items
from zxfeed.extract.dates import SHANGHAI
from zxfeed.fetch.client import Fetcher, FetchSettings
from zxfeed.models import RawItem
from zxfeed.poll.source import enrich_items

LISTS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real" / "lists"
_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。{3,})$")


def truth() -> dict:
    return json.loads((LISTS / "truth.json").read_text("utf-8"))["pages"]


def title_key(title: str) -> str:
    """Titles compared without spaces or a cut marker (zxfeed drops ``...`` and flags the cut)."""
    return _ELLIPSIS.sub("", re.sub(r"\s+", "", title))


@dataclass
class PageScore:
    page: str
    truth: set = field(default_factory=set)
    got: set = field(default_factory=set)
    future: list[str] = field(default_factory=list)

    def f1(self) -> float:
        hit = len(self.got & self.truth)
        if not hit:
            return 0.0
        p, r = hit / len(self.got), hit / len(self.truth)
        return 2 * p * r / (p + r)

    def pr(self) -> tuple[float, float]:
        hit = len(self.got & self.truth)
        return (hit / len(self.got) if self.got else 0.0, hit / len(self.truth) if self.truth else 0.0)

    def report(self) -> str:
        p, r = self.pr()
        return (f"{self.page}: P={p:.3f} R={r:.3f} F1={self.f1():.3f}\n"
                + "".join(f"  missing {m}\n" for m in sorted(self.truth - self.got, key=str))
                + "".join(f"  extra   {e}\n" for e in sorted(self.got - self.truth, key=str))
                + "".join(f"  future  {u}\n" for u in self.future))


@contextmanager
def replay(page_id: str, spec: dict) -> Iterator[tuple[str, Callable[[str], str]]]:
    """A server holding the page at its original path; yields its URL and the origin mapper."""
    web = TestWeb(root=LISTS / "none")
    try:
        orig = urlsplit(spec["url"])
        web.set(orig.path or "/", (LISTS / spec["file"]).read_bytes(), content_type="text/html")
        origin = f"{orig.scheme}://{orig.netloc}"
        plain = f"http://{orig.netloc}"  # "//host/…" links resolve against the served http scheme

        def back(url: str) -> str:
            for served in (web.base, plain):
                if url == served or url.startswith(served + "/"):
                    return origin + url[len(served):]
            return url

        yield web.base + (orig.path or "/") + (f"?{orig.query}" if orig.query else ""), back
    finally:
        web.close()


def extract_page(page_id: str, spec: dict, now: datetime | None) -> tuple[list[RawItem], Callable]:
    """What ``zxfeed extract`` shows for a replayed page, read as of ``now`` (or the wall clock)."""
    now = now or datetime.now(SHANGHAI)
    with replay(page_id, spec) as (url, back), Fetcher(FetchSettings(host_delay=0)) as fetcher:
        resp = fetcher.get(url)
        result = extract_items(resp.body, resp.url, content_type=resp.content_type, now=now)
        enrich_items(result.items, fetcher, now, budget=50, articles=False)
    return result.items, back


def score_page(page_id: str, spec: dict, *, dated: bool) -> PageScore:
    """(title, URL, day) with ``now`` at the page's capture time, or (title, URL) without."""
    now = datetime.fromisoformat(spec["captured"]) if dated else None
    # A page showing only relative times has no day in its truth: there the day is not compared.
    dated = dated and spec["dated"]
    items, back = extract_page(page_id, spec, now)
    score = PageScore(page_id)
    alts: dict[tuple, tuple] = {}
    for e in spec["items"]:
        key = (title_key(e["title"]), e["url"]) + ((e["day"],) if dated else ())
        score.truth.add(key)
        for alt in [e.get("shown"), *e.get("alt_titles", [])]:
            if alt:
                alts[(title_key(alt), e["url"], *key[2:])] = key
    limit = now or datetime.now(SHANGHAI)
    for it in items:
        day = it.published.astimezone(SHANGHAI).date().isoformat() if it.published else None
        key = (title_key(it.title), back(it.url)) + ((day,) if dated else ())
        score.got.add(alts.get(key, key))
        if it.published is not None and it.published > limit:
            score.future.append(f"{it.published.isoformat()} {it.url}")
    return score
