"""A watchdog that ends requests: past their total deadline, too slow for a free slow slot, or on stop.

Socket timeouts bound each wait, not the request: a site that sends one byte a second
never trips them. The watchdog holds a duplicate of each request's socket and shuts
the connection down when the request must end; the request's own thread then fails
at once and reports why (:meth:`Watch.check`).

Slow requests share a bounded number of slots: one still running after ``slow_after``
seconds keeps going only while a slot is free, so trickling sites cannot hold every
worker and starve the rest.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Literal


class Ended(Exception):
    """Why the watchdog ended a request: ``kind`` is ``timeout`` or ``aborted``."""

    def __init__(self, kind: Literal["timeout", "aborted"], message: str) -> None:
        super().__init__(message)
        self.kind: Literal["timeout", "aborted"] = kind


class Watch:
    """One request under the watchdog."""

    __slots__ = ("_dups", "_lock", "deadline", "ended", "slow", "started")

    def __init__(self, total: float) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + total
        self.ended: Ended | None = None
        self.slow = False
        self._dups: list[socket.socket] = []
        self._lock = threading.Lock()

    def attach(self, sock: socket.socket) -> None:
        """Watch ``sock``'s connection (a duplicate survives TLS wrapping the original)."""
        with self._lock:
            if self.ended is None:
                self._dups.append(sock.dup())
                return
        sock.close()
        self.check()

    def check(self) -> None:
        """Raise the watchdog's verdict, if it ended this request."""
        if self.ended is not None:
            raise self.ended

    def end(self, why: Ended) -> None:
        with self._lock:
            if self.ended is None:
                self.ended = why
            for dup in self._dups:
                with contextlib.suppress(OSError):
                    dup.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            for dup in self._dups:
                dup.close()
            self._dups.clear()


class Watchdog:
    """Ends the requests of one fetcher that must end; one thread, woken four times a second."""

    TICK = 0.25

    def __init__(self, slow_after: float | None = None, slow_slots: int = 0) -> None:
        self.slow_after = slow_after
        self.slow_slots = slow_slots
        self._live: set[Watch] = set()
        self._lock = threading.Lock()
        self._slow = 0
        self._aborted: Ended | None = None
        self._thread: threading.Thread | None = None

    @property
    def aborted(self) -> bool:
        return self._aborted is not None

    @contextlib.contextmanager
    def watch(self, total: float) -> Iterator[Watch]:
        """Watch one request for its whole life (``total`` seconds at most)."""
        w = Watch(total)
        with self._lock:
            if self._aborted is not None:
                raise self._aborted
            self._live.add(w)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fetch-watchdog", daemon=True)
                self._thread.start()
        try:
            yield w
        finally:
            with self._lock:
                self._live.discard(w)
                if w.slow:
                    self._slow -= 1
            w.close()

    def abort(self, message: str = "zxfeed is stopping") -> None:
        """End every request now, and refuse new ones."""
        why = Ended("aborted", message)
        with self._lock:
            self._aborted = why
            live = list(self._live)
        for w in live:
            w.end(why)

    def _run(self) -> None:
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            ending: list[tuple[Watch, Ended]] = []
            with self._lock:
                if not self._live:  # idle: started again by the next request
                    self._thread = None
                    return
                for w in self._live:
                    if w.ended is not None:
                        continue
                    if now > w.deadline:
                        ending.append((w, Ended("timeout", "page not complete within the total "
                                                f"deadline of {w.deadline - w.started:.0f} s")))
                    elif (self.slow_after is not None and not w.slow
                          and now - w.started > self.slow_after):
                        if self._slow < self.slow_slots:
                            w.slow = True
                            self._slow += 1
                        else:
                            ending.append((w, Ended(
                                "timeout", f"slower than {self.slow_after:.0f} s while every slot "
                                "for slow sites is taken")))
            for w, why in ending:
                w.end(why)


_DEFAULT: Watchdog | None = None
_DEFAULT_LOCK = threading.Lock()


def default_watchdog() -> Watchdog:
    """A process-wide watchdog with deadlines only (for callers without a fetcher)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Watchdog()
        return _DEFAULT
