"""The publish loop: feeds of the sources and regions that changed, rewritten after a short delay."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .. import __version__
from ..config.settings import Config
from ..publish.feedfilter import FeedFilter
from ..publish.formats.atom import ENTRY_FORMAT
from ..publish.publisher import Publisher
from ..publish.websub import HubPinger, topic_urls
from ..store import Store, StoreWriteError
from .observer import NO_OBSERVER, DaemonObserver

log = logging.getLogger("zxfeed.schedule")
SHARED_WINDOW = 300.0  # seconds back that other nodes' changes are looked for (late commits, clocks)
# Thread CPU a round spends on missing archive pages: a burst or a first start on a big store
# fills hundreds, which must not hold the current feeds (nor the polls waiting for the round).
ARCHIVE_SECONDS = 0.3


def make_publisher(cfg: Config, store: Store) -> Publisher:
    """The feed writer configured by ``[feeds]``."""
    return Publisher(store, cfg.feeds_dir, title=cfg.feeds.title, base_url=cfg.base_url,
                     limit=cfg.feeds.limit, source_names={s.id: s.name for s in cfg.sources},
                     content_modes={s.id: s.content for s in cfg.sources},
                     levels={s.id: s.level for s in cfg.sources},
                     custom=[(c.name, FeedFilter.saved(c)) for c in cfg.feeds.custom],
                     archive_page=cfg.feeds.archive_page, hub=cfg.feeds.hub)


# Meta key: the feed settings of the last one-shot poll that published all it stored.
FEEDS_PUBLISHED = "feeds:published"


def feed_settings(cfg: Config) -> str:
    """A digest of what feeds show besides items: when it changes, every feed is rewritten."""
    parts = (__version__, ENTRY_FORMAT, cfg.feeds.model_dump(mode="json"), cfg.base_url,
             sorted((s.id, s.name, s.content, s.level) for s in cfg.sources))
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


class FeedPublishing:
    """Owns the publisher: polls mark what changed, one thread publishes it in rounds."""

    def __init__(self, cfg: Config, store: Store, observer: DaemonObserver = NO_OBSERVER) -> None:
        self.cfg = cfg
        self.store = store
        self.observer = observer
        self.publisher = make_publisher(cfg, store)
        self.publisher.archive_seconds = ARCHIVE_SECONDS
        self.pinger = HubPinger(cfg.feeds.hub) if cfg.feeds.hub else None
        self.cpu: threading.Semaphore | None = None
        self._regions: set[str] = set()
        self._sources: set[str] = set()
        self._dirty_lock = threading.Lock()
        self._lock = threading.Lock()  # one round at a time; reload swaps the publisher under it
        self._derived: dict[str, str] = {}  # names of pages found by discovery, kept across reloads
        self._thread: threading.Thread | None = None
        self._seen: set[tuple[str, str]] = set()  # (item, updated) already marked from the store

    def mark(self, sources: Iterable[str], regions: Iterable[str]) -> None:
        """Note feeds to rewrite in the next round."""
        with self._dirty_lock:
            self._sources.update(sources)
            self._regions.update(regions)

    def name_pages(self, names: dict[str, str]) -> None:
        """Titles for the feeds of pages a discovery found (they are not in the config)."""
        with self._lock:
            self._derived.update(names)
            self.publisher.source_names.update(names)

    def configure(self, cfg: Config) -> None:
        """A reloaded config: a new publisher, discovered pages of kept sources still named."""
        keep = {s.id for s in cfg.enabled_sources}
        with self._lock:
            self.cfg = cfg
            self._derived = {k: v for k, v in self._derived.items()
                             if k.split("--")[0] in keep and k not in keep}
            pending = self.publisher.archives.pending
            self.publisher = make_publisher(cfg, self.store)
            self.publisher.archive_seconds = ARCHIVE_SECONDS
            self.publisher.archives.pending.update(pending)  # still missing, whatever changed
            self.publisher.source_names.update(self._derived)

    def publish_all(self) -> None:
        """Every feed, from what is stored (at start)."""
        with self._lock:
            written = self._timed(lambda: self.publisher.publish())
        self._ping(written)

    def shared_changes(self) -> None:
        """On PostgreSQL: mark the feeds of items any node stored or repaired since the last look.

        Items are found by their ``updated`` time from a while back (commits of other nodes
        arrive late, clocks differ a little); those already seen are skipped.
        """
        if not self.store.url:
            return
        now = datetime.now(UTC)
        rows = self.store.changed_since(now - timedelta(seconds=SHARED_WINDOW))
        fresh = [r for r in rows if (r[0], r[1]) not in self._seen]
        self._seen = {(r[0], r[1]) for r in rows}
        if fresh:
            self.mark((s for r in fresh for s in r[2]), (g for r in fresh for g in r[3]))

    def publish_if_dirty(self) -> None:
        """Regenerate the feeds touched since the last round."""
        self.store.flush()  # unchanged polls' bookkeeping, a batch every few seconds
        self.shared_changes()
        with self._dirty_lock:
            regions, sources = self._regions, self._sources
            if sources:
                self._regions, self._sources = set(), set()
        if not sources:
            if self.publisher.archive_pending():  # pages left over by earlier rounds
                with self._lock:
                    written = self._timed(lambda: self.publisher.archive_step(cpu=self.cpu))
                log.info("wrote %d archive pages and feed files", len(written))
                self._ping(written)
            return
        with self._lock:
            written = self._timed(lambda: self.publisher.publish(regions=regions, sources=sources,
                                                                 cpu=self.cpu))
        log.info("published %d feed files", len(written))
        self._ping(written)

    def wait_idle(self) -> None:
        """Return once no publishing round is running (one may have started just before)."""
        with self._lock:
            pass

    def _timed(self, publish: Callable[[], list[Path]]) -> list[Path]:
        started, cpu = time.monotonic(), time.thread_time()
        written = publish()
        self.observer.on_publish(len(written), time.monotonic() - started, time.thread_time() - cpu)
        return written

    def start(self, stopping: threading.Event) -> None:
        """The hub pinger and the publish thread."""
        if self.pinger is not None:
            self.pinger.start()
        self.publish_all()
        # Each round starts publish_delay after the previous one ended: an interval job
        # would pile up (and warn) while a big round is running.
        self._thread = threading.Thread(target=self._loop, args=(stopping,), name="publish",
                                        daemon=True)
        self._thread.start()

    def join(self, timeout: float) -> bool:
        """Wait for the publish thread; ``True`` when it is still running."""
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            return self._thread.is_alive()
        return False

    def stop(self) -> None:
        """A last round, then the pinger."""
        self.publish_if_dirty()
        if self.pinger is not None:
            self.pinger.stop()

    def _loop(self, stopping: threading.Event) -> None:
        delay = max(0.5, self.cfg.feeds.publish_delay)
        wait = delay
        while not stopping.wait(wait):
            started = time.monotonic()
            try:
                self.publish_if_dirty()
            except StoreWriteError as exc:
                log.warning("publishing feeds failed: %s", exc)
            except Exception:  # a failed round (disk full …) is retried on the next one
                log.exception("publishing feeds failed")
            # In a burst (thousands of sources changing at once) rounds get long: keep
            # publishing to about a fifth of the time, so that polling keeps its pace.
            wait = max(delay, 4 * (time.monotonic() - started))

    def _ping(self, written: list[Path]) -> None:
        """Tell the WebSub hub (``[feeds] hub``) which feeds changed."""
        if self.pinger is not None and written:
            self.pinger.notify(topic_urls(self.cfg.base_url, self.cfg.feeds_dir, written))
