"""Instant alerts: each subscriber gets one message per poll listing the new items it wants.

Items wait in the store (``notified = 0``) until alerts for them are queued, in
the same transaction that marks them, so a crash between storing and queueing
loses nothing: the next round picks them up.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import datetime, timedelta

from ..config import Config, SubscriberConfig
from ..models import Item
from ..reprints import story_head
from ..store import Store
from . import outbox
from .filters import wants
from .messages import MessageBuilder


def one_per_story(items: list[Item]) -> list[Item]:
    """A reprinted story once: its original when present, else its first copy."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        groups.setdefault(it.story_id or it.id, []).append(it)
    heads = {id(story_head(group)) for group in groups.values()}
    return [it for it in items if id(it) in heads]


def sources_of(db: sqlite3.Connection, ids: list[str]) -> dict[str, set[str]]:
    """Every source that listed each item (a subscriber's source filter matches any of them)."""
    seen_by: dict[str, set[str]] = defaultdict(set)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for item_id, source_id in db.execute(
                f"SELECT item_id, source_id FROM item_sources WHERE item_id IN ({marks})", chunk):
            seen_by[item_id].add(source_id)
    return seen_by


def select_for(db: sqlite3.Connection, sub: SubscriberConfig, items: list[Item],
               seen_by: dict[str, set[str]], kind: str) -> list[Item]:
    """What ``sub`` wants of ``items`` and has not had (as ``kind``), one copy per story."""
    chosen = [it for it in items if wants(sub, it, seen_by.get(it.id) or None)]
    done = outbox.delivered(db, sub.email, kind, [it.id for it in chosen])
    told = outbox.delivered_stories(db, sub.email, kind, [it.story_id or it.id for it in chosen])
    return one_per_story([it for it in chosen
                          if it.id not in done and (it.story_id or it.id) not in told])


def unsubscribed(store: Store) -> set[str]:
    """Addresses that used their unsubscribe link."""
    rows = store.query("SELECT email FROM subscribers WHERE unsubscribed_at IS NOT NULL")
    return {r[0] for r in rows}


def queue_alerts(store: Store, cfg: Config, builder: MessageBuilder, now: datetime) -> int:
    """Queue alerts for every waiting item; return how many messages were queued."""
    instant = [s for s in cfg.subscribers if s.mode == "instant"]
    gone = unsubscribed(store)
    fresh_after = now - timedelta(seconds=cfg.notify.max_age)
    queued = 0
    with store.transaction() as db:
        items = [Store.item_from_row(r) for r in db.execute(
            "SELECT * FROM items WHERE notified = 0 ORDER BY sort_time DESC LIMIT 5000")]
        if not items:
            return 0
        ids = [it.id for it in items]
        marks = ",".join("?" * len(ids))
        seen_by = sources_of(db, ids)
        # Old news seen for the first time (a new column, a deep page) is not news.
        fresh = [it for it in items if it.published is None or it.published >= fresh_after]
        for sub in instant:
            if sub.email in gone:
                continue
            chosen = select_for(db, sub, fresh, seen_by, "alert")
            if chosen:
                outbox.enqueue(db, builder.alert(sub, chosen, now), now, [it.id for it in chosen])
                queued += 1
        db.execute(f"UPDATE items SET notified = 1 WHERE id IN ({marks})", ids)
    return queued
