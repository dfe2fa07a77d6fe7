"""Subscription rows: the config's entries merged in, sign-ups from the web form and the CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import Subscription
from .base import Row, StoreBase
from .rows import _iso

if TYPE_CHECKING:
    from ..config.settings import SubscriberConfig

LIVE = ("active", "paused")


def _from_row(row: Row) -> Subscription:
    f = json.loads(row["filters"] or "{}")
    return Subscription(
        id=row["id"], email=row["email"], address=row["address"], mode=row["mode"],
        name=row["name"], regions=f.get("regions", []), sources=f.get("sources", []),
        keywords=f.get("keywords", []), exclude=f.get("exclude", []), time=row["time"],
        weekday=row["weekday"], status=row["status"], origin=row["origin"],
        digest_until=datetime.fromisoformat(row["digest_until"]) if row["digest_until"] else None,
        last_alert=datetime.fromisoformat(row["last_alert"]) if row["last_alert"] else None)


def _config_hash(sub: SubscriberConfig) -> str:
    return hashlib.sha256(sub.model_dump_json().encode()).hexdigest()[:16]


class SubscriptionsMixin(StoreBase):
    """The subscriptions table of :class:`~zxfeed.store.Store`."""

    def sync_config_subscriptions(self, wanted: Mapping[str, SubscriberConfig],
                                  now: datetime) -> None:
        """Merge config entries (by address key); an entry edited in the config wins over page edits."""
        with self._transaction() as db:
            rows = {r["address"]: r for r in db.execute(
                "SELECT * FROM subscriptions WHERE origin='config'")}
            for address, sub in wanted.items():
                digest = _config_hash(sub)
                filters = json.dumps({"regions": sub.regions, "sources": sub.sources,
                                      "keywords": sub.keywords, "exclude": sub.exclude},
                                     ensure_ascii=False)
                row = rows.get(address)
                if row is None:
                    # Rows of the old address-keyed table carry a digest mark and unsubscriptions.
                    old = db.execute("SELECT digest_until, unsubscribed_at FROM subscribers "
                                     "WHERE lower(email)=lower(?)", (sub.email,)).fetchone()
                    status = "unsubscribed" if old and old[1] else "active"
                    db.execute(
                        "INSERT INTO subscriptions (email, address, name, mode, filters, time, "
                        "weekday, status, origin, config_hash, created, updated, confirmed_at, "
                        "digest_until) VALUES (?,?,?,?,?,?,?,?, 'config', ?,?,?,?,?)",
                        (sub.email, address, sub.name, sub.mode, filters, sub.time, sub.weekday,
                         status, digest, _iso(now), _iso(now), _iso(now),
                         (old[0] if old and old[0] else _iso(now))))
                elif row["config_hash"] != digest:
                    db.execute("UPDATE subscriptions SET email=?, name=?, mode=?, filters=?, time=?, "
                               "weekday=?, config_hash=?, updated=?, status=CASE WHEN "
                               "status='dropped' THEN 'active' ELSE status END WHERE id=?",
                               (sub.email, sub.name, sub.mode, filters, sub.time, sub.weekday,
                                digest, _iso(now), row["id"]))
                elif row["status"] == "dropped":
                    db.execute("UPDATE subscriptions SET status='active', updated=? WHERE id=?",
                               (_iso(now), row["id"]))
            for address, row in rows.items():
                if address not in wanted and row["status"] in LIVE:
                    db.execute("UPDATE subscriptions SET status='dropped', updated=? WHERE id=?",
                               (_iso(now), row["id"]))

    def subscription(self, sub_id: int) -> Subscription | None:
        """One subscription by id."""
        rows = self._query("SELECT * FROM subscriptions WHERE id=?", (sub_id,))
        return _from_row(rows[0]) if rows else None

    def active_subscriptions(self, modes: Iterable[str]) -> list[Subscription]:
        """Confirmed, unpaused subscriptions of the given modes, oldest first."""
        modes = list(modes)
        marks = ",".join("?" * len(modes))
        rows = self._query(f"SELECT * FROM subscriptions WHERE status='active' AND mode IN ({marks}) "
                           "ORDER BY id", modes)
        return [_from_row(r) for r in rows]

    def live_subscriptions(self, address: str | None = None) -> list[Subscription]:
        """Pending, active and paused subscriptions: all by address, or one address's by id."""
        if address is None:
            rows = self._query("SELECT * FROM subscriptions WHERE status IN "
                               "('pending','active','paused') ORDER BY address, id")
        else:
            rows = self._query("SELECT * FROM subscriptions WHERE address=? AND status IN "
                               "('pending','active','paused') ORDER BY id", (address,))
        return [_from_row(r) for r in rows]

    def create_subscription(self, email: str, address: str, now: datetime, *, mode: str,
                            filters: dict[str, list[str]] | None, status: str,
                            origin: str) -> int:
        """A new subscription row; its first digest covers what comes after now. Returns its id."""
        with self._transaction() as db:
            cur = db.execute(
                "INSERT INTO subscriptions (email, address, mode, filters, status, origin, created, "
                "updated, confirmed_at, digest_until) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (email.strip(), address, mode, json.dumps(filters or {}, ensure_ascii=False),
                 status, origin, _iso(now), _iso(now), _iso(now) if status == "active" else None,
                 _iso(now)))
            sub_id = cur.fetchone()[0]
        return int(sub_id or 0)

    def update_subscription(self, sub_id: int, now: datetime, *, mode: str | None = None,
                            filters: dict[str, list[str]] | None = None,
                            status: str | None = None) -> None:
        """Change a subscription's mode, filters or status."""
        sets, args = ["updated=?"], [_iso(now)]
        if mode is not None:
            sets.append("mode=?")
            args.append(mode)
        if filters is not None:
            sets.append("filters=?")
            args.append(json.dumps(filters, ensure_ascii=False))
        if status is not None:
            sets.append("status=?")
            args.append(status)
            if status == "active":
                sets.append("confirmed_at=COALESCE(confirmed_at, ?)")
                args.append(_iso(now))
        with self._transaction() as db:
            db.execute(f"UPDATE subscriptions SET {', '.join(sets)} WHERE id=?", [*args, sub_id])
            if status in ("unsubscribed", "paused"):
                db.execute("DELETE FROM alert_backlog WHERE subscription_id=?", (sub_id,))

    def last_confirm_sent(self, address: str) -> datetime | None:
        """When this address was last sent a confirmation mail."""
        rows = self._query("SELECT MAX(confirm_sent_at) FROM subscriptions WHERE address=?",
                           (address,))
        return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None
