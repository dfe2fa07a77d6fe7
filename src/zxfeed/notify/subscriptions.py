"""Subscriptions kept in the store: from the config (merged in at start), the web form or the CLI.

Each row is one subscription with its own filters and status (``pending`` until
confirmed, ``active``, ``paused``, ``unsubscribed``, or ``dropped`` when its
config entry is gone). Addresses are compared by :func:`address_key`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..config import Config, SubscriberConfig
from ..store import Store

EMAIL_RE = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
MODES = ("instant", "daily", "weekly")
LIVE = ("active", "paused")


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def address_key(email: str, local_case: str = "insensitive") -> str:
    """The comparison key of an address: the domain always lower-cased, the local part unless sensitive."""
    local, _, domain = email.strip().rpartition("@")
    if local_case != "sensitive":
        local = local.lower()
    return f"{local}@{domain.lower()}"


@dataclass(slots=True)
class Subscription:
    """One subscription; has the attributes of a config ``[[subscribers]]`` entry, plus its row."""

    id: int
    email: str
    address: str
    mode: str = "instant"
    name: str | None = None
    regions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    time: str = "08:00"
    weekday: str = "mon"
    status: str = "active"
    origin: str = "web"
    digest_until: datetime | None = None
    last_alert: datetime | None = None

    @property
    def filters(self) -> dict[str, list[str]]:
        return {"regions": self.regions, "sources": self.sources, "keywords": self.keywords,
                "exclude": self.exclude}


def _from_row(row: sqlite3.Row) -> Subscription:
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


def sync_config(store: Store, cfg: Config, now: datetime) -> None:
    """Merge ``[[subscribers]]`` into the store; an entry edited in the config wins over page edits."""
    case = cfg.notify.local_part_case
    wanted: dict[str, SubscriberConfig] = {}
    for sub in cfg.subscribers:
        wanted.setdefault(address_key(sub.email, case), sub)  # the same address twice: once
    with store.transaction() as db:
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
                    "INSERT INTO subscriptions (email, address, name, mode, filters, time, weekday, "
                    "status, origin, config_hash, created, updated, confirmed_at, digest_until) "
                    "VALUES (?,?,?,?,?,?,?,?, 'config', ?,?,?,?,?)",
                    (sub.email, address, sub.name, sub.mode, filters, sub.time, sub.weekday, status,
                     digest, _iso(now), _iso(now), _iso(now), (old[0] if old and old[0] else _iso(now))))
            elif row["config_hash"] != digest:
                db.execute("UPDATE subscriptions SET email=?, name=?, mode=?, filters=?, time=?, "
                           "weekday=?, config_hash=?, updated=?, status=CASE WHEN status='dropped' "
                           "THEN 'active' ELSE status END WHERE id=?",
                           (sub.email, sub.name, sub.mode, filters, sub.time, sub.weekday, digest,
                            _iso(now), row["id"]))
            elif row["status"] == "dropped":
                db.execute("UPDATE subscriptions SET status='active', updated=? WHERE id=?",
                           (_iso(now), row["id"]))
        for address, row in rows.items():
            if address not in wanted and row["status"] in LIVE:
                db.execute("UPDATE subscriptions SET status='dropped', updated=? WHERE id=?",
                           (_iso(now), row["id"]))


def get(store: Store, sub_id: int) -> Subscription | None:
    """One subscription by id."""
    rows = store.query("SELECT * FROM subscriptions WHERE id=?", (sub_id,))
    return _from_row(rows[0]) if rows else None


def active(store: Store, modes: Iterable[str] = MODES) -> list[Subscription]:
    """Confirmed, unpaused subscriptions of the given modes, oldest first."""
    modes = list(modes)
    marks = ",".join("?" * len(modes))
    rows = store.query(f"SELECT * FROM subscriptions WHERE status='active' AND mode IN ({marks}) "
                       "ORDER BY id", modes)
    return [_from_row(r) for r in rows]


def listing(store: Store) -> list[Subscription]:
    """Every subscription that is not over (pending, active, paused), for ``zxfeed subscribers``."""
    rows = store.query("SELECT * FROM subscriptions WHERE status IN ('pending','active','paused') "
                       "ORDER BY address, id")
    return [_from_row(r) for r in rows]


def of_address(store: Store, address: str) -> list[Subscription]:
    """Live or pending subscriptions of one address."""
    rows = store.query("SELECT * FROM subscriptions WHERE address=? AND status IN "
                       "('pending','active','paused') ORDER BY id", (address,))
    return [_from_row(r) for r in rows]


def create(store: Store, email: str, address: str, now: datetime, *, mode: str = "instant",
           filters: dict[str, list[str]] | None = None, status: str = "pending",
           origin: str = "web") -> Subscription:
    """A new subscription; its first digest covers what comes after now."""
    with store.transaction() as db:
        cur = db.execute(
            "INSERT INTO subscriptions (email, address, mode, filters, status, origin, created, "
            "updated, confirmed_at, digest_until) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (email.strip(), address, mode, json.dumps(filters or {}, ensure_ascii=False), status,
             origin, _iso(now), _iso(now), _iso(now) if status == "active" else None, _iso(now)))
        sub_id = cur.lastrowid
    sub = get(store, int(sub_id or 0))
    assert sub is not None
    return sub


def update(store: Store, sub_id: int, now: datetime, *, mode: str | None = None,
           filters: dict[str, list[str]] | None = None, status: str | None = None) -> None:
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
    with store.transaction() as db:
        db.execute(f"UPDATE subscriptions SET {', '.join(sets)} WHERE id=?", [*args, sub_id])
        if status in ("unsubscribed", "paused"):
            db.execute("DELETE FROM alert_backlog WHERE subscription_id=?", (sub_id,))


def mark_confirm_sent(db: sqlite3.Connection, sub_id: int, now: datetime) -> None:
    """Remember when a confirmation went out (one per address per hour)."""
    db.execute("UPDATE subscriptions SET confirm_sent_at=? WHERE id=?", (_iso(now), sub_id))


def last_confirm_sent(store: Store, address: str) -> datetime | None:
    """When this address was last sent a confirmation mail."""
    rows = store.query("SELECT MAX(confirm_sent_at) FROM subscriptions WHERE address=?", (address,))
    return datetime.fromisoformat(rows[0][0]) if rows and rows[0][0] else None


def split_words(text: str) -> list[str]:
    """Keywords typed as ``提案, 协商`` or ``提案 协商`` (full-width separators too)."""
    return [w for w in re.split(r"[\s,，、;；]+", text or "") if w][:20]
