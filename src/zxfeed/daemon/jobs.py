"""The scheduled jobs: one poll (or discover) job per source, digests, backlog, retention."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..config.settings import Config, SourceConfig
from ..fetch.client import Fetcher, FetchError
from ..poll.discover import discover
from ..poll.enrich import Enricher
from ..poll.health import failure_state
from ..poll.resume import first_runs
from ..poll.source import PollResult, poll_source
from ..store import Store, StoreWriteError
from ..web.metrics import Metrics
from .mailing import MailLoop
from .observer import NO_OBSERVER, DaemonObserver, PollTiming
from .publishing import FeedPublishing

log = logging.getLogger("zxfeed.schedule")
BACKOFF_CAP = 6 * 3600
DISCOVER_EVERY = 86400  # a discover = true site's list pages are looked for again daily
# Digests, retention and the backlog run on threads of their own: behind thousands of polls
# queued at once (a cold start) on the workers, a digest would wait for all of them.
HOUSEKEEPING = "housekeeping"


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


class Jobs:
    """What the scheduler runs, and how failures move a source's next run."""

    def __init__(self, cfg: Config, store: Store, fetcher: Fetcher, scheduler: BackgroundScheduler,
                 publishing: FeedPublishing, mailing: MailLoop, stopping: threading.Event,
                 cpu: threading.Semaphore, observer: DaemonObserver = NO_OBSERVER) -> None:
        self.cfg = cfg
        self.tz = ZoneInfo(cfg.schedule.timezone)
        self.store = store
        self.fetcher = fetcher
        self.scheduler = scheduler
        self.publishing = publishing
        self.mailing = mailing
        self.stopping = stopping
        self.cpu = cpu
        self.observer = observer
        self.metrics = Metrics(store)
        self.enricher = Enricher(cfg, store, fetcher)
        # APScheduler's shutdown holds its job-store lock while it waits for running jobs:
        # job changes go through this lock, which stop() takes before shutting down.
        self.lock = threading.Lock()
        self._running = 0  # polls in flight, waited for (briefly) by stop()
        self._running_cond = threading.Condition()

    def schedule_all(self, sources: list[SourceConfig]) -> None:
        """Every source's job, digests, retention and the background reading of backlogs."""
        self.schedule_sources(sources)
        self.schedule_digests()
        self.scheduler.add_job(self.prune, CronTrigger(hour=3, minute=30, timezone=self.tz),
                               id="retention", executor=HOUSEKEEPING)
        if self.cfg.fetch.backlog_per_host:
            now = datetime.now(self.tz)
            self.scheduler.add_job(self.read_backlog, IntervalTrigger(
                seconds=self.cfg.fetch.backlog_every, timezone=self.tz), id="backlog",
                executor=HOUSEKEEPING,
                next_run_time=now + timedelta(seconds=min(10, self.cfg.fetch.backlog_every)))

    def schedule_sources(self, sources: list[SourceConfig]) -> None:
        """Add poll (or discover) jobs, each first due where its stored schedule left it."""
        now = datetime.now(self.tz)
        states = {s.id: s for s in self.store.sources(counts=False)}
        polled = [s for s in sources if not s.discover]
        first = first_runs(polled, states, self.cfg.interval, now)
        for src in sources:
            if not src.discover:
                self.schedule_poll(src, first[src.id])
                continue
            # The pages found last time resume where they left off (even while the site is
            # down); the site itself is rediscovered when its stored time comes, not at start.
            st = states.get(src.id)
            again = st.next_poll if st and st.next_poll and st.next_poll > now else now
            pages = {p.id: p for p in self.known_pages(src)}
            self.publishing.name_pages({p.id: p.name for p in pages.values()})
            for page, when in first_runs(pages.values(), states, self.cfg.interval, now).items():
                self.schedule_poll(pages[page], when)
            self.scheduler.add_job(self.discover, IntervalTrigger(seconds=DISCOVER_EVERY,
                                                                  timezone=self.tz),
                                   args=[src], id=f"discover:{src.id}", next_run_time=again,
                                   replace_existing=True)

    def schedule_digests(self) -> None:
        # Subscriptions come and go while running (web form, CLI): one job checks which are due.
        now = datetime.now(self.tz)
        self.scheduler.add_job(self.mailing.digests, IntervalTrigger(seconds=60, timezone=self.tz),
                               id="digests", next_run_time=now + timedelta(seconds=5),
                               replace_existing=True, executor=HOUSEKEEPING)

    def schedule_poll(self, src: SourceConfig, first: datetime) -> None:
        interval = self.cfg.interval(src)
        self.scheduler.add_job(
            self.poll, IntervalTrigger(seconds=interval, timezone=self.tz,
                                       jitter=min(self.cfg.schedule.jitter, interval / 10)),
            args=[src], id=f"poll:{src.id}", name=f"poll {src.id}", replace_existing=True,
            # Spread the first round a little; the per-host gate does the rest.
            next_run_time=first,
        )

    def reschedule(self, cfg: Config, old: dict[str, SourceConfig]) -> dict[str, list[str]]:
        """Jobs for a reloaded config (called under :attr:`lock`): added, removed, changed."""
        new = {s.id: s for s in cfg.enabled_sources}
        added = [i for i in new if i not in old]
        removed = [i for i in old if i not in new]
        changed = [i for i in new if i in old and new[i] != old[i]]
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
        self.enricher.cfg = cfg
        now = datetime.now(self.tz)
        for sid in changed:
            job = self.scheduler.get_job(f"poll:{sid}")
            if job is None:
                continue
            # New settings from the next poll on; a shorter interval brings it forward.
            soonest = now + timedelta(seconds=self.cfg.interval(new[sid]))
            when = min(job.next_run_time, soonest) if job.next_run_time else soonest
            self.schedule_poll(new[sid], when)
        self.schedule_sources([new[i] for i in added] + [new[i] for i in changed if new[i].discover])
        self.schedule_digests()
        return {"added": added, "removed": removed, "changed": changed}

    def discover(self, src: SourceConfig, max_sources: int = 5) -> list[SourceConfig]:
        """Find a ``discover = true`` site's best list pages and poll each as its own source."""
        now = datetime.now(self.tz)
        if not self.store.claim_source(src.id, now, self.cfg.storage.lease):
            # Another node is discovering this site (or did): poll the pages it stored, and
            # look again when its discovery is due again.
            state = self.store.source(src.id, counts=False)
            due = state.next_poll if state and state.next_poll else None
            again = due if due and due > now else now + timedelta(seconds=self.cfg.storage.lease)
            self._discovered(src, self.known_pages(src), again, store=False)
            return []
        try:
            return self._discover(src, now, max_sources)
        finally:
            state = self.store.source(src.id, counts=False)
            self.store.hold_source(src.id, state.next_poll - timedelta(seconds=1)
                                   if state and state.next_poll else None)

    def _discover(self, src: SourceConfig, now: datetime, max_sources: int) -> list[SourceConfig]:
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

    def _discovered(self, src: SourceConfig, derived: list[SourceConfig], again: datetime, *,
                    store: bool = True) -> None:
        """Schedule a discovery's pages (where their stored schedules left them) and the next one."""
        # Stored, so that a restart neither rediscovers the site nor re-polls its pages at once.
        if store:
            self.store.set_next_poll(src.id, again)
        self.publishing.name_pages({d.id: d.name for d in derived})
        states = {s.id: s for s in self.store.sources(counts=False)}
        first = first_runs(derived, states, self.cfg.interval, datetime.now(self.tz))
        with self.lock:
            if self.stopping.is_set():
                return
            for d in derived:
                self.schedule_poll(d, first[d.id])
            if derived:  # pages the site no longer lists are no longer polled
                keep = {f"poll:{d.id}" for d in derived}
                for job in self.scheduler.get_jobs():
                    if job.id.startswith(f"poll:{src.id}--") and job.id not in keep:
                        job.remove()
            if (job := self.scheduler.get_job(f"discover:{src.id}")) is not None:
                job.modify(next_run_time=again)

    def known_pages(self, src: SourceConfig) -> list[SourceConfig]:
        """The pages an earlier discovery of ``src`` found, as the store remembers them."""
        return [src.model_copy(update={"id": sid, "name": name, "url": url, "discover": False})
                for sid, name, url in self.store.pages_of(src.id)]

    def poll(self, src: SourceConfig) -> PollResult | None:
        """One scheduled poll; failures reschedule with backoff, never unschedule."""
        with self._running_cond:
            if self.stopping.is_set():
                return None  # queued before a stop: leave it for the next start
            self._running += 1
        started, cpu = time.monotonic(), time.thread_time()
        self.observer.on_poll_start(src.id, started)
        result: PollResult | None = None
        pipeline = [0.0]
        try:
            result = self._poll(src, pipeline)
            return result
        finally:
            with self._running_cond:
                self._running -= 1
                self._running_cond.notify_all()
            self.observer.on_poll_done(src.id, result, PollTiming(
                started, time.monotonic(), time.thread_time() - cpu, pipeline[0]))

    def wait_idle(self, until: float) -> int:
        """Wait (to ``time.monotonic() == until``) for polls in flight; how many are still busy."""
        with self._running_cond:
            while self._running and (left := until - time.monotonic()) > 0:
                self._running_cond.wait(left)
            return self._running

    def _poll(self, src: SourceConfig, pipeline: list[float]) -> PollResult | None:
        if not self.store.url:
            return self._polled(src, pipeline)  # SQLite: one node per file, nothing to claim
        return self._claimed_poll(src, pipeline)

    def _claimed_poll(self, src: SourceConfig, pipeline: list[float]) -> PollResult | None:
        """Several nodes on one PostgreSQL: only the node that claims the source polls it."""
        # Every node's timer for a source fires at about the same moment: a node with
        # polls in flight claims a little later, so nodes with idle threads take it first.
        with self._running_cond:
            busy = self._running - 1
        if busy > 0 and self.stopping.wait(min(2.0, 0.05 * busy)):
            return None
        now = datetime.now(self.tz)
        if not self.store.claim_source(src.id, now, self.cfg.storage.lease):
            return None
        hold: datetime | None = None  # until when the claim is kept once the poll is over
        try:
            start = self.store.claim_host(urlsplit(src.url).hostname or "", now,
                                          self.cfg.fetch.host_delay)
            if start > now and self.stopping.wait((start - now).total_seconds()):
                return None
            result = self._polled(src, pipeline)
            if result is not None and result.status != "failed":
                # Held until just before the next run is due: other nodes' timers pass it by.
                hold = now + timedelta(seconds=0.8 * self.cfg.interval(src))
            elif result is not None:
                state = self.store.source(src.id, counts=False)
                next_poll = state.next_poll if state else None
                hold = next_poll - timedelta(seconds=1) if next_poll else None
            return result
        finally:
            self.store.hold_source(src.id, hold)

    def _polled(self, src: SourceConfig, pipeline: list[float]) -> PollResult | None:
        cpu = time.thread_time()
        try:
            result = poll_source(src, self.cfg, self.store, self.fetcher, cpu=self.cpu)
        except StoreWriteError as exc:  # disk full: /healthz and the status page say so
            log.warning("poll source=%s not stored: %s", src.id, exc)
            return None
        finally:
            pipeline[0] = time.thread_time() - cpu
        if result.status == "aborted":
            return None  # stopped mid-poll: nothing recorded, the source stays due
        log_poll(result)
        self.metrics.observe(result)
        if result.new:
            self.mailing.wake()
        if result.changed:
            self.publishing.mark([src.id], (r for it in result.new + result.updated
                                            for r in it.regions))
        if result.status == "failed":
            state = self.store.source(src.id, counts=False)
            delay = backoff_delay(self.cfg.interval(src), state.failures if state else 1,
                                  result.retry_after)
            when = datetime.now(self.tz) + timedelta(seconds=delay)
            with self.lock:
                if not self.stopping.is_set() and (
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

    def read_backlog(self) -> None:
        """A round of background enrichment; the feeds of what it filled in are republished."""
        # Several nodes: one reads the backlog (the others would fetch the same articles).
        if self.stopping.is_set() or not self.store.singleton("backlog"):
            return
        changed = self.enricher.run_round(datetime.now(self.tz), cpu=self.cpu)
        if changed:
            self.publishing.mark((it.source_id for it in changed),
                                 (r for it in changed for r in it.regions))

    def prune(self) -> int:
        """Daily retention: drop old items, remembering their ids so they never return as new."""
        if not self.store.singleton("retention"):
            return 0  # another node prunes the shared store
        now = datetime.now(self.tz)
        regions = set(self.store.regions())  # before: a region may lose its last items
        removed = self.store.prune(now - timedelta(days=self.cfg.storage.retention_days), now)
        if removed:
            log.info("retention: pruned %d items older than %d days", removed,
                     self.cfg.storage.retention_days)
            self.publishing.mark((s.id for s in self.cfg.sources), regions)
        return removed
