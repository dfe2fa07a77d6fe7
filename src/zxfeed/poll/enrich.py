"""Background enrichment: article pages of items no poll has read (baselines, budget leftovers).

A source's first poll stores what its page already lists without visiting the
articles (a cold start of thousands of sites would hit each one 20 times at once).
Their text comes later, a few articles per host per round, through the same
per-host gates as the polls: the newest sources' items first, and within a source
the newest items first, so that what readers just subscribed to fills in soonest.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from ..config.settings import Config, SourceConfig
from ..extract.article import parse_article
from ..extract.encoding import decode
from ..fetch.client import Fetcher, FetchError
from ..models import Item
from ..normalize.items import item_id
from ..normalize.reprints import simhash
from ..store import Store

log = logging.getLogger("zxfeed.enrich")
MAX_ATTEMPTS = 3  # an article that keeps failing stops taking its host's turn


class Enricher:
    """Fills in unread articles a few per host per :meth:`run_round`."""

    def __init__(self, cfg: Config, store: Store, fetcher: Fetcher) -> None:
        self.cfg = cfg
        self.store = store
        self.fetcher = fetcher
        self.failures: Counter[str] = Counter()

    def sources(self) -> dict[str, SourceConfig]:
        """Sources whose articles are wanted: they fetch articles and show their text."""
        return {s.id: s for s in self.cfg.sources if s.fetch_articles and s.content != "none"}

    def pending(self, per_host: int) -> list[Item]:
        """The next items to read: at most ``per_host`` per host, newest sources first."""
        wanted = self.sources()
        if not wanted or per_host <= 0:
            return []
        per: Counter[str] = Counter()
        out = []
        for it in self.store.unenriched(list(wanted), per_host * 50 + len(self.failures)):
            host = urlsplit(it.link).hostname or ""
            if self.failures[it.id] >= MAX_ATTEMPTS or per[host] >= per_host:
                continue
            per[host] += 1
            out.append(it)
        return out

    def run_round(self, now: datetime, per_host: int | None = None,
                  cpu: AbstractContextManager[object] | None = None) -> list[Item]:
        """Read the next articles and store what they say; return the items that changed.

        ``cpu`` (the daemon's parsing semaphore) is taken for each parse, as polls do.
        """
        per_host = self.cfg.fetch.backlog_per_host if per_host is None else per_host
        sources = self.sources()
        read = []
        for it in self.pending(per_host):
            src = sources[it.source_id]
            try:
                resp = self.fetcher.get(it.link, robots=src.robots)
            except FetchError as exc:
                self.failures[it.id] += 1
                log.debug("backlog article %s: %s", it.link, exc)
                continue
            with cpu or nullcontext():
                article = parse_article(decode(resp.body, resp.content_type).text, it.title, now,
                                        it.link)
            read.append(replace(
                it, summary=it.summary or article.summary, author=article.author,
                origin=article.source, original_url=article.original_url,
                original_id=item_id(article.original_url) if article.original_url else None,
                attachments=tuple(article.attachments),
                simhash=simhash(article.body) if article.body else None,
                content=article.content, enriched=True))
        changed = self.store.save_articles(read, now) if read else []
        if read:
            log.info("backlog read=%d changed=%d", len(read), len(changed))
        return changed
