"""The daemon's clock: one APScheduler job per source, plus debounced feed publishing.

Jobs are rebuilt from the config at every start (APScheduler 3's job stores
cannot be shared and pickle jobs); poll state lives in our own tables.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .config import Config, SourceConfig, SubscriberConfig
from .discover import discover
from .fetch import Fetcher, FetchError, FetchSettings
from .health import failure_state
from .lock import StoreLock
from .metrics import Metrics
from .notify.notifier import Notifier
from .poll import PollResult, poll_source
from .process import limit_malloc_arenas, pin_to_one_core
from .publish import Publisher
from .store import Store
from .store_errors import StoreWriteError

log = logging.getLogger("zxfeed.schedule")
BACKOFF_CAP = 6 * 3600


def fetch_settings(cfg: Config) -> FetchSettings:
    """HTTP limits from the ``[fetch]`` table."""
    f = cfg.fetch
    return FetchSettings(user_agent=f.user_agent, connect_timeout=f.connect_timeout,
                         read_timeout=f.read_timeout, max_bytes=f.max_bytes,
                         max_redirects=f.max_redirects, host_delay=f.host_delay,
                         host_concurrency=f.host_concurrency, robots=f.robots)


def make_publisher(cfg: Config, store: Store) -> Publisher:
    """The feed writer configured by ``[feeds]``."""
    return Publisher(store, cfg.feeds_dir, title=cfg.feeds.title, base_url=cfg.base_url,
                     limit=cfg.feeds.limit, source_names={s.id: s.name for s in cfg.sources})


def log_poll(result: PollResult) -> None:
    """One line per poll: source, status, duration, items found and new."""
    # Unchanged polls are most polls: at DEBUG, the log tells what happened, not that nothing did.
    level = {"failed": logging.WARNING, "unchanged": logging.DEBUG}.get(result.status, logging.INFO)
    if not log.isEnabledFor(level):
        return
    log.log(level, "poll source=%s status=%s state=%s found=%d new=%d updated=%d seconds=%.2f%s",
            result.source_id, result.status, result.state, result.found, len(result.new),
            len(result.updated), result.seconds, f" error={result.error!r}" if result.error else "")


def backoff_delay(interval: int, failures: int, retry_after: float | None) -> float:
    """Exponential backoff from the interval, capped, never sooner than ``Retry-After``."""
    delay = min(interval * 2 ** max(0, failures - 1), max(BACKOFF_CAP, interval))
    return max(delay, retry_after or 0)


class Daemon:
    """Wires the stages to a scheduler; ``start``/``stop`` from the CLI's ``run``."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.schedule.timezone)
        self.store = Store(cfg.db_path)
        self.fetcher = Fetcher(fetch_settings(cfg))
        self.publisher = make_publisher(cfg, self.store)
        self.scheduler = BackgroundScheduler(
            timezone=self.tz,
            executors={"default": ThreadPoolExecutor(cfg.fetch.workers)},
            # Default grace of 1 s silently drops runs when many jobs fall due together.
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
        )
        self._dirty_regions: set[str] = set()
        self._dirty_sources: set[str] = set()
        self._dirty_lock = threading.Lock()
        self._publish_lock = threading.Lock()
        self.lock = StoreLock(cfg.db_path)
        self.notifier: Notifier | None = None
        self._mail_due = threading.Event()
        self._stopping = threading.Event()
        self._scheduler_lock = threading.Lock()
        self._mail_thread: threading.Thread | None = None
        self._publish_thread: threading.Thread | None = None
        # Parsing and storing need the interpreter, not the network: one poll at a time per
        # core does it, the other threads wait for pages (set again by start() when pinned).
        self._cpu = threading.BoundedSemaphore(len(os.sched_getaffinity(0))
                                               if hasattr(os, "sched_getaffinity") else 2)
        self.metrics = Metrics(self.store)

    def start(self) -> None:
        """Take the lock, publish what is stored, schedule every source and start."""
        self.lock.acquire()
        if self.cfg.schedule.one_core and (core := pin_to_one_core()) is not None:
            limit_malloc_arenas()
            self._cpu = threading.BoundedSemaphore(1)
            log.info("pinned to CPU core %d ([schedule] one_core)", core)
        self.notifier = Notifier(self.cfg, self.store)
        sources = self.cfg.enabled_sources
        self.store.sync_sources((s.id, s.name, s.url) for s in self.cfg.sources)
        self.publisher.publish()
        now = datetime.now(self.tz)
        for i, src in enumerate(sources):
            if src.discover:
                # Its pages are found first (in the background), then each is scheduled.
                self.scheduler.add_job(self.discover, IntervalTrigger(days=1, timezone=self.tz),
                                       args=[src], id=f"discover:{src.id}", next_run_time=now)
                continue
            self._schedule_poll(src, now + timedelta(seconds=(i % 50) * 0.1))
        # Publishing runs on a thread of its own, publish_delay after the previous round
        # ended: an interval job would pile up (and warn) while a big round is running.
        self._publish_thread = threading.Thread(target=self._publish_loop, name="publish",
                                                daemon=True)
        self._publish_thread.start()
        # One mail thread: polls only wake it, so alerts of polls that end together share a
        # round, and mail left pending by a crash or an SMTP outage goes out at start and on a timer.
        self._mail_thread = threading.Thread(target=self._mail_loop, name="mail", daemon=True)
        self._mail_thread.start()
        for i, sub in enumerate(self.cfg.subscribers):
            if sub.mode == "instant":
                continue
            hour, minute = (int(x) for x in sub.time.split(":"))
            trigger = CronTrigger(hour=hour, minute=minute, timezone=self.tz,
                                  day_of_week=sub.weekday if sub.mode == "weekly" else None)
            self.scheduler.add_job(self.digest, trigger, args=[sub], id=f"digest:{i}")
        self.scheduler.add_job(self.prune, CronTrigger(hour=3, minute=30, timezone=self.tz),
                               id="retention")
        self.scheduler.start()
        log.info("started: %d sources scheduled", len(sources))

    def _schedule_poll(self, src: SourceConfig, first: datetime) -> None:
        interval = self.cfg.interval(src)
        self.scheduler.add_job(
            self.poll, IntervalTrigger(seconds=interval, timezone=self.tz,
                                       jitter=min(self.cfg.schedule.jitter, interval / 10)),
            args=[src], id=f"poll:{src.id}", name=f"poll {src.id}", replace_existing=True,
            # Spread the first round a little; the per-host gate does the rest.
            next_run_time=first,
        )

    def discover(self, src: SourceConfig, max_sources: int = 5) -> list[SourceConfig]:
        """Find a ``discover = true`` site's best list pages and poll each as its own source."""
        try:
            found, _ = discover(src.url, self.fetcher, datetime.now(self.tz))
        except FetchError as exc:
            self.store.record_failure(src.id, datetime.now(self.tz), exc.kind, str(exc),
                                      failure_state(exc))
            log.warning("discover source=%s failed: %s", src.id, exc)
            return []
        chosen = [c for c in found if c.kind == "feed" or c.dated >= 3][:max_sources]
        derived = [src.model_copy(update={
            "id": f"{src.id}--{i}", "url": c.url, "name": f"{src.name} · {c.label}",
            "discover": False, "kind": "feed" if c.kind == "feed" else src.kind,
        }) for i, c in enumerate(chosen, 1)]
        self.store.sync_sources((d.id, d.name, d.url) for d in derived)
        self.publisher.source_names.update({d.id: d.name for d in derived})
        now = datetime.now(self.tz)
        with self._scheduler_lock:
            if self._stopping.is_set():
                return derived
            for i, d in enumerate(derived):
                self._schedule_poll(d, now + timedelta(seconds=i * 0.1))
        log.info("discover source=%s found=%d polling=%s", src.id, len(found),
                 ",".join(d.url for d in derived))
        return derived

    def poll(self, src: SourceConfig) -> PollResult | None:
        """One scheduled poll; failures reschedule with backoff, never unschedule."""
        if self._stopping.is_set():
            return None  # queued before a stop: leave it for the next start
        try:
            result = poll_source(src, self.cfg, self.store, self.fetcher, cpu=self._cpu)
        except StoreWriteError as exc:  # disk full: /healthz and the status page say so
            log.warning("poll source=%s not stored: %s", src.id, exc)
            return None
        log_poll(result)
        self.metrics.observe(result)
        if result.new:
            self._mail_due.set()
        if result.changed:
            with self._dirty_lock:
                self._dirty_sources.add(src.id)
                self._dirty_regions.update(r for it in result.new + result.updated
                                           for r in it.regions)
        if result.status == "failed":
            state = self.store.source(src.id, counts=False)
            delay = backoff_delay(self.cfg.interval(src), state.failures if state else 1,
                                  result.retry_after)
            when = datetime.now(self.tz) + timedelta(seconds=delay)
            # APScheduler's shutdown holds its job-store lock while it waits for running jobs:
            # a job touching the scheduler then would deadlock the stop.
            with self._scheduler_lock:
                if not self._stopping.is_set() and (
                        job := self.scheduler.get_job(f"poll:{src.id}")) is not None:
                    job.modify(next_run_time=when)
            self.store.set_next_poll(src.id, when)
        # On success nothing more is written: the next run is the scheduler's to tell.
        return result

    def next_runs(self) -> dict[str, datetime]:
        """Each source's next scheduled poll (for the status page)."""
        return {job.id.removeprefix("poll:"): job.next_run_time
                for job in self.scheduler.get_jobs()
                if job.id.startswith("poll:") and job.next_run_time}

    def _publish_loop(self) -> None:
        delay = max(0.5, self.cfg.feeds.publish_delay)
        wait = delay
        while not self._stopping.wait(wait):
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

    def _mail_loop(self, every: float = 15.0, gather: float = 0.3) -> None:
        self._mail_due.set()
        while not self._stopping.is_set():
            self._mail_due.wait(timeout=every)
            if self._stopping.is_set():
                break
            time.sleep(gather)
            self._mail_due.clear()
            try:
                if self.notifier is not None:
                    self.notifier.run_round()
            except StoreWriteError as exc:
                log.warning("mail round failed: %s", exc)
            except Exception:  # a bad round must not end mail for good; it is retried
                log.exception("mail round failed")

    def digest(self, sub: SubscriberConfig) -> None:
        """A scheduled digest: queue it, then deliver."""
        if self.notifier is not None and self.notifier.digest(sub) is not None:
            self.notifier.deliver()

    def prune(self) -> int:
        """Daily retention: drop old items, remembering their ids so they never return as new."""
        now = datetime.now(self.tz)
        removed = self.store.prune(now - timedelta(days=self.cfg.storage.retention_days), now)
        if removed:
            log.info("retention: pruned %d items older than %d days", removed,
                     self.cfg.storage.retention_days)
            with self._dirty_lock:
                self._dirty_sources.update(s.id for s in self.cfg.sources)
        return removed

    def publish_if_dirty(self) -> None:
        """Regenerate the feeds touched since the last publish."""
        self.store.flush()  # unchanged polls' bookkeeping, a batch every few seconds
        with self._dirty_lock:
            if not self._dirty_sources:
                return
            regions, sources = self._dirty_regions, self._dirty_sources
            self._dirty_regions, self._dirty_sources = set(), set()
        with self._publish_lock:
            written = self.publisher.publish(regions=regions, sources=sources, cpu=self._cpu)
        log.info("published %d feed files", len(written))

    def healthy(self) -> bool:
        """Scheduler running, store answering and taking writes."""
        try:
            self.store.item_count()
        except Exception:
            return False
        return self.scheduler.running and self.store.can_write()

    def stop(self) -> None:
        """Let running polls finish, publish, release everything."""
        # Polls already queued in the executor return at once; running ones finish.
        with self._scheduler_lock:
            self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._mail_due.set()
        for thread in (self._mail_thread, self._publish_thread):
            if thread is not None:
                thread.join(timeout=60)
        self.publish_if_dirty()
        self.fetcher.close()
        self.store.close()
        self.lock.release()
