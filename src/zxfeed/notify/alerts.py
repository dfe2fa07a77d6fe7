"""Instant alerts: each subscriber gets one message per poll listing the new items it wants.

Items wait in the store (``notified = 0``) until alerts for them are queued, in
the same transaction that marks them, so a crash between storing and queueing
loses nothing: the next round picks them up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from ..config import Config
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
        seen_by: dict[str, set[str]] = defaultdict(set)
        marks = ",".join("?" * len(ids))
        for item_id, source_id in db.execute(
                f"SELECT item_id, source_id FROM item_sources WHERE item_id IN ({marks})", ids):
            seen_by[item_id].add(source_id)
        # Old news seen for the first time (a new column, a deep page) is not news.
        fresh = [it for it in items if it.published is None or it.published >= fresh_after]
        for sub in instant:
            if sub.email in gone:
                continue
            chosen = [it for it in fresh if wants(sub, it, seen_by[it.id] or None)]
            done = outbox.delivered(db, sub.email, "alert", [it.id for it in chosen])
            told = outbox.delivered_stories(db, sub.email, "alert",
                                            [it.story_id or it.id for it in chosen])
            chosen = one_per_story([it for it in chosen if it.id not in done
                                    and (it.story_id or it.id) not in told])
            if chosen:
                outbox.enqueue(db, builder.alert(sub, chosen, now), now, [it.id for it in chosen])
                queued += 1
        db.execute(f"UPDATE items SET notified = 1 WHERE id IN ({marks})", ids)
    return queued
