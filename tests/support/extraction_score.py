"""Score extraction against the fixture truth: precision and recall on (title, URL, day)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from zxfeed.extract import extract_items
from zxfeed.extract.dates import SHANGHAI
from zxfeed.fetch.client import Fetcher, FetchSettings
from zxfeed.poll.source import enrich_items

TRUTH = Path(__file__).parent.parent / "web" / "truth"


def _key(title: str, url: str, day: str | None) -> tuple[str, str, str | None]:
    return re.sub(r"\s+", "", title), url, day


@dataclass
class Score:
    site: str
    truth: set = field(default_factory=set)
    got: set = field(default_factory=set)
    not_items_found: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return len(self.got & self.truth) / len(self.got) if self.got else 0.0

    @property
    def recall(self) -> float:
        return len(self.got & self.truth) / len(self.truth) if self.truth else 0.0

    def report(self) -> str:
        missing = sorted(self.truth - self.got, key=str)
        extra = sorted(self.got - self.truth, key=str)
        return (f"{self.site}: P={self.precision:.3f} R={self.recall:.3f} "
                f"({len(self.got & self.truth)}/{len(self.got)} got, {len(self.truth)} truth)\n"
                + "".join(f"  missing {m}\n" for m in missing)
                + "".join(f"  extra   {e}\n" for e in extra)
                + "".join(f"  noise   {n}\n" for n in self.not_items_found))


def sites() -> list[str]:
    return sorted(p.stem for p in TRUTH.glob("*.json"))


def score_site(site: str, base: str) -> Score:
    truth = json.loads((TRUTH / f"{site}.json").read_text("utf-8"))
    now = datetime.fromisoformat(truth["now"]).replace(hour=12, tzinfo=SHANGHAI)
    score = Score(site)
    absolute = lambda u: u if u.startswith("http") else base + u  # noqa: E731
    with Fetcher(FetchSettings(host_delay=0)) as fetcher:
        for page, expected in truth["pages"].items():
            for e in expected:
                score.truth.add(_key(e["title"], absolute(e["url"]), e["date"]))
            resp = fetcher.get(base + page)
            result = extract_items(resp.body, resp.url, content_type=resp.content_type, now=now)
            enrich_items(result.items, fetcher, now, budget=200, articles=False)
            for it in result.items:
                day = it.published.astimezone(SHANGHAI).date().isoformat() if it.published else None
                score.got.add(_key(it.title, it.url, day))
                if any(it.url == absolute(n) for n in truth.get("not_items", [])):
                    score.not_items_found.append(it.url)
    return score
