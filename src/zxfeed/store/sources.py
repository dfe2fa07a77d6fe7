"""Sources: poll state between polls, unchanged polls written in batches."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..models import ErrorKind, SourceStateName
from .base import Connection, Row, StoreBase
from .rows import _dt, _iso

PENDING_MAX = 500  # unchanged polls held before they are written anyway


@dataclass(slots=True)
class SourceState:
    """What the store remembers about a source between polls."""

    id: str
    state: SourceStateName
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    encoding: str | None
    last_poll: datetime | None
    last_success: datetime | None
    last_error: str | None
    last_error_kind: ErrorKind | SourceStateName | None  # a page warning is kept under its state
    failures: int
    items_last: int | None
    polls: int
    baseline_at: datetime | None
    item_count: int = 0
    state_since: datetime | None = None
    recent_counts: list[int] = field(default_factory=list)
    evidence: dict | None = None
    next_poll: datetime | None = None
    last_error_at: datetime | None = None
    operator_state: SourceStateName | None = None
    list_hint: str | None = None  # where the list stood last time (the poll stage's text)


class SourcesMixin(StoreBase):
    """Source rows of :class:`~zxfeed.store.Store`."""

    # -- sources ---------------------------------------------------------------

    def sync_sources(self, sources: Iterable[tuple[str, str, str]]) -> None:
        """Make sure each configured (id, name, url) has a row; keep poll state of known ones."""
        with self._transaction() as db:
            for sid, name, url in sources:
                db.execute(
                    "INSERT INTO sources (id, name, url) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET name=excluded.name, url=excluded.url, "
                    "etag=CASE WHEN sources.url=excluded.url THEN sources.etag END, "
                    "last_modified=CASE WHEN sources.url=excluded.url THEN sources.last_modified END, "
                    "body_hash=CASE WHEN sources.url=excluded.url THEN sources.body_hash END, "
                    "list_hint=CASE WHEN sources.url=excluded.url THEN sources.list_hint END",
                    (sid, name, url),
                )

    def source(self, source_id: str, *, counts: bool = True) -> SourceState | None:
        """Poll state of one source (item count unless ``counts=False``), or ``None``."""
        with self._lock:
            row = self._db.execute("SELECT * FROM sources WHERE id=?", (source_id,)).fetchone()
            if row is None:
                return None
            count = self._db.execute(
                "SELECT COUNT(*) FROM item_sources WHERE source_id=?", (source_id,)
            ).fetchone()[0] if counts else 0
        return self._state(row, count)

    def sources(self, *, counts: bool = True) -> list[SourceState]:
        """Poll state of every source, with item counts unless ``counts=False`` (cheaper)."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM sources ORDER BY id").fetchall()
            per_source: dict[str, int] = dict(
                self._db.execute(
                    "SELECT source_id, COUNT(*) FROM item_sources GROUP BY source_id"
                ).fetchall()
            ) if counts else {}
        states = [self._state(r, per_source.get(r["id"], 0)) for r in rows]
        if self.write_failure:
            # What is stored says "ok", but no poll's result can be kept: say so.
            for s in states:
                s.state, s.last_error_kind, s.last_error = "failing", "store", self.write_failure
        return states

    @staticmethod
    def _state(row: Row, count: int) -> SourceState:
        return SourceState(
            id=row["id"], state=row["state"], etag=row["etag"],
            last_modified=row["last_modified"], body_hash=row["body_hash"],
            encoding=row["encoding"], last_poll=_dt(row["last_poll"]),
            last_success=_dt(row["last_success"]), last_error=row["last_error"],
            last_error_kind=row["last_error_kind"], failures=row["failures"],
            items_last=row["items_last"], polls=row["polls"],
            baseline_at=_dt(row["baseline_at"]), item_count=count,
            state_since=_dt(row["state_since"]), recent_counts=json.loads(row["recent_counts"]),
            evidence=json.loads(row["evidence"]) if row["evidence"] else None,
            next_poll=_dt(row["next_poll"]), last_error_at=_dt(row["last_error_at"]),
            operator_state=row["operator_state"], list_hint=row["list_hint"],
        )

    def record_unchanged(self, source_id: str, now: datetime, *, etag: str | None = None,
                         last_modified: str | None = None) -> None:
        """A poll that found the page unchanged (304 or same body hash): a success.

        Written with the next write transaction (or :meth:`flush`), not in one of its own:
        most polls are unchanged, and their bookkeeping was a third of their CPU. A crash
        can lose only these timestamps, never an item.
        """
        with self._pending_lock:
            self._pending.append((_iso(now), etag, last_modified, source_id))
            full = len(self._pending) >= PENDING_MAX
        if full:
            self.flush()

    def flush(self) -> None:
        """Write the unchanged polls recorded since the last write."""
        if self._pending:
            with self._transaction():
                pass  # a transaction writes what is pending first

    def _write_pending(self, db: Connection) -> None:
        with self._pending_lock:
            rows, self._pending = self._pending, []
        if rows:
            db.executemany(
                "UPDATE sources SET last_poll=?1, failures=0, polls=polls+1, "
                "last_success=CASE WHEN state='broken' THEN last_success ELSE ?1 END, "
                "next_poll=NULL, etag=COALESCE(?2, etag), last_modified=COALESCE(?3, last_modified), "
                "last_error=CASE WHEN state IN ('new','failing','blocked') THEN NULL "
                "ELSE last_error END, "
                "last_error_kind=CASE WHEN state IN ('new','failing','blocked') THEN NULL "
                "ELSE last_error_kind END, "
                "state_since=CASE WHEN state IN ('new','failing','blocked') THEN ?1 "
                "ELSE state_since END, "
                "state=CASE WHEN state IN ('new','failing','blocked') THEN 'ok' ELSE state END "
                "WHERE id=?4", rows)

    def record_failure(self, source_id: str, now: datetime, kind: ErrorKind, message: str,
                       state: SourceStateName = "failing") -> None:
        """A poll that failed; the source keeps its items and its place in the schedule."""
        with self._transaction() as db:
            db.execute(
                "UPDATE sources SET last_poll=?, last_error=?, last_error_kind=?, last_error_at=?, "
                "failures=failures+1, polls=polls+1, "
                "state_since=CASE WHEN state=? THEN state_since ELSE ? END, state=? WHERE id=?",
                (_iso(now), message[:500], kind, _iso(now), state, _iso(now), state, source_id),
            )

    def set_next_poll(self, source_id: str, when: datetime | None) -> None:
        """When the scheduler will poll this source next (shown to the operator)."""
        with self._transaction() as db:
            db.execute("UPDATE sources SET next_poll=? WHERE id=?", (_iso(when), source_id))

    def pages_of(self, source_id: str) -> list[tuple[str, str, str]]:
        """(id, name, url) of the pages an earlier discovery of ``source_id`` stored."""
        rows = self._query("SELECT id, name, url FROM sources WHERE id LIKE ?",
                           (source_id + "--%",))  # ids hold no LIKE wildcards
        return [(r["id"], r["name"], r["url"]) for r in rows]

    def source_names(self) -> dict[str, tuple[str, str]]:
        """Name and URL of every stored source, by id."""
        return {r["id"]: (r["name"], r["url"]) for r in self._query("SELECT id, name, url FROM sources")}
