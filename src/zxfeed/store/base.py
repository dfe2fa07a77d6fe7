"""What every part of the store shares: the connection, its lock, reads and write transactions.

The mixins (sources, items, outbox, …) build on this class; :class:`~.core.Store` opens
the connection. ``Connection`` and ``Row`` are either engine's: sqlite3's, or the
psycopg wrapper of :mod:`.dialect` that behaves like it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeAlias

from .dialect import WRITE_LOCK, PgConnection
from .dialect import Row as PgRow
from .errors import (
    DatabaseError,
    StoreWriteError,
    damaged,
    is_corrupt,
    is_write_failure,
    unreachable,
    write_failed,
)
from .schema import migrate_postgres

Connection: TypeAlias = sqlite3.Connection | PgConnection
Row: TypeAlias = sqlite3.Row | PgRow


class StoreBase:
    """The connection and the statements' plumbing; only the store package builds on it."""

    path: Path
    url: str | None
    engine: str
    write_failure: str | None
    _db: Connection
    _lock: threading.RLock
    _pending: list[tuple[str | None, str | None, str | None, str]]
    _pending_lock: threading.Lock
    _probed_at: float
    _singletons: set[str]
    node: str  # this process's name in leases (see :mod:`.leases`)

    def _pg(self) -> PgConnection:
        """The PostgreSQL connection (only called where ``self.url`` is set)."""
        assert isinstance(self._db, PgConnection)
        return self._db

    def _write_pending(self, db: Connection) -> None:
        """Bookkeeping queued by unchanged polls, written first in each transaction (see sources)."""

    def _connect_postgres(self) -> PgConnection:
        assert self.url is not None
        try:
            db = PgConnection(self.url)
            migrate_postgres(db)
        except RuntimeError:
            raise
        except DatabaseError as exc:
            raise unreachable(self.url, exc) from None
        return db

    def _live(self) -> None:
        """A PostgreSQL connection lost (server restart) is opened again on the next use."""
        if self.url and self._pg().broken:
            with suppress(Exception):
                self._db.close()
            self._singletons = set()  # session locks went with the old connection
            self._db = self._connect_postgres()

    def _query(self, sql: str, args: Iterable[object] = ()) -> list[Row]:
        """Rows of a read-only query."""
        with self._lock:
            self._live()
            return self._db.execute(sql, tuple(args)).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """``with self._transaction() as db:`` — one BEGIN IMMEDIATE … COMMIT, serialized."""
        with self._lock:
            try:
                self._live()
                if self.url:
                    self._pg().execute_raw("BEGIN")
                    self._pg().execute_raw("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                else:
                    self._db.execute("BEGIN IMMEDIATE")
            except DatabaseError as exc:
                raise self._failed(exc) from None
            try:
                # Earlier unchanged polls first, so that what this transaction writes wins.
                self._write_pending(self._db)
                yield self._db
            except BaseException as exc:
                with suppress(DatabaseError):  # SQLite may have rolled back already (disk full)
                    self._db.execute("ROLLBACK")
                if isinstance(exc, DatabaseError) and not isinstance(exc, StoreWriteError):
                    raise self._failed(exc) from None
                raise
            try:
                self._db.execute("COMMIT")
            except DatabaseError as exc:
                with suppress(DatabaseError):
                    self._db.execute("ROLLBACK")
                raise self._failed(exc) from None
            self.write_failure = None

    def _failed(self, exc: BaseException) -> Exception:
        """The exception to raise for a failed statement: damaged, unwritable, or as it was."""
        if self.url:
            if self._pg().broken:
                return unreachable(self.url, exc)
            if getattr(exc, "sqlstate", None) in ("53100", "53200", "25006"):  # disk/memory full, read-only
                where = self.url.rsplit("/", 1)[-1]
                error = StoreWriteError(f"store not written: {exc} (PostgreSQL database {where})")
                self.write_failure = str(error)
                return error
            return exc if isinstance(exc, Exception) else DatabaseError(str(exc))
        if is_write_failure(exc):
            error = write_failed(self.path, exc)
            self.write_failure = str(error)
            return error
        if is_corrupt(exc):
            return damaged(self.path, exc)
        return exc if isinstance(exc, Exception) else DatabaseError(str(exc))
