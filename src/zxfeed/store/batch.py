"""One transaction of the mail queue: items waiting for alerts, backlogs, deliveries, queued mail.

Alerts and digests read what is due and queue messages for it in the same
transaction, so a crash in between loses nothing and sends nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..models import Item
from . import outbox
from .base import Connection
from .meta import set_meta
from .rows import _iso, item_from_row

if TYPE_CHECKING:
    from ..models import Mail


class MailBatch:
    """Typed statements inside one open transaction (from :meth:`Store.mail_batch`)."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def enqueue(self, mail: Mail, now: datetime, item_ids: list[str], *,
                subscriber: str | None = None) -> None:
        """Queue ``mail`` and record its items as delivered to ``subscriber`` (its address key)."""
        outbox.enqueue(self._db, mail, now, item_ids, subscriber=subscriber)

    def delivered(self, subscriber: str, kind: str, item_ids: list[str]) -> set[str]:
        """Which of ``item_ids`` already went (or are queued) to ``subscriber`` as ``kind``."""
        return outbox.delivered(self._db, subscriber, kind, item_ids)

    def delivered_stories(self, subscriber: str, kind: str, stories: list[str]) -> set[str]:
        """Which stories already reached ``subscriber`` through any of their copies."""
        return outbox.delivered_stories(self._db, subscriber, kind, stories)

    def sources_of(self, ids: list[str]) -> dict[str, set[str]]:
        """Every source that listed each item (a subscriber's source filter matches any of them)."""
        seen_by: dict[str, set[str]] = defaultdict(set)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for item_id, source_id in self._db.execute(
                    f"SELECT item_id, source_id FROM item_sources WHERE item_id IN ({marks})", chunk):
                seen_by[item_id].add(source_id)
        return seen_by

    def items(self, ids: list[str]) -> list[Item]:
        """Stored items among ``ids``."""
        out: list[Item] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            out += [item_from_row(r) for r in self._db.execute(
                f"SELECT * FROM items WHERE id IN ({marks})", chunk)]
        return out

    def unnotified(self, limit: int = 5000) -> list[Item]:
        """Items no alert has been queued for yet, newest first."""
        return [item_from_row(r) for r in self._db.execute(
            "SELECT * FROM items WHERE notified = 0 ORDER BY sort_time DESC LIMIT ?", (limit,))]

    def mark_notified(self, ids: list[str]) -> None:
        """Alerts for these items are queued (or not wanted)."""
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            self._db.execute(
                f"UPDATE items SET notified = 1 WHERE id IN ({','.join('?' * len(chunk))})", chunk)

    def alert_backlog(self) -> dict[int, list[str]]:
        """Items held for each subscription alerted too recently."""
        backlog: dict[int, list[str]] = defaultdict(list)
        for sub_id, item_id in self._db.execute("SELECT subscription_id, item_id FROM alert_backlog"):
            backlog[sub_id].append(item_id)
        return backlog

    def hold(self, sub_id: int, item_ids: Iterable[str]) -> None:
        """Keep items for a subscription's next alert."""
        self._db.executemany("INSERT OR IGNORE INTO alert_backlog (subscription_id, item_id) "
                             "VALUES (?, ?)", [(sub_id, i) for i in item_ids])

    def drop_stale_backlogs(self) -> None:
        """Backlogs of subscriptions no longer active would wait forever."""
        self._db.execute("DELETE FROM alert_backlog WHERE subscription_id NOT IN "
                         "(SELECT id FROM subscriptions WHERE status='active' AND mode='instant')")

    def last_alert(self, address: str) -> datetime | None:
        """When any subscription of this address was last alerted."""
        row = self._db.execute("SELECT MAX(last_alert) FROM subscriptions WHERE address=?",
                               (address,)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def alerted(self, sub_id: int, now: datetime) -> None:
        """An alert was queued for this subscription: its backlog is empty, its clock restarts."""
        self._db.execute("DELETE FROM alert_backlog WHERE subscription_id=?", (sub_id,))
        self._db.execute("UPDATE subscriptions SET last_alert=? WHERE id=?", (_iso(now), sub_id))

    def digest_since(self, sub_id: int) -> tuple[bool, datetime | None]:
        """Whether the subscription is active, and what its last digest covered up to."""
        row = self._db.execute("SELECT digest_until, status FROM subscriptions WHERE id=?",
                               (sub_id,)).fetchone()
        if row is None or row[1] != "active":
            return False, None
        return True, datetime.fromisoformat(row[0]) if row[0] else None

    def digest_items(self, now: datetime, since: datetime | None) -> list[Item]:
        """Items first seen after the baseline, up to ``now`` and from ``since``, newest first."""
        sql = "SELECT * FROM items WHERE baseline = 0 AND first_seen <= ?"
        args: list[object] = [_iso(now)]
        if since is not None:
            # Same-second neighbours are included; deliveries keep them from going twice.
            sql += " AND first_seen >= ?"
            args.append(_iso(since))
        return [item_from_row(r) for r in self._db.execute(sql + " ORDER BY sort_time DESC", args)]

    def claim_digest(self, sub_id: int, period: datetime) -> bool:
        """Take the digest of ``period`` for this subscription; ``False`` if it was already built."""
        cur = self._db.execute("INSERT OR IGNORE INTO digest_periods (subscription_id, period) "
                               "VALUES (?, ?)", (sub_id, _iso(period)))
        return cur.rowcount == 1

    def set_digest_until(self, sub_id: int, now: datetime) -> None:
        """The subscription's digests have covered everything up to ``now``."""
        self._db.execute("UPDATE subscriptions SET digest_until=? WHERE id=?", (_iso(now), sub_id))

    def mark_confirm_sent(self, sub_id: int, now: datetime) -> None:
        """Remember when a confirmation went out (one per address per hour)."""
        self._db.execute("UPDATE subscriptions SET confirm_sent_at=? WHERE id=?", (_iso(now), sub_id))

    def set_operator_states(self, states: Iterable[tuple[str | None, str]]) -> None:
        """What the operator was last told of each source: (state or ``None``, source id)."""
        self._db.executemany("UPDATE sources SET operator_state=? WHERE id=?", list(states))

    def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key`` in this transaction."""
        set_meta(self._db, key, value)
