"""WebSub publisher side: tell the hub which feeds changed (``hub.mode=publish``), with retries.

The hub then fetches those feeds and pushes them to their subscribers. Pings run on a
thread of their own so that a slow or failing hub never holds up publishing; URLs that
failed are merged into the next attempt, which backs off exponentially.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlencode

from .. import __version__

log = logging.getLogger("zxfeed.websub")


def topic_urls(base_url: str, feeds_dir: Path, files: Iterable[Path]) -> list[str]:
    """The public URLs of written feed files (archive pages never change: no ping)."""
    out = []
    for f in files:
        rel = Path(f).relative_to(feeds_dir).as_posix()
        if not rel.startswith("archive/"):
            out.append(f"{base_url}/feeds/{quote(rel)}")
    return out


def ping(hub: str, urls: list[str], timeout: float = 10.0) -> None:
    """One form-encoded publish notification naming ``urls``; raises on failure."""
    body = urlencode([("hub.mode", "publish")] + [("hub.url", u) for u in urls]).encode("ascii")
    request = urllib.request.Request(hub, data=body, method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", "User-Agent": f"zxfeed/{__version__}"})
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        if resp.status >= 300:
            raise urllib.error.HTTPError(hub, resp.status, resp.reason, resp.headers, None)


def ping_soon(hub: str, urls: list[str], attempts: int = 3, base: float = 1.0) -> bool:
    """Ping now, retrying a few times (for commands that exit afterwards); whether it went."""
    import time

    for attempt in range(attempts):
        try:
            ping(hub, urls)
            return True
        except (OSError, urllib.error.URLError) as exc:
            log.warning("websub ping hub=%s failed (%s), attempt %d of %d", hub, exc, attempt + 1,
                        attempts)
            if attempt + 1 < attempts:
                time.sleep(base * 2 ** attempt)
    return False


class HubPinger:
    """Pings a hub in the background; failed pings are retried with backoff until they succeed."""

    def __init__(self, hub: str, *, retry_base: float = 5.0, retry_cap: float = 600.0) -> None:
        self.hub = hub
        self.retry_base = retry_base
        self.retry_cap = retry_cap
        self._pending: dict[str, None] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="websub", daemon=True)
        self.sent = 0

    def start(self) -> None:
        """Start the ping thread."""
        self._thread.start()

    def notify(self, urls: Iterable[str]) -> None:
        """Queue these topics for the next ping."""
        with self._lock:
            self._pending.update(dict.fromkeys(urls))
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Try once more to send what is queued, then end the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _loop(self) -> None:
        failures = 0
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                urls, self._pending = list(self._pending), {}
            if urls:
                try:
                    ping(self.hub, urls)
                    self.sent += 1
                    failures = 0
                    log.info("websub ping hub=%s topics=%d", self.hub, len(urls))
                except (OSError, urllib.error.URLError) as exc:
                    failures += 1
                    with self._lock:  # retried together with whatever changes meanwhile
                        self._pending = dict.fromkeys(urls) | self._pending
                    delay = min(self.retry_cap, self.retry_base * 2 ** (failures - 1))
                    log.warning("websub ping hub=%s failed (%s); retry in %.0fs", self.hub, exc, delay)
                    if self._stop.wait(delay):
                        return
                    self._wake.set()
                    continue
            if self._stop.is_set():
                return
