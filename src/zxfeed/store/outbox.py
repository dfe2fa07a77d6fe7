"""The outbox: every message is stored before it is sent and marked only after the server took it.

A crash between "accepted" and "marked" resends at most that one message; a
message is never lost, and (subscriber, item) deliveries are recorded with the
message in one transaction so an item is never queued twice for a subscriber.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .base import Connection, StoreBase

if TYPE_CHECKING:
    from ..models import Mail


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class Pending:
    """A queued message due for (another) delivery attempt."""

    id: int
    message_id: str
    recipient: str
    raw: bytes
    attempts: int


def enqueue(db: Connection, mail: Mail, now: datetime, item_ids: list[str], *,
            subscriber: str | None = None) -> None:
    """Queue ``mail`` and record its items as delivered to ``subscriber`` (its address key)."""
    db.execute(
        "INSERT INTO outbox (message_id, recipient, kind, subject, raw, created, next_attempt) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (mail.message_id, mail.recipient, mail.kind, mail.subject, mail.raw, _iso(now), _iso(now)),
    )
    db.executemany(
        "INSERT OR IGNORE INTO deliveries (subscriber, item_id, kind, message_id) VALUES (?,?,?,?)",
        [(subscriber or mail.recipient, i, mail.kind, mail.message_id) for i in item_ids],
    )


def delivered(db: Connection, subscriber: str, kind: str, item_ids: list[str]) -> set[str]:
    """Which of ``item_ids`` already went (or are queued) to ``subscriber`` as ``kind``."""
    if not item_ids:
        return set()
    marks = ",".join("?" * len(item_ids))
    rows = db.execute(f"SELECT item_id FROM deliveries WHERE subscriber=? AND kind=? "
                      f"AND item_id IN ({marks})", [subscriber, kind, *item_ids])
    return {r[0] for r in rows}


def delivered_stories(db: Connection, subscriber: str, kind: str,
                      stories: list[str]) -> set[str]:
    """Which stories already reached ``subscriber`` through any of their copies."""
    if not stories:
        return set()
    marks = ",".join("?" * len(stories))
    rows = db.execute(f"SELECT DISTINCT i.story_id FROM deliveries d JOIN items i ON i.id = d.item_id "
                      f"WHERE d.subscriber=? AND d.kind=? AND i.story_id IN ({marks})",
                      [subscriber, kind, *stories])
    return {r[0] for r in rows}


class OutboxMixin(StoreBase):
    """Outbox rows of :class:`~zxfeed.store.Store`."""

    def due_mail(self, now: datetime, limit: int = 100, lease: float = 300.0) -> list[Pending]:
        """Pending messages whose next attempt time has come, oldest first.

        On PostgreSQL they are claimed for this node for ``lease`` seconds (other nodes skip
        them), so each message is sent by one node; a node killed after the server accepted
        one but before it was marked leaves that one to be sent again when the claim ends.
        """
        if self.url:
            with self._lock:
                self._live()
                rows = self._db.execute(
                    "UPDATE outbox SET claimed_by=?, claim_until=? WHERE id IN (SELECT id FROM outbox "
                    "WHERE status='pending' AND next_attempt <= ? AND (claim_until IS NULL OR "
                    "claim_until <= ? OR claimed_by=?) ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) "
                    "RETURNING id, message_id, recipient, raw, attempts",
                    (self.node, _iso(now + timedelta(seconds=lease)), _iso(now), _iso(now), self.node,
                     limit)).fetchall()
            rows.sort(key=lambda r: r["id"])
        else:
            rows = self._query("SELECT id, message_id, recipient, raw, attempts FROM outbox "
                               "WHERE status='pending' AND next_attempt <= ? ORDER BY id LIMIT ?",
                               (_iso(now), limit))
        return [Pending(r["id"], r["message_id"], r["recipient"], bytes(r["raw"]), r["attempts"])
                for r in rows]

    def mark_sent(self, pid: int, now: datetime) -> None:
        """The server accepted the message."""
        with self._transaction() as db:
            db.execute("UPDATE outbox SET status='sent', sent_at=?, attempts=attempts+1, "
                       "last_error=NULL, claimed_by=NULL, claim_until=NULL WHERE id=?",
                       (_iso(now), pid))

    def mark_retry(self, pid: int, now: datetime, error: str, delay: float) -> None:
        """A temporary failure: try again after ``delay`` seconds."""
        with self._transaction() as db:
            db.execute("UPDATE outbox SET attempts=attempts+1, last_error=?, next_attempt=?, "
                       "claimed_by=NULL, claim_until=NULL WHERE id=?",
                       (error[:500], _iso(now + timedelta(seconds=delay)), pid))

    def mark_failed(self, pid: int, now: datetime, error: str) -> None:
        """A permanent refusal (5xx for this recipient): kept with the reason, not retried."""
        with self._transaction() as db:
            db.execute("UPDATE outbox SET status='failed', attempts=attempts+1, last_error=?, "
                       "sent_at=NULL, next_attempt=?, claimed_by=NULL, claim_until=NULL WHERE id=?",
                       (error[:500], _iso(now), pid))

    def outbox_counts(self) -> dict[str, int]:
        """Messages per status (pending, sent, failed)."""
        return {r[0]: r[1] for r in self._query("SELECT status, COUNT(*) FROM outbox GROUP BY status")}

    def requeue_tls_failures(self, now: datetime, error_key: str) -> int:
        """Messages failed on a refused certificate go pending again; the stored error is cleared."""
        with self._transaction() as db:
            cur = db.execute("UPDATE outbox SET status='pending', next_attempt=? "
                             "WHERE status='failed' AND last_error LIKE 'tls:%'",
                             (now.isoformat(timespec="seconds"),))
            db.execute("DELETE FROM meta WHERE key=?", (error_key,))
        return cur.rowcount
