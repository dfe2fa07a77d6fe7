"""Daily and weekly digests: every matching item since the subscriber's last digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ..config import Config, SubscriberConfig
from ..store import Store
from . import outbox
from .alerts import select_for, sources_of, unsubscribed
from .messages import Mail, MessageBuilder

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def sync_subscribers(store: Store, cfg: Config, now: datetime) -> None:
    """Give each configured subscriber a row; a new one's first digest starts now, not at the dawn of time."""
    with store.transaction() as db:
        for sub in cfg.subscribers:
            db.execute("INSERT OR IGNORE INTO subscribers (email, created, digest_until) "
                       "VALUES (?, ?, ?)", (sub.email, _iso(now), _iso(now)))


def last_slot(sub: SubscriberConfig, now: datetime, tz: ZoneInfo) -> datetime:
    """The most recent scheduled digest time not after ``now``."""
    hour, minute = (int(x) for x in sub.time.split(":"))
    local = now.astimezone(tz)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if sub.mode == "weekly":
        slot -= timedelta(days=(slot.weekday() - WEEKDAYS.index(sub.weekday)) % 7)
    while slot > local:
        slot -= timedelta(days=7 if sub.mode == "weekly" else 1)
    return slot


def is_due(store: Store, sub: SubscriberConfig, now: datetime, tz: ZoneInfo) -> bool:
    """Whether a scheduled digest time has passed since this subscriber's last digest."""
    rows = store.query("SELECT digest_until FROM subscribers WHERE email=?", (sub.email,))
    until = datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None
    return until is None or last_slot(sub, now, tz) > until


def queue_digest(store: Store, cfg: Config, builder: MessageBuilder, sub: SubscriberConfig,
                 now: datetime, *, dry_run: bool = False) -> Mail | None:
    """Queue (or with ``dry_run`` only build) one subscriber's digest; ``None`` if nothing to say."""
    if sub.mode == "instant" or sub.email in unsubscribed(store):
        return None
    with store.transaction() as db:
        row = db.execute("SELECT digest_until FROM subscribers WHERE email=?",
                         (sub.email,)).fetchone()
        since = datetime.fromisoformat(row[0]) if row and row[0] else None
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
            db.execute("SELECT 1")  # read-only: nothing queued, nothing moved
            return mail
        if mail is not None:
            outbox.enqueue(db, mail, now, [it.id for it in chosen])
        db.execute("INSERT INTO subscribers (email, created, digest_until) VALUES (?, ?, ?) "
                   "ON CONFLICT(email) DO UPDATE SET digest_until=excluded.digest_until",
                   (sub.email, _iso(now), _iso(now)))
    return mail
