"""Daily and weekly digests: every matching item since the subscription's last digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..config import Config
from ..store import Store
from . import outbox
from .alerts import select_for, sources_of
from .messages import Mail, MessageBuilder
from .subscriptions import Subscription, get

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def last_slot(sub: Any, now: datetime, tz: ZoneInfo) -> datetime:
    """The most recent scheduled digest time not after ``now``."""
    hour, minute = (int(x) for x in sub.time.split(":"))
    local = now.astimezone(tz)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if sub.mode == "weekly":
        slot -= timedelta(days=(slot.weekday() - WEEKDAYS.index(sub.weekday)) % 7)
    while slot > local:
        slot -= timedelta(days=7 if sub.mode == "weekly" else 1)
    return slot


def is_due(store: Store, sub: Subscription, now: datetime, tz: ZoneInfo) -> bool:
    """Whether a scheduled digest time has passed since this subscription's last digest."""
    fresh = get(store, sub.id)
    until = fresh.digest_until if fresh else None
    return until is None or last_slot(sub, now, tz) > until


def queue_digest(store: Store, cfg: Config, builder: MessageBuilder, sub: Subscription,
                 now: datetime, *, dry_run: bool = False) -> Mail | None:
    """Queue (or with ``dry_run`` only build) one subscription's digest; ``None`` if nothing to say."""
    if sub.mode == "instant":
        return None
    with store.transaction() as db:
        row = db.execute("SELECT digest_until, status FROM subscriptions WHERE id=?",
                         (sub.id,)).fetchone()
        if row is None or row[1] != "active":
            return None
        since = datetime.fromisoformat(row[0]) if row[0] else None
        sql = "SELECT * FROM items WHERE baseline = 0 AND first_seen <= ?"
        args: list[object] = [_iso(now)]
        if since is not None:
            # Same-second neighbours are included; deliveries keep them from going twice.
            sql += " AND first_seen >= ?"
            args.append(_iso(since))
        items = [Store.item_from_row(r) for r in db.execute(sql + " ORDER BY sort_time DESC", args)]
        chosen = select_for(db, sub, items, sources_of(db, [it.id for it in items]), "digest")
        if not chosen and not cfg.notify.send_empty_digest:
            mail = None
        else:
            mail = builder.digest(sub, chosen, now, since)
        if dry_run:
            return mail
        if mail is not None:
            outbox.enqueue(db, mail, now, [it.id for it in chosen], subscriber=sub.address)
        db.execute("UPDATE subscriptions SET digest_until=? WHERE id=?", (_iso(now), sub.id))
    return mail
