"""robots.txt, read with protego (wildcards and longest-match right, unlike urllib's parser).

Fetched once per host and kept for a day. A missing file (4xx) allows everything;
an unreachable one allows too (and is asked again within the hour), so a flaky
robots.txt never silences a source that answers its pages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

TTL_OK = 24 * 3600
TTL_ERROR = 3600
MAX_CRAWL_DELAY = 60.0

Getter = Callable[..., tuple[int, bytes]]  # (url, **request options) → (status, body)


class RobotsCache:
    """Per-host robots.txt rules for one user agent."""

    def __init__(self, user_agent: str, get: Getter) -> None:
        self.agent = user_agent.split("/", 1)[0]
        self._get = get
        self._rules: dict[str, tuple[float, Protego | None]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _host_lock(self, origin: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(origin, threading.Lock())

    def rules(self, url: str, **options: object) -> Protego | None:
        """The parsed rules for ``url``'s host, or ``None`` when everything is allowed.

        ``options`` go to the getter (which addresses the request may reach, TLS).
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._host_lock(origin):
            cached = self._rules.get(origin)
            if cached and cached[0] > time.monotonic():
                return cached[1]
            try:
                status, body = self._get(origin + "/robots.txt", **options)
            except Exception as exc:  # any failure means "no rules known"
                # A refusal of ours says nothing about the site: do not keep it for others.
                if getattr(exc, "kind", None) not in ("blocked-address", "aborted", "tls"):
                    self._rules[origin] = (time.monotonic() + TTL_ERROR, None)
                return None
            parsed = None
            if 200 <= status < 300 and body:
                parsed = Protego.parse(body.decode("utf-8", "replace"))
            self._rules[origin] = (time.monotonic() + (TTL_OK if status < 500 else TTL_ERROR),
                                   parsed)
            return parsed

    def allowed(self, url: str, **options: object) -> bool:
        """Whether robots.txt lets us fetch ``url``."""
        parsed = self.rules(url, **options)
        return parsed is None or parsed.can_fetch(url, self.agent)

    def crawl_delay(self, url: str, **options: object) -> float | None:
        """The host's Crawl-delay for us, capped so a typo cannot stall a source for hours."""
        parsed = self.rules(url, **options)
        delay = parsed.crawl_delay(self.agent) if parsed else None
        return min(float(delay), MAX_CRAWL_DELAY) if delay else None
