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

from .config import Config, SourceConfig
from .discover import discover
from .enrich import Enricher
from .feedfilter import FeedFilter
from .fetch import Fetcher, FetchError, FetchSettings
from .health import failure_state
from .lock import StoreLock
from .metrics import Metrics
from .notify.notifier import Notifier
from .poll import PollResult, poll_source
from .process import limit_malloc_arenas, pin_to_one_core, unpin
from .publish import Publisher
from .resume import first_runs
from .store import Store, StoreWriteError
from .websub import HubPinger, topic_urls

log = logging.getLogger("zxfeed.schedule")
BACKOFF_CAP = 6 * 3600
DISCOVER_EVERY = 86400  # a discover = true site's list pages are looked for again daily
STOP_GRACE = 5.0  # seconds stop() waits for polls that are parsing or storing


def fetch_settings(cfg: Config) -> FetchSettings:
    """HTTP limits from the ``[fetch]`` table."""
    f = cfg.fetch
    return FetchSettings(user_agent=f.user_agent, connect_timeout=f.connect_timeout,
                         read_timeout=f.read_timeout, max_bytes=f.max_bytes,
                         max_redirects=f.max_redirects, host_delay=f.host_delay,
                         host_concurrency=f.host_concurrency, robots=f.robots,
                         total_timeout=f.total_timeout, slow_after=f.slow_after,
                         slow_slots=max(1, int(f.workers * f.slow_share)),
                         allow_private=f.allow_private, proxy=f.proxy, no_proxy=tuple(f.no_proxy))


def make_publisher(cfg: Config, store: Store) -> Publisher:
    """The feed writer configured by ``[feeds]``."""
    return Publisher(store, cfg.feeds_dir, title=cfg.feeds.title, base_url=cfg.base_url,
                     limit=cfg.feeds.limit, source_names={s.id: s.name for s in cfg.sources},
                     content_modes={s.id: s.content for s in cfg.sources},
                     levels={s.id: s.level for s in cfg.sources},
                     custom=[(c.name, FeedFilter.saved(c)) for c in cfg.feeds.custom],
                     archive_page=cfg.feeds.archive_page, hub=cfg.feeds.hub)


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
        self._running = 0  # polls in flight, waited for (briefly) by stop()
        self._running_lock = threading.Condition()
        self._mail_thread: threading.Thread | None = None
        self._publish_thread: threading.Thread | None = None
        # Parsing and storing need the interpreter, not the network: one poll at a time per
        # core does it, the other threads wait for pages (set again by start() when pinned).
        self._cpu = threading.BoundedSemaphore(len(os.sched_getaffinity(0))
                                               if hasattr(os, "sched_getaffinity") else 2)
        self.metrics = Metrics(self.store)
        self.enricher = Enricher(cfg, self.store, self.fetcher)
        self.pinger = HubPinger(cfg.feeds.hub) if cfg.feeds.hub else None

    def start(self) -> None:
        """Take the lock, publish what is stored, schedule every source and start."""
        self.lock.acquire()
        if self.cfg.schedule.one_core and (core := pin_to_one_core()) is not None:
            limit_malloc_arenas()
            self._cpu = threading.BoundedSemaphore(1)
            log.info("pinned to CPU core %d ([schedule] one_core)", core)
        self.notifier = Notifier(self.cfg, self.store)
        self.notifier.wake = self._mail_due.set
        sources = self.cfg.enabled_sources
        self.store.sync_sources((s.id, s.name, s.url) for s in self.cfg.sources)
        if self.pinger is not None:
            self.pinger.start()
        self._ping(self.publisher.publish())
        self._schedule_sources(sources)
        # Publishing runs on a thread of its own, publish_delay after the previous round
        # ended: an interval job would pile up (and warn) while a big round is running.
        self._publish_thread = threading.Thread(target=self._publish_loop, name="publish",
                                                daemon=True)
        self._publish_thread.start()
        # One mail thread: polls only wake it, so alerts of polls that end together share a
        # round, and mail left pending by a crash or an SMTP outage goes out at start and on a timer.
        self._mail_thread = threading.Thread(target=self._mail_loop, name="mail", daemon=True)
        self._mail_thread.start()
        self._schedule_digests()
        self.scheduler.add_job(self.prune, CronTrigger(hour=3, minute=30, timezone=self.tz),
                               id="retention")
        if self.cfg.fetch.backlog_per_host:
            now = datetime.now(self.tz)
            self.scheduler.add_job(self.read_backlog, IntervalTrigger(
                seconds=self.cfg.fetch.backlog_every, timezone=self.tz), id="backlog",
                next_run_time=now + timedelta(seconds=min(10, self.cfg.fetch.backlog_every)))
        self.scheduler.start()
        log.info("started: %d sources scheduled", len(sources))

    def _schedule_sources(self, sources: list[SourceConfig]) -> None:
        """Add poll (or discover) jobs, each first due where its stored schedule left it."""
        now = datetime.now(self.tz)
        states = {s.id: s for s in self.store.sources(counts=False)}
        polled = [s for s in sources if not s.discover]
        first = first_runs(polled, states, self.cfg.interval, now)
        for src in sources:
            if not src.discover:
                self._schedule_poll(src, first[src.id])
                continue
            # The pages found last time resume where they left off (even while the site is
            # down); the site itself is rediscovered when its stored time comes, not at start.
            st = states.get(src.id)
            again = st.next_poll if st and st.next_poll and st.next_poll > now else now
            pages = {p.id: p for p in self._known_pages(src)}
            self.publisher.source_names.update({p.id: p.name for p in pages.values()})
            for page, when in first_runs(pages.values(), states, self.cfg.interval, now).items():
                self._schedule_poll(pages[page], when)
            self.scheduler.add_job(self.discover, IntervalTrigger(seconds=DISCOVER_EVERY,
                                                                  timezone=self.tz),
                                   args=[src], id=f"discover:{src.id}", next_run_time=again,
                                   replace_existing=True)

    def _schedule_digests(self) -> None:
        # Subscriptions come and go while running (web form, CLI): one job checks which are due.
        now = datetime.now(self.tz)
        self.scheduler.add_job(self.digests, IntervalTrigger(seconds=60, timezone=self.tz),
                               id="digests", next_run_time=now + timedelta(seconds=5),
                               replace_existing=True)

    def reload(self, cfg: Config) -> dict[str, list[str]]:
        """Take a re-read config: added sources scheduled, removed ones stopped, changed updated.

        Subscribers, SMTP and feed settings are taken too; ``[storage]``, ``[server]``,
        ``[fetch]`` and ``[schedule]`` need a restart (logged when they differ).
        """
        old = {s.id: s for s in self.cfg.enabled_sources}
        new = {s.id: s for s in cfg.enabled_sources}
        added = [i for i in new if i not in old]
        removed = [i for i in old if i not in new]
        changed = [i for i in new if i in old and new[i] != old[i]]
        for table in ("storage", "server", "fetch", "schedule"):
            if getattr(cfg, table) != getattr(self.cfg, table):
                log.warning("reload: [%s] changed; it takes effect at the next restart", table)
        with self._scheduler_lock:
            if self._stopping.is_set():
                return {"added": [], "removed": [], "changed": []}
            self.store.sync_sources((s.id, s.name, s.url) for s in cfg.sources)
            gone = set(removed) | {i for i in changed if old[i].discover}
            for sid in changed:
                if new[sid].discover:
                    self.store.set_next_poll(sid, None)  # its new settings: rediscover now
            for job in self.scheduler.get_jobs():
                sid = job.id.partition(":")[2]
                if sid in gone or sid.split("--")[0] in gone:
                    job.remove()
            self.cfg = cfg
            with self._publish_lock:
                derived = {k: v for k, v in self.publisher.source_names.items()
                           if k.split("--")[0] in new and k not in new}
                self.publisher = make_publisher(cfg, self.store)
                self.publisher.source_names.update(derived)
            self.notifier = Notifier(cfg, self.store)  # merges the config's subscribers in
            self.notifier.wake = self._mail_due.set
            now = datetime.now(self.tz)
            for sid in changed:
                job = self.scheduler.get_job(f"poll:{sid}")
                if job is None:
                    continue
                # New settings from the next poll on; a shorter interval brings it forward.
                soonest = now + timedelta(seconds=self.cfg.interval(new[sid]))
                when = min(job.next_run_time, soonest) if job.next_run_time else soonest
                self._schedule_poll(new[sid], when)
            self._schedule_sources([new[i] for i in added]
                                   + [new[i] for i in changed if new[i].discover])
            self._schedule_digests()
        self._mail_due.set()
        log.info("reload: added=%s removed=%s changed=%s", ",".join(added) or "-",
                 ",".join(removed) or "-", ",".join(changed) or "-")
        return {"added": added, "removed": removed, "changed": changed}

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
        now = datetime.now(self.tz)
        try:
            found, _ = discover(src.url, self.fetcher, now)
        except FetchError as exc:
            if exc.kind == "aborted":
                return []  # stopping: tried again at the next start
            self.store.record_failure(src.id, now, exc.kind, str(exc), failure_state(exc))
            log.warning("discover source=%s failed: %s", src.id, exc)
            state = self.store.source(src.id, counts=False)
            delay = backoff_delay(self.cfg.interval(src), state.failures if state else 1,
                                  exc.retry_after)
            self._discovered(src, [], now + timedelta(seconds=min(delay, DISCOVER_EVERY)))
            return []
        chosen = [c for c in found if c.kind == "feed" or c.dated >= 3][:max_sources]
        derived = [src.model_copy(update={
            "id": f"{src.id}--{i}", "url": c.url, "name": f"{src.name} · {c.label}",
            "discover": False, "kind": "feed" if c.kind == "feed" else src.kind,
        }) for i, c in enumerate(chosen, 1)]
        self.store.sync_sources((d.id, d.name, d.url) for d in derived)
        self._discovered(src, derived, now + timedelta(seconds=DISCOVER_EVERY))
        log.info("discover source=%s found=%d polling=%s", src.id, len(found),
                 ",".join(d.url for d in derived))
        return derived

    def _discovered(self, src: SourceConfig, derived: list[SourceConfig], again: datetime) -> None:
        """Schedule a discovery's pages (where their stored schedules left them) and the next one."""
        # Stored, so that a restart neither rediscovers the site nor re-polls its pages at once.
        self.store.set_next_poll(src.id, again)
        self.publisher.source_names.update({d.id: d.name for d in derived})
        states = {s.id: s for s in self.store.sources(counts=False)}
        first = first_runs(derived, states, self.cfg.interval, datetime.now(self.tz))
        with self._scheduler_lock:
            if self._stopping.is_set():
                return
            for d in derived:
                self._schedule_poll(d, first[d.id])
            if derived:  # pages the site no longer lists are no longer polled
                keep = {f"poll:{d.id}" for d in derived}
                for job in self.scheduler.get_jobs():
                    if job.id.startswith(f"poll:{src.id}--") and job.id not in keep:
                        job.remove()
            if (job := self.scheduler.get_job(f"discover:{src.id}")) is not None:
                job.modify(next_run_time=again)

    def _known_pages(self, src: SourceConfig) -> list[SourceConfig]:
        """The pages an earlier discovery of ``src`` found, as the store remembers them."""
        return [src.model_copy(update={"id": sid, "name": name, "url": url, "discover": False})
                for sid, name, url in self.store.pages_of(src.id)]

    def poll(self, src: SourceConfig) -> PollResult | None:
        """One scheduled poll; failures reschedule with backoff, never unschedule."""
        with self._running_lock:
            if self._stopping.is_set():
                return None  # queued before a stop: leave it for the next start
            self._running += 1
        try:
            return self._poll(src)
        finally:
            with self._running_lock:
                self._running -= 1
                self._running_lock.notify_all()

    def _poll(self, src: SourceConfig) -> PollResult | None:
        try:
            result = poll_source(src, self.cfg, self.store, self.fetcher, cpu=self._cpu)
        except StoreWriteError as exc:  # disk full: /healthz and the status page say so
            log.warning("poll source=%s not stored: %s", src.id, exc)
            return None
        if result.status == "aborted":
            return None  # stopped mid-poll: nothing recorded, the source stays due
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

    def digests(self) -> int:
        """Queue the digests now due; the mail thread sends them (and any queued by the CLI)."""
        if self.notifier is None:
            return 0
        queued = sum(self.notifier.digest(sub) is not None for sub in self.notifier.due_digests())
        if queued:
            self._mail_due.set()
        return queued

    def read_backlog(self) -> None:
        """A round of background enrichment; the feeds of what it filled in are republished."""
        if self._stopping.is_set():
            return
        changed = self.enricher.run_round(datetime.now(self.tz), cpu=self._cpu)
        if changed:
            with self._dirty_lock:
                self._dirty_sources.update(it.source_id for it in changed)
                self._dirty_regions.update(r for it in changed for r in it.regions)

    def prune(self) -> int:
        """Daily retention: drop old items, remembering their ids so they never return as new."""
        now = datetime.now(self.tz)
        regions = set(self.store.regions())  # before: a region may lose its last items
        removed = self.store.prune(now - timedelta(days=self.cfg.storage.retention_days), now)
        if removed:
            log.info("retention: pruned %d items older than %d days", removed,
                     self.cfg.storage.retention_days)
            with self._dirty_lock:
                self._dirty_sources.update(s.id for s in self.cfg.sources)
                self._dirty_regions.update(regions)
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
        self._ping(written)

    def _ping(self, written: list) -> None:
        """Tell the WebSub hub (``[feeds] hub``) which feeds changed."""
        if self.pinger is not None and written:
            self.pinger.notify(topic_urls(self.cfg.base_url, self.cfg.feeds_dir, written))

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
        with self._scheduler_lock, self._running_lock:
            self._stopping.set()
        self.fetcher.abort()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + grace
        with self._running_lock:
            while self._running and (left := deadline - time.monotonic()) > 0:
                self._running_lock.wait(left)
            busy = self._running
        if busy:
            log.warning("stop: %d polls still busy after %.0f s; abandoned", busy, grace)
        self._mail_due.set()
        for thread in (self._mail_thread, self._publish_thread):
            if thread is not None:
                thread.join(timeout=max(2.0, deadline - time.monotonic()))
                busy += thread.is_alive()
        self.publish_if_dirty()
        if self.pinger is not None:
            self.pinger.stop()
        self.fetcher.close()
        if not busy:  # a thread still using the store would fail on a closed connection
            self.store.close()
        self.lock.release()
        unpin()
        return not busy
