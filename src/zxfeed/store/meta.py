"""The ``meta`` table: small named values (signing secret, feeds' epoch, mail error, last alerts)."""

from __future__ import annotations

from .base import Connection, StoreBase


def set_meta(db: Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key``, replacing what was there."""
    db.execute("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) "
               "DO UPDATE SET value=excluded.value", (key, value))


class MetaMixin(StoreBase):
    """The meta table of :class:`~zxfeed.store.Store`."""

    def meta(self, key: str) -> str | None:
        """The value stored under ``key``, or ``None``."""
        rows = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str | None) -> None:
        """Store ``value`` under ``key``; ``None`` deletes it."""
        with self._transaction() as db:
            if value is None:
                db.execute("DELETE FROM meta WHERE key=?", (key,))
            else:
                set_meta(db, key, value)

    def meta_once(self, key: str, value: str) -> str:
        """The value under ``key``; ``value`` is stored first if there is none (the first wins)."""
        stored = self.meta(key)
        if stored is not None:  # no write, so a full disk does not stop a reader
            return stored
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
            return db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()[0]
