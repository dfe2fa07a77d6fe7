"""Store stage: SQLite (WAL) or PostgreSQL holding sources' poll state and items keyed by canonical URL.

Each poll's results commit in one transaction, so a kill at any moment leaves
either the whole poll or none of it. Only this package speaks SQL.

On PostgreSQL every write transaction first takes one advisory lock, so writers
take turns across all nodes as they do in one SQLite file: the read-then-write
logic of a poll (is this item known? which story does it join?) stays correct
when two nodes find the same item through two sources. Other nodes' reads do not
wait for it; within a node, reads and writes share one connection, as with SQLite.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..files import private_dir, private_file
from .batch import MailBatch
from .dialect import is_postgres_url
from .errors import (
    DatabaseError,
)
from .items import ItemsMixin
from .leases import LeasesMixin
from .meta import MetaMixin
from .outbox import OutboxMixin
from .robots import RobotsMixin
from .rows import _iso
from .schema import SCHEMA_VERSION, migrate, postgres_version
from .sources import SourcesMixin
from .subscriptions import SubscriptionsMixin

if TYPE_CHECKING:
    from ..config.settings import Config


class Store(SourcesMixin, ItemsMixin, OutboxMixin, SubscriptionsMixin, MetaMixin, LeasesMixin,
            RobotsMixin):
    """One SQLite file or PostgreSQL database; safe to share between threads (writes are serialized).

    ``path`` is the SQLite file, or with ``url`` only where the local data folder is.
    """

    def __init__(self, path: str | Path, *, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url if is_postgres_url(url) else None
        self.engine = "postgresql" if self.url else "sqlite"
        private_dir(self.path.parent)
        self._lock = threading.RLock()
        self._pending: list[tuple[str | None, str | None, str | None, str]] = []
        self._pending_lock = threading.Lock()
        # Why the last write failed (disk full, read-only), until one succeeds again.
        self.write_failure: str | None = None
        self._probed_at = float("-inf")
        self._singletons: set[str] = set()  # jobs this node runs alone (PostgreSQL session locks)
        if self.url:
            self._db = self._connect_postgres()
            return
        # SQLite gives the -wal and -shm files the database file's mode.
        for file in (self.path, *(Path(f"{self.path}{s}") for s in ("-wal", "-shm"))):
            if file == self.path or file.exists():
                private_file(file)
        try:
            db = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            self._db = db
            db.row_factory = sqlite3.Row
            _enter_wal(db)
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA foreign_keys=ON")
            with self._lock:
                migrate(db)
        except sqlite3.DatabaseError as exc:
            raise self._failed(exc) from None

    @classmethod
    def for_config(cls, cfg: Config) -> Store:
        """The store ``[storage]`` names: PostgreSQL when ``url`` is set, else the SQLite ``path``."""
        return cls(cfg.db_path, url=cfg.storage.url)

    def writable(self) -> bool:
        """Whether a write reaches the file right now (a real one: a full disk fails it)."""
        self._probed_at = time.monotonic()
        try:
            with self._transaction() as db:
                db.execute("INSERT INTO store_probe (id, at) VALUES (1, ?) "
                           "ON CONFLICT(id) DO UPDATE SET at=excluded.at", (_iso(datetime.now(UTC)),))
        except (DatabaseError, OSError):
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
            try:
                self.flush()
            finally:
                self._db.close()

    def database(self) -> dict[str, object]:
        """What ``/healthz`` says of the database: engine, reachable, schema version."""
        info: dict[str, object] = {"engine": self.engine, "reachable": False, "schema_version": None,
                                   "schema_expected": SCHEMA_VERSION}
        try:
            with self._lock:
                self._live()
                info["schema_version"] = (postgres_version(self._pg()) if self.url else
                                          self._db.execute("PRAGMA user_version").fetchone()[0])
            info["reachable"] = True
        except Exception:
            pass
        return info

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
