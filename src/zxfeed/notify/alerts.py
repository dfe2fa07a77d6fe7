"""Instant alerts: new items a subscriber wants, at most one message per ``[notify] alert_every``.

Items wait in the store (``notified = 0``) until alerts for them are queued, in
the same transaction that marks them, so a crash between storing and queueing
loses nothing. A subscriber alerted less than ``alert_every`` ago has its items
kept in ``alert_backlog`` for the next message; the first alert goes at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..config.settings import Config
from ..models import Item
from ..normalize.reprints import story_head
from ..store import MailBatch, Store
from .filters import wants
from .messages import MessageBuilder
from .subscriptions import Subscription, active


def one_per_story(items: list[Item]) -> list[Item]:
    """A reprinted story once: its original when present, else its first copy."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(it.story_id or it.id, []).append(it)
    heads = {id(story_head(group)) for group in groups.values()}
    return [it for it in items if id(it) in heads]


def select_for(batch: MailBatch, sub: Subscription, items: list[Item],
               seen_by: dict[str, set[str]], kind: str) -> list[Item]:
    """What ``sub`` wants of ``items`` and its address has not had (as ``kind``), one copy per story."""
    who = getattr(sub, "address", sub.email)
    chosen = [it for it in items if wants(sub, it, seen_by.get(it.id) or None)]
    done = batch.delivered(who, kind, [it.id for it in chosen])
    told = batch.delivered_stories(who, kind, [it.story_id or it.id for it in chosen])
    return one_per_story([it for it in chosen
                          if it.id not in done and (it.story_id or it.id) not in told])


def queue_alerts(store: Store, cfg: Config, builder: MessageBuilder, now: datetime) -> int:
    """Queue alerts for waiting items and backlogs now due; return how many messages were queued."""
    subs = active(store, ["instant"])
    fresh_after = now - timedelta(seconds=cfg.notify.max_age)
    every = timedelta(seconds=cfg.notify.alert_every)
    queued = 0
    with store.mail_batch() as batch:
        items = batch.unnotified()
        backlog = batch.alert_backlog()
        if not items and not backlog:
            return 0
        ids = [it.id for it in items]
        # Old news seen for the first time (a new column, a deep page) is not news.
        fresh = [it for it in items if it.published is None or it.published >= fresh_after]
        held = batch.items(sorted({i for v in backlog.values() for i in v}))
        seen_by = batch.sources_of([it.id for it in fresh + held])
        by_id = {it.id: it for it in held}
        for sub in subs:
            waiting = [by_id[i] for i in backlog.get(sub.id, []) if i in by_id]
            chosen = select_for(batch, sub, _dedupe(waiting + fresh), seen_by, "alert")
            if not chosen:
                continue
            last = batch.last_alert(sub.address)
            if last is not None and now - last < every:
                batch.hold(sub.id, [it.id for it in chosen])
                continue
            _send(batch, builder, sub, chosen, now)
            queued += 1
        batch.drop_stale_backlogs()
        batch.mark_notified(ids)
    return queued


def _dedupe(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    unique = []
    for it in items:
        if it.id not in seen:
            seen.add(it.id)
            unique.append(it)
    return unique


def _send(batch: MailBatch, builder: MessageBuilder, sub: Subscription, chosen: list[Item],
          now: datetime) -> None:
    mail = builder.alert(sub, chosen, now)
    batch.enqueue(mail, now, [it.id for it in chosen], subscriber=sub.address)
    batch.alerted(sub.id, now)
