"""One process at a time may schedule polls and send mail for a store: an flock beside the DB."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from ..files import private_dir, private_file


class AlreadyRunning(Exception):
    """Another zxfeed process holds the store's lock."""


class StoreLock:
    """Exclusive, non-blocking; released when closed or when the process dies (even SIGKILL)."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`AlreadyRunning` naming the holder."""
        private_dir(self.path.parent)
        private_file(self.path)
        fh = self.path.open("r+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            other = fh.read().strip() or "?"
            fh.close()
            raise AlreadyRunning(
                f"another zxfeed (pid {other}) is already running on {str(self.path)[:-5]} — "
                "stop it first, or give this one its own [storage] path"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def try_acquire(self) -> bool:
        """Take the lock if free; ``False`` if another process holds it."""
        try:
            self.acquire()
        except AlreadyRunning:
            return False
        return True

    def holder(self) -> int | None:
        """The pid of the process holding the lock, or ``None`` when nobody does."""
        try:
            fh = self.path.open("r")
        except FileNotFoundError:
            return None
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = fh.read().strip()
                return int(text) if text.isdigit() else None
            fcntl.flock(fh, fcntl.LOCK_UN)
            return None

    def release(self) -> None:
        """Let go of the lock."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
