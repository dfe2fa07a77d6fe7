"""The mail loop: one thread sends alerts, digests and operator mail in rounds."""

from __future__ import annotations

import logging
import threading
import time

from ..config.settings import Config
from ..notify.notifier import Notifier
from ..store import Store, StoreWriteError
from .observer import NO_OBSERVER, DaemonObserver

log = logging.getLogger("zxfeed.schedule")


class MailLoop:
    """Polls only wake it, so alerts of polls that end together share a round."""

    def __init__(self, stopping: threading.Event, every: float = 15.0, gather: float = 0.3,
                 observer: DaemonObserver = NO_OBSERVER) -> None:
        self.notifier: Notifier | None = None
        self.observer = observer
        self._stopping = stopping
        self._due = threading.Event()
        self._every = every
        self._gather = gather
        self._thread: threading.Thread | None = None

    def configure(self, cfg: Config, store: Store) -> None:
        """A notifier for this config (merging its subscribers into the store)."""
        notifier = Notifier(cfg, store)
        notifier.wake = self.wake
        self.notifier = notifier

    def wake(self) -> None:
        """Ask for a round soon (new items, a queued digest, a reload)."""
        self._due.set()

    def start(self) -> None:
        # Mail left pending by a crash or an SMTP outage goes out at start and on a timer.
        self._thread = threading.Thread(target=self._loop, name="mail", daemon=True)
        self._thread.start()

    def join(self, timeout: float) -> bool:
        """Wake the thread to see the stop and wait for it; ``True`` when still running."""
        self._due.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            return self._thread.is_alive()
        return False

    def digests(self) -> int:
        """Queue the digests now due; the mail thread sends them (and any queued by the CLI)."""
        if self.notifier is None:
            return 0
        queued = sum(self.notifier.digest(sub, once=True) is not None for sub in self.notifier.due_digests())
        if queued:
            self._due.set()
        return queued

    def _loop(self) -> None:
        self._due.set()
        while not self._stopping.is_set():
            self._due.wait(timeout=self._every)
            if self._stopping.is_set():
                break
            time.sleep(self._gather)
            self._due.clear()
            try:
                if self.notifier is not None:
                    started, cpu = time.monotonic(), time.thread_time()
                    self.notifier.run_round()
                    self.observer.on_mail_round(time.monotonic() - started,
                                                time.thread_time() - cpu)
            except StoreWriteError as exc:
                log.warning("mail round failed: %s", exc)
            except Exception:  # a bad round must not end mail for good; it is retried
                log.exception("mail round failed")
