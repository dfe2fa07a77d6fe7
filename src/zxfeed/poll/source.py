"""One poll of one source: fetch → extract → normalize → store. Scheduler and CLI call this."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from ..config.settings import Config, SourceConfig
from ..extract import Extraction, ListHint, extract_items
from ..extract.article import parse_article
from ..extract.dates import SHANGHAI
from ..extract.encoding import decode
from ..extract.listing import Selectors
from ..fetch.client import Fetcher, FetchError
from ..fetch.netguard import Reach, reach_for
from ..files import private_dir, write_private
from ..models import ErrorKind, Item, PollStatus, RawItem, SourceStateName
from ..normalize.items import item_id, normalize_item, region_keys
from ..store import SourceState, Store
from .health import failure_state, page_state

log = logging.getLogger("zxfeed.poll")


@dataclass(slots=True)
class PollResult:
    """What one poll did, for logs, the CLI and the scheduler."""

    source_id: str
    status: PollStatus
    state: SourceStateName
    found: int = 0
    new: list[Item] = field(default_factory=list)
    updated: list[Item] = field(default_factory=list)
    error: str | None = None
    retry_after: float | None = None
    seconds: float = 0.0
    fetch_seconds: float | None = None  # the list page's HTTP time alone
    error_kind: ErrorKind | None = None  # why a failed poll failed (``error`` says it in words)

    @property
    def changed(self) -> bool:
        """Whether feeds need regenerating."""
        return bool(self.new or self.updated)


def parse_gate() -> threading.BoundedSemaphore:
    """The ``cpu`` semaphore of :func:`poll_source`: one poll per usable core parses at a time."""
    return threading.BoundedSemaphore(len(os.sched_getaffinity(0))
                                      if hasattr(os, "sched_getaffinity") else 2)


def enrich_items(raw: list[RawItem], fetcher: Fetcher, now: datetime, *, budget: int,
                 store: Store | None = None, robots: bool = True, articles: bool = True,
                 baseline: bool = False, tz: tzinfo = SHANGHAI, reach: Reach | None = None,
                 tls_verify: bool = True) -> None:
    """Visit article pages (bounded, polite, once per item) for full titles and article facts.

    Cut titles come first; then items never enriched (new ones, or older ones a
    budget-limited poll left behind). Known facts are taken from the store, not refetched.
    A source's first poll (its baseline) only completes cut titles: what a page already
    listed is old news, and 20 article pages per site would make a cold start of
    thousands of sites both slow and impolite. ``reach``: the internal addresses article
    requests may connect to — the source's (:func:`~zxfeed.netguard.reach_for`); without
    it each article may reach its own host, which only trusted callers (tests) should rely on.
    """
    known = store.known_facts(item_id(r.url) for r in raw) if store else {}
    for r in raw:
        stored = known.get(item_id(r.url))
        if r.truncated and stored is not None and not stored.truncated:
            r.title, r.truncated = stored.title, False
    wanted = [r for r in raw if r.truncated]
    if articles and not baseline:
        wanted += [r for r in raw if not r.truncated and (
            (stored := known.get(item_id(r.url))) is None
            or not (stored.enriched or stored.baseline))]
    for r in wanted[:budget]:
        if fetcher.aborted:
            return
        try:
            resp = fetcher.get(r.url, robots=robots, reach=reach, tls_verify=tls_verify)
        except FetchError as exc:
            log.debug("article %s: %s", r.url, exc)
            continue  # tried again on a later poll
        article = parse_article(decode(resp.body, resp.content_type).text, r.title, now, r.url, tz)
        if article.title and r.truncated:
            r.title, r.truncated = article.title, False
        precise = article.published
        if precise and (r.published is None or r.date_from_url or (
                not r.has_time and precise.has_time and precise.when.date() == r.published.date())):
            # The article's own time beats a list's bare day (or a date guessed from the URL).
            r.published, r.has_time = precise.when, precise.has_time
            r.date_from_url = False
        r.summary = r.summary or article.summary
        r.author, r.origin = article.author, article.source
        r.original_url, r.attachments, r.body = article.original_url, article.attachments, article.body
        r.content = article.content
        r.enriched = True


def poll_source(src: SourceConfig, cfg: Config, store: Store, fetcher: Fetcher,
                now: datetime | None = None,
                cpu: AbstractContextManager[object] | None = None) -> PollResult:
    """Poll one source and store what it shows; never raises, whatever the site sends.

    ``cpu`` (a semaphore) bounds how many polls parse and store at once, so that a burst
    of changed pages does not have dozens of threads contend for one interpreter.
    Where the source's list stood is kept in the store with its state, so that a changed
    page is read there first instead of searched again (after a restart too). A poll
    that fails in our own code is recorded as that source's error (kind ``internal``,
    with backoff), logged in one line, and the other sources' polls go on.
    """
    started = time.monotonic()
    now = now or datetime.now(SHANGHAI)
    try:
        return _poll(src, cfg, store, fetcher, now, cpu or nullcontext(), started)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"[:300]
        log.warning("poll source=%s failed in zxfeed itself: %s", src.id, message)
        log.debug("poll source=%s traceback", src.id, exc_info=True)
        try:
            store.record_failure(src.id, now, "internal", message, "failing")
        except Exception as again:  # the store itself is failing: the log line must do
            log.warning("poll source=%s: cannot record the failure: %s", src.id, again)
        return PollResult(src.id, "failed", "failing", error=f"internal: {message}",
                          seconds=time.monotonic() - started, error_kind="internal")


def _poll(src: SourceConfig, cfg: Config, store: Store, fetcher: Fetcher, now: datetime,
          cpu: AbstractContextManager[object], started: float) -> PollResult:
    state = store.source(src.id, counts=False)
    policy = reach_for(src, cfg)
    try:
        resp = fetcher.get(src.url, etag=state.etag if state else None,
                           last_modified=state.last_modified if state else None,
                           known_hash=state.body_hash if state else None, robots=src.robots,
                           reach=policy, tls_verify=src.tls_verify)
    except FetchError as exc:
        if exc.kind == "aborted":  # the daemon is stopping: the source stays due
            return PollResult(src.id, "aborted", state.state if state else "new",
                              error=str(exc), seconds=time.monotonic() - started)
        health = failure_state(exc)
        store.record_failure(src.id, now, exc.kind, str(exc), health)
        return PollResult(src.id, "failed", health, error=f"{exc.kind}: {exc}",
                          retry_after=exc.retry_after, seconds=time.monotonic() - started,
                          error_kind=exc.kind)
    if resp.not_modified:
        store.record_unchanged(src.id, now, etag=resp.etag, last_modified=resp.last_modified)
        return PollResult(src.id, "unchanged", state.state if state else "ok",
                          found=state.items_last or 0 if state else 0,
                          seconds=time.monotonic() - started, fetch_seconds=resp.elapsed)
    tz = ZoneInfo(cfg.schedule.timezone)  # the sites' zone: year-less and relative dates
    # A hint holds for the page it was found on, read with the same settings.
    setting = _hint_setting(src, resp.url)
    with cpu:
        extraction = _extract(src, resp.body, resp.url, resp.content_type, now, tz,
                              _stored_hint(state, setting))
    if src.json_fields and src.json_fields.page_param and src.json_fields.pages > 1:
        extraction.items += _more_pages(src, cfg, fetcher, now, {i.url for i in extraction.items}, tz)
    enrich_items(extraction.items, fetcher, now, store=store, robots=src.robots,
                 budget=cfg.fetch.article_fetches, articles=src.fetch_articles,
                 baseline=state is None or state.baseline_at is None, tz=tz, reach=policy,
                 tls_verify=src.tls_verify)
    if fetcher.aborted:
        return PollResult(src.id, "aborted", state.state if state else "new",
                          error="stopping", seconds=time.monotonic() - started)
    with cpu:
        regions = region_keys(src.region, src.city, src.district)
        items, skipped = [], extraction.skipped
        for r in extraction.items:
            try:
                items.append(normalize_item(r, source_id=src.id, source_name=src.name,
                                            regions=regions, now=now))
            except (ValueError, UnicodeError, OverflowError) as exc:
                skipped += 1
                log.debug("%s: entry %r skipped: %s", src.id, r.url[:200], exc)
        verdict = page_state(
            url=resp.url, item_urls=[i.link for i in items],
            recent=state.recent_counts if state else [], replacements=extraction.replacements,
            undated=sum(i.published is None for i in items), body=resp.body, skipped=skipped,
        )
        evidence = None
        if verdict.state in ("broken", "blocked"):
            evidence = save_evidence(cfg.evidence_dir, src.id, resp.body, now, verdict.reason or "",
                                     state)
        saved = store.save_poll(
            src.id, items, now, state=verdict.state, etag=resp.etag,
            last_modified=resp.last_modified,
            # A page that yielded nothing is re-parsed next time, in case the fault was ours.
            body_hash=resp.body_hash if items else None, encoding=extraction.encoding,
            warning=verdict.reason, evidence=evidence,
            list_hint=f"{setting} {extraction.hint.dumps()}" if extraction.hint else None,
        )
    return PollResult(src.id, "ok", verdict.state, found=len(items), new=saved.new,
                      updated=saved.updated, error=verdict.reason,
                      seconds=time.monotonic() - started, fetch_seconds=resp.elapsed)


def _hint_setting(src: SourceConfig, url: str) -> str:
    """What a list hint was found with: the page and the settings that read it."""
    setting = (url, src.kind, src.encoding, repr(src.lists), bool(src.selectors))
    return hashlib.blake2b(repr(setting).encode("utf-8"), digest_size=8).hexdigest()


def _stored_hint(state: SourceState | None, setting: str) -> ListHint | None:
    """The hint kept with the source's state, if it was found with ``setting``."""
    if state is None or not state.list_hint:
        return None
    found_with, _, text = state.list_hint.partition(" ")
    return ListHint.loads(text) if found_with == setting else None


def _extract(src: SourceConfig, body: bytes, url: str, content_type: str | None,
             now: datetime, tz: tzinfo = SHANGHAI, hint: ListHint | None = None) -> Extraction:
    selectors = Selectors(**src.selectors.model_dump()) if src.selectors else None
    fields = None
    if src.json_fields:
        j = src.json_fields
        fields = {"items_path": j.items, "title": j.title, "link": j.link, "date": j.date}
    return extract_items(body, url, content_type=content_type, now=now, kind=src.kind,
                         encoding=src.encoding, selectors=selectors, json_fields=fields,
                         tz=tz, lists=src.lists, hint=hint)


def _more_pages(src: SourceConfig, cfg: Config, fetcher: Fetcher, now: datetime,
                seen: set[str], tz: tzinfo = SHANGHAI) -> list[RawItem]:
    """Pages 2…N of a paged JSON list (bounded; a failing page just ends the walk)."""
    j = src.json_fields
    assert j is not None and j.page_param
    out: list[RawItem] = []
    for number in range(j.first_page + 1, j.first_page + j.pages):
        parts = urlsplit(src.url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != j.page_param]
        url = urlunsplit(parts._replace(query=urlencode([*query, (j.page_param, str(number))])))
        try:
            resp = fetcher.get(url, robots=src.robots, reach=reach_for(src, cfg),
                               tls_verify=src.tls_verify)
        except FetchError as exc:
            log.info("%s: page %d of the list: %s", src.id, number, exc)
            break
        fresh = [i for i in _extract(src, resp.body, resp.url, resp.content_type, now, tz).items
                 if i.url not in seen]
        if not fresh:
            break
        seen.update(i.url for i in fresh)
        out.extend(fresh)
    return out


def save_evidence(directory: Path, source_id: str, body: bytes, now: datetime, reason: str,
                  state: SourceState | None, keep: int = 5) -> dict[str, object]:
    """Keep a copy of the page that broke, beside what the last good poll saw."""
    folder = directory / source_id
    private_dir(folder)
    page = folder / f"{now:%Y%m%dT%H%M%S}.html"
    write_private(page, body)
    for old in sorted(folder.glob("*.html"))[:-keep]:
        old.unlink(missing_ok=True)
    return {
        "reason": reason, "page": str(page), "at": now.isoformat(timespec="seconds"),
        "last_good_items": state.recent_counts[-1] if state and state.recent_counts else None,
        "last_good_at": state.last_success.isoformat() if state and state.last_success else None,
    }
