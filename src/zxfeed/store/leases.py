"""Leases for several nodes on one PostgreSQL: sources and hosts claimed by one node at a time.

Every node schedules every source (APScheduler is each node's clock); when a poll
falls due, the node claims the source's row (``FOR UPDATE SKIP LOCKED``) and polls
only if the row is free or its lease ran out. While polling the lease is
``lease`` seconds; after the poll it is held until shortly before the next poll
is due (or until a failed source's backoff ends), so the other nodes' timers for
it pass it by. A node that dies holds its sources at most ``lease`` seconds longer.

Politeness across nodes: a host's next allowed request time lives in ``host_slots``
and a claim reserves the next slot atomically, so nodes polling sources of one host
keep ``host_delay`` between them without sharding hosts to nodes (which would need
membership and rebalancing when a node dies). The node's own per-host gate still
spaces the further requests of one poll (robots.txt, articles).

On SQLite there is one node per file (the lock file): every claim succeeds at
once without a statement, so single-node polling costs what it did.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid
from datetime import datetime, timedelta

from .base import StoreBase
from .rows import _iso

SINGLETON_SPACE = 0x7A78  # first key of the two-key advisory locks of singleton jobs
NODE = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class LeasesMixin(StoreBase):
    """Source and host leases of :class:`~zxfeed.store.Store` (no-ops on SQLite)."""

    node: str = NODE

    def claim_source(self, source_id: str, now: datetime, lease: float) -> bool:
        """Take ``source_id`` for a poll of at most ``lease`` seconds; ``False`` if another node has it."""
        if not self.url:
            return True
        with self._lock:
            self._live()
            row = self._db.execute(
                "UPDATE sources SET lease_owner=?, lease_until=? WHERE id=(SELECT id FROM sources "
                "WHERE id=? AND (lease_until IS NULL OR lease_until <= ? OR lease_owner=?) "
                "FOR UPDATE SKIP LOCKED) RETURNING id",
                (self.node, _iso(now + timedelta(seconds=lease)), source_id, _iso(now), self.node),
            ).fetchone()
        return row is not None

    def hold_source(self, source_id: str, until: datetime | None) -> None:
        """Keep this node's claim on ``source_id`` until ``until`` (``None``: give it back now)."""
        if not self.url:
            return
        with self._lock:
            self._live()
            self._db.execute("UPDATE sources SET lease_until=? WHERE id=? AND lease_owner=?",
                             (_iso(until), source_id, self.node))

    def claim_host(self, host: str, now: datetime, delay: float) -> datetime:
        """Reserve the next request slot of ``host`` across nodes: when this node may send it."""
        if not self.url or delay <= 0 or not host:
            return now
        at = now.timestamp()
        with self._lock:
            self._live()
            # One statement: the row lock of the upsert makes the reservation atomic.
            row = self._db.execute(
                "INSERT INTO host_slots (host, next_at) VALUES (?, ?) ON CONFLICT(host) DO UPDATE "
                "SET next_at = CASE WHEN host_slots.next_at > ? THEN host_slots.next_at ELSE ? END + ? "
                "RETURNING next_at", (host, at + delay, at, at, delay)).fetchone()
        return datetime.fromtimestamp(float(row[0]) - delay, now.tzinfo)

    def singleton(self, job: str) -> bool:
        """Whether this node runs ``job`` of which one node at a time is enough (backlog, retention).

        A session advisory lock: held while this node's connection lives, free again
        when the node dies. On SQLite there is one node: always ``True``.
        """
        if not self.url:
            return True
        key = int.from_bytes(hashlib.sha256(job.encode()).digest()[:4], "big", signed=True)
        with self._lock:
            self._live()
            if job in self._singletons:
                return True
            row = self._pg().execute_raw("SELECT pg_try_advisory_lock(%s, %s)",
                                         (SINGLETON_SPACE, key)).fetchone()
            if row[0]:
                self._singletons.add(job)
            return bool(row[0])

    def leases(self) -> dict[str, tuple[str | None, datetime | None]]:
        """Each source's lease owner and expiry (for the status page and the tests)."""
        return {r[0]: (r[1], datetime.fromisoformat(r[2]) if r[2] else None)
                for r in self._query("SELECT id, lease_owner, lease_until FROM sources")}
