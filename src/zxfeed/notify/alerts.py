"""Instant alerts: new items a subscriber wants, at most one message per ``[notify] alert_every``.

Items wait in the store (``notified = 0``) until alerts for them are queued, in
the same transaction that marks them, so a crash between storing and queueing
loses nothing. A subscriber alerted less than ``alert_every`` ago has its items
kept in ``alert_backlog`` for the next message; the first alert goes at once.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config import Config
from ..models import Item
from ..reprints import story_head
from ..store import Store
from . import outbox
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


def select_for(db: sqlite3.Connection, sub: Any, items: list[Item],
               seen_by: dict[str, set[str]], kind: str) -> list[Item]:
    """What ``sub`` wants of ``items`` and its address has not had (as ``kind``), one copy per story."""
    who = getattr(sub, "address", sub.email)
    chosen = [it for it in items if wants(sub, it, seen_by.get(it.id) or None)]
    done = outbox.delivered(db, who, kind, [it.id for it in chosen])
    told = outbox.delivered_stories(db, who, kind, [it.story_id or it.id for it in chosen])
    return one_per_story([it for it in chosen
                          if it.id not in done and (it.story_id or it.id) not in told])


def _items(db: sqlite3.Connection, ids: list[str]) -> list[Item]:
    out: list[Item] = []
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        out += [Store.item_from_row(r) for r in db.execute(
            f"SELECT * FROM items WHERE id IN ({marks})", chunk)]
    return out


def _last_alert(db: sqlite3.Connection, address: str) -> datetime | None:
    row = db.execute("SELECT MAX(last_alert) FROM subscriptions WHERE address=?", (address,)).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def queue_alerts(store: Store, cfg: Config, builder: MessageBuilder, now: datetime) -> int:
    """Queue alerts for waiting items and backlogs now due; return how many messages were queued."""
    subs = active(store, ["instant"])
    fresh_after = now - timedelta(seconds=cfg.notify.max_age)
    every = timedelta(seconds=cfg.notify.alert_every)
    queued = 0
    with store.transaction() as db:
        items = [Store.item_from_row(r) for r in db.execute(
            "SELECT * FROM items WHERE notified = 0 ORDER BY sort_time DESC LIMIT 5000")]
        backlog: dict[int, list[str]] = defaultdict(list)
        for sub_id, item_id in db.execute("SELECT subscription_id, item_id FROM alert_backlog"):
            backlog[sub_id].append(item_id)
        if not items and not backlog:
            return 0
        ids = [it.id for it in items]
        # Old news seen for the first time (a new column, a deep page) is not news.
        fresh = [it for it in items if it.published is None or it.published >= fresh_after]
        held = _items(db, sorted({i for v in backlog.values() for i in v}))
        seen_by = sources_of(db, [it.id for it in fresh + held])
        by_id = {it.id: it for it in held}
        for sub in subs:
            waiting = [by_id[i] for i in backlog.get(sub.id, []) if i in by_id]
            chosen = select_for(db, sub, _dedupe(waiting + fresh), seen_by, "alert")
            if not chosen:
                continue
            last = _last_alert(db, sub.address)
            if last is not None and now - last < every:
                db.executemany("INSERT OR IGNORE INTO alert_backlog (subscription_id, item_id) "
                               "VALUES (?, ?)", [(sub.id, it.id) for it in chosen])
                continue
            _send(db, builder, sub, chosen, now)
            queued += 1
        # Backlogs of subscriptions no longer active would wait forever.
        db.execute("DELETE FROM alert_backlog WHERE subscription_id NOT IN "
                   "(SELECT id FROM subscriptions WHERE status='active' AND mode='instant')")
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            db.execute(f"UPDATE items SET notified = 1 WHERE id IN ({','.join('?' * len(chunk))})",
                       chunk)
    return queued


def _dedupe(items: list[Item]) -> list[Item]:
    seen: set[str] = set()
    return [it for it in items if not (it.id in seen or seen.add(it.id))]


def _send(db: sqlite3.Connection, builder: MessageBuilder, sub: Subscription, chosen: list[Item],
          now: datetime) -> None:
    mail = builder.alert(sub, chosen, now)
    outbox.enqueue(db, mail, now, [it.id for it in chosen], subscriber=sub.address)
    db.execute("DELETE FROM alert_backlog WHERE subscription_id=?", (sub.id,))
    db.execute("UPDATE subscriptions SET last_alert=? WHERE id=?",
               (now.astimezone(UTC).isoformat(timespec="seconds"), sub.id))

