"""The daemon: the stages wired to one APScheduler clock, a publish loop and a mail loop.

Jobs are rebuilt from the config at every start (APScheduler 3's job stores
cannot be shared and pickle jobs); poll state lives in our own tables.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from ..config.settings import Config, SourceConfig
from ..fetch.client import Fetcher, fetch_settings
from ..notify.notifier import Notifier
from ..poll.source import PollResult, parse_gate
from ..publish.publisher import Publisher
from ..store import Store
from ..web.metrics import Metrics
from .jobs import HOUSEKEEPING, Jobs, backoff_delay
from .lock import StoreLock
from .mailing import MailLoop
from .observer import NO_OBSERVER, DaemonObserver, PollTiming
from .process import limit_malloc_arenas, pin_to_one_core, unpin
from .publishing import FeedPublishing, make_publisher

__all__ = ["Daemon", "DaemonObserver", "PollTiming", "backoff_delay", "fetch_settings",
           "make_publisher"]

log = logging.getLogger("zxfeed.schedule")
STOP_GRACE = 5.0  # seconds stop() waits for polls that are parsing or storing


class Daemon:
    """Wires the stages to a scheduler; ``start``/``stop`` from the CLI's ``run``."""

    def __init__(self, cfg: Config, observer: DaemonObserver = NO_OBSERVER) -> None:
        """``observer`` is told of each poll, publishing round and mail round (see its hooks)."""
        self.cfg = cfg
        self.observer = observer
        self.store = Store.for_config(cfg)
        self.fetcher = Fetcher(fetch_settings(cfg), robots_memory=self.store)
        self.lock = StoreLock(cfg.db_path)
        self.scheduler = BackgroundScheduler(
            timezone=ZoneInfo(cfg.schedule.timezone),
            executors={"default": ThreadPoolExecutor(cfg.fetch.workers),
                       HOUSEKEEPING: ThreadPoolExecutor(3)},
            # Default grace of 1 s silently drops runs when many jobs fall due together.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._stopping = threading.Event()
        # Parsing and storing need the interpreter, not the network: one poll at a time per
        # core does it, the other threads wait for pages (one in all when pinned).
        cpu = parse_gate()
        self.publishing = FeedPublishing(cfg, self.store, observer)
        self.publishing.cpu = cpu
        self.mailing = MailLoop(self._stopping, observer=observer)
        self.jobs = Jobs(cfg, self.store, self.fetcher, self.scheduler, self.publishing,
                         self.mailing, self._stopping, cpu, observer)
        self.tz = self.jobs.tz
        self.metrics: Metrics = self.jobs.metrics

    @property
    def publisher(self) -> Publisher:
        return self.publishing.publisher

    @property
    def notifier(self) -> Notifier | None:
        return self.mailing.notifier

    def start(self) -> None:
        """Take the lock, publish what is stored, schedule every source and start."""
        self.lock.acquire()
        if self.cfg.schedule.one_core and (core := pin_to_one_core()) is not None:
            limit_malloc_arenas()
            self.jobs.cpu = self.publishing.cpu = threading.BoundedSemaphore(1)
            log.info("pinned to CPU core %d ([schedule] one_core)", core)
        self.mailing.configure(self.cfg, self.store)
        sources = self.cfg.enabled_sources
        self.store.sync_sources((s.id, s.name, s.url) for s in self.cfg.sources)
        self.publishing.start(self._stopping)
        self.mailing.start()
        self.jobs.schedule_all(sources)
        self.scheduler.start()
        log.info("started: %d sources scheduled", len(sources))

    def reload(self, cfg: Config) -> dict[str, list[str]]:
        """Take a re-read config: added sources scheduled, removed ones stopped, changed updated.

        Subscribers, SMTP and feed settings are taken too; ``[storage]``, ``[server]``,
        ``[fetch]`` and ``[schedule]`` need a restart (logged when they differ).
        """
        for table in ("storage", "server", "fetch", "schedule"):
            if getattr(cfg, table) != getattr(self.cfg, table):
                log.warning("reload: [%s] changed; it takes effect at the next restart", table)
        with self.jobs.lock:
            if self._stopping.is_set():
                return {"added": [], "removed": [], "changed": []}
            old = {s.id: s for s in self.cfg.enabled_sources}
            self.cfg = cfg
            self.publishing.configure(cfg)
            self.mailing.configure(cfg, self.store)  # merges the config's subscribers in
            done = self.jobs.reschedule(cfg, old)
        self.mailing.wake()
        log.info("reload: added=%s removed=%s changed=%s", ",".join(done["added"]) or "-",
                 ",".join(done["removed"]) or "-", ",".join(done["changed"]) or "-")
        return done

    # The jobs, callable directly (the CLI's one-shot commands, tests).
    def poll(self, src: SourceConfig) -> PollResult | None:
        return self.jobs.poll(src)

    def discover(self, src: SourceConfig, max_sources: int = 5) -> list[SourceConfig]:
        return self.jobs.discover(src, max_sources)

    def next_runs(self) -> dict[str, datetime]:
        return self.jobs.next_runs()

    def digests(self) -> int:
        return self.mailing.digests()

    def read_backlog(self) -> None:
        self.jobs.read_backlog()

    def prune(self) -> int:
        return self.jobs.prune()

    def publish_if_dirty(self) -> None:
        self.publishing.publish_if_dirty()

    def healthy(self) -> bool:
        """Scheduler running, store answering and taking writes."""
        try:
            self.store.item_count()
        except Exception:
            return False
        return self.scheduler.running and self.store.can_write()

    def stop(self, grace: float = STOP_GRACE) -> bool:
        """Abandon polls in flight (their sources stay due), publish, release everything.

        Whatever the sites do, this returns within about ``grace`` seconds plus a publish;
        ``False`` when a poll thread was still busy then (the caller should exit hard).
        """
        # Queued polls return at once; running ones see their requests end and return
        # without recording anything.
        with self.jobs.lock:
            self._stopping.set()
        self.fetcher.abort()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + grace
        busy = self.jobs.wait_idle(deadline)
        if busy:
            log.warning("stop: %d polls still busy after %.0f s; abandoned", busy, grace)
        for loop in (self.mailing, self.publishing):
            busy += loop.join(timeout=max(2.0, deadline - time.monotonic()))
        self.publishing.stop()
        self.fetcher.close()
        if not busy:  # a thread still using the store would fail on a closed connection
            self.store.close()
        self.lock.release()
        unpin()
        return not busy
