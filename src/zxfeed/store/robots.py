"""robots.txt files as last read, so that a restart or a one-shot poll does not fetch them again."""

from __future__ import annotations

from .base import StoreBase


class RobotsMixin(StoreBase):
    """The ``robots`` table of :class:`~zxfeed.store.Store` (the fetch stage's robots memory)."""

    def robots_file(self, origin: str) -> tuple[float, int, str] | None:
        """``(expires, status, text)`` of ``origin``'s robots.txt as last read; expires in epoch seconds."""
        rows = self._query("SELECT expires, status, body FROM robots WHERE origin=?", (origin,))
        return (float(rows[0][0]), int(rows[0][1]), rows[0][2] or "") if rows else None

    def keep_robots_file(self, origin: str, expires: float, status: int, text: str) -> None:
        """Remember ``origin``'s robots.txt (``status`` 0: it could not be read) until ``expires``."""
        with self._transaction() as db:
            db.execute("INSERT INTO robots (origin, expires, status, body) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT(origin) DO UPDATE SET expires=excluded.expires, "
                       "status=excluded.status, body=excluded.body",
                       (origin, expires, status, text))
