"""Filtered feeds: ``?q=&region=&source=&level=`` on any feed URL, and saved searches.

The items come from the store (newest first, words matched in title and summary);
rendered feeds are cached per URL until the store changes, with an ETag from their bytes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from ..models import Item
from ..store import Store
from .formats import MEDIA_TYPES

if TYPE_CHECKING:
    from ..config.settings import CustomFeedConfig
    from .publisher import Publisher

KEYS = ("q", "region", "source", "level")
LEVELS = {"national": "全国", "provincial": "省级", "municipal": "市级", "district": "区县级"}


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """What a filtered feed keeps: all words of ``q``, and the regions, sources and level named."""

    q: str = ""
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    level: str | None = None

    @classmethod
    def from_query(cls, query: str) -> FeedFilter | None:
        """The filter in a URL's query string, or ``None`` when it names none."""
        pairs = [(k, v.strip()) for k, v in parse_qsl(query) if k in KEYS and v.strip()]
        if not pairs:
            return None
        got: dict[str, list[str]] = {}
        for k, v in pairs:
            got.setdefault(k, []).append(v)
        level = got["level"][0] if "level" in got else None
        return cls(q=" ".join(got.get("q", [])), regions=tuple(dict.fromkeys(got.get("region", []))),
                   sources=tuple(dict.fromkeys(got.get("source", []))), level=level)

    @classmethod
    def saved(cls, search: CustomFeedConfig) -> FeedFilter:
        """A ``[[feeds.custom]]`` saved search."""
        return cls(q=search.q or "", regions=(search.region,) if search.region else (),
                   sources=(search.source,) if search.source else (), level=search.level)

    def and_(self, other: FeedFilter) -> FeedFilter:
        """Both filters at once (a region feed's URL with ``?q=``)."""
        return FeedFilter(q=" ".join(w for w in (self.q, other.q) if w),
                          regions=tuple(dict.fromkeys(self.regions + other.regions)),
                          sources=tuple(dict.fromkeys(self.sources + other.sources)),
                          level=self.level or other.level)

    def query_string(self) -> str:
        """The canonical query string of this filter (one spelling per filter, for ids and caches)."""
        pairs = [("q", self.q)] if self.q else []
        pairs += [("region", r) for r in self.regions] + [("source", s) for s in self.sources]
        pairs += [("level", self.level)] if self.level else []
        return urlencode(pairs)

    def label(self, source_names: dict[str, str]) -> str:
        """The filter as the feed's title shows it: 关键词“提案” · 山东省 · 市级."""
        parts = [f"关键词“{self.q}”"] if self.q else []
        parts += list(self.regions) + [source_names.get(s, s) for s in self.sources]
        parts += [LEVELS.get(self.level, self.level)] if self.level else []
        return " · ".join(parts)

    def select(self, store: Store, levels: dict[str, str | None], limit: int) -> list[Item]:
        """The newest ``limit`` stored items this filter keeps."""
        allowed = _allowed_sources(self.sources, self.level, levels)
        if allowed is not None and not allowed:
            return []
        return store.filtered_items(self.regions, allowed, self.q.split(), limit)


def _allowed_sources(sources: Iterable[str], level: str | None,
                     levels: dict[str, str | None]) -> set[str] | None:
    """Source ids a filter admits (``None``: any source)."""
    allowed: set[str] | None = set(sources) or None
    if level:
        at_level = {sid for sid, lv in levels.items() if lv == level}
        allowed = at_level if allowed is None else allowed & at_level
    return allowed


class FilteredFeeds:
    """Renders filtered feeds for the HTTP side, cached until the store changes."""

    def __init__(self, publisher: Publisher, size: int = 64) -> None:
        self.publisher = publisher
        self.size = size
        self._cache: OrderedDict[tuple[str, str], tuple[str, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, rel: str, query: str) -> tuple[bytes, str, str] | None:
        """``(bytes, etag, media type)`` of ``/feeds/<rel>?<query>``; ``None`` when no such feed."""
        stem, dot, ext = rel.rpartition(".")
        suffix = dot + ext
        wanted = FeedFilter.from_query(query)
        spec = self.publisher.spec_for(stem) if suffix in MEDIA_TYPES else None
        if spec is None or wanted is None:
            return None
        spec = self.publisher.filtered_spec(spec, wanted)
        key = (spec.variant(suffix), spec.filter.query_string() if spec.filter else "")
        stamp = self.publisher.store.fingerprint()
        with self._lock:
            hit = self._cache.get(key)
            if hit and hit[0] == stamp:
                self._cache.move_to_end(key)
                return hit[1], hit[2], MEDIA_TYPES[suffix]
        data = self.publisher.render_spec(spec)[suffix]
        etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
        with self._lock:
            self._cache[key] = (stamp, data, etag)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return data, etag, MEDIA_TYPES[suffix]
