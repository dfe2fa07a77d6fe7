"""Store stage: SQLite (WAL) holding sources' poll state and items keyed by canonical URL.

Each poll's results commit in one transaction, so a kill at any moment leaves
either the whole poll or none of it. Only this package speaks SQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from ..files import private_dir, private_file
from .batch import MailBatch
from .errors import StoreWriteError, damaged, is_corrupt, is_write_failure, write_failed
from .items import ItemsMixin
from .meta import MetaMixin
from .outbox import OutboxMixin
from .rows import _iso
from .schema import migrate
from .sources import SourcesMixin
from .subscriptions import SubscriptionsMixin


class Store(SourcesMixin, ItemsMixin, OutboxMixin, SubscriptionsMixin, MetaMixin):
    """One SQLite file; safe to share between threads (writes are serialized)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        private_dir(self.path.parent)
        # SQLite gives the -wal and -shm files the database file's mode.
        for file in (self.path, *(Path(f"{self.path}{s}") for s in ("-wal", "-shm"))):
            if file == self.path or file.exists():
                private_file(file)
        self._lock = threading.RLock()
        self._pending: list[tuple[str | None, str | None, str | None, str]] = []
        self._pending_lock = threading.Lock()
        # Why the last write failed (disk full, read-only), until one succeeds again.
        self.write_failure: str | None = None
        self._probed_at = float("-inf")
        try:
            self._db = sqlite3.connect(
                self.path, timeout=30, check_same_thread=False, isolation_level=None
            )
            self._db.row_factory = sqlite3.Row
            _enter_wal(self._db)
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    def _migrate(self) -> None:
        with self._lock:
            migrate(self._db)

    def _query(self, sql: str, args: Iterable[object] = ()) -> list[sqlite3.Row]:
        """Rows of a read-only query."""
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """``with self._transaction() as db:`` — one BEGIN IMMEDIATE … COMMIT, serialized."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise self._failed(exc) from None
            try:
                # Earlier unchanged polls first, so that what this transaction writes wins.
                self._write_pending(self._db)
                yield self._db
            except BaseException as exc:
                with suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full)
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, StoreWriteError):
                    raise self._failed(exc) from None
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise self._failed(exc) from None
            self.write_failure = None

    def _failed(self, exc: sqlite3.DatabaseError) -> Exception:
        """The exception to raise for a failed statement: damaged, unwritable, or as it was."""
        if is_write_failure(exc):
            error = write_failed(self.path, exc)
            self.write_failure = str(error)
            return error
        if is_corrupt(exc):
            return damaged(self.path, exc)
        return exc

    def writable(self) -> bool:
        """Whether a write reaches the file right now (a real one: a full disk fails it)."""
        self._probed_at = time.monotonic()
        try:
            with self._transaction() as db:
                db.execute("INSERT OR REPLACE INTO store_probe (id, at) VALUES (1, ?)",
                           (_iso(datetime.now(UTC)),))
        except sqlite3.Error:
            return False
        return True

    def can_write(self, max_age: float = 2.0) -> bool:
        """:meth:`writable`, probed at most every ``max_age`` seconds (``/healthz`` may be hammered)."""
        if time.monotonic() - self._probed_at >= max_age:
            self.writable()
        return self.write_failure is None

    def close(self) -> None:
        """Write what is pending and close the connection (checkpointing the WAL)."""
        with self._lock:
            self.flush()
            self._db.close()

    @contextmanager
    def mail_batch(self) -> Iterator[MailBatch]:
        """One transaction of the mail queue: what is read and queued in it commits together."""
        with self._transaction() as db:
            yield MailBatch(db)


def _enter_wal(db: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch the file to WAL, waiting for other processes that are opening it too.

    Changing the journal mode needs the file to itself, and SQLite answers "database is
    locked" at once instead of waiting in its busy handler.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
