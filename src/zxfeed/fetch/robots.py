"""robots.txt, read with protego (wildcards and longest-match right, unlike urllib's parser).

Fetched once per host and kept for a day. A missing file (4xx) allows everything;
an unreachable one allows too (and is asked again within the hour), so a flaky
robots.txt never silences a source that answers its pages. With a :class:`RobotsMemory`
(the store) what was read outlives the process: a one-shot poll from cron or a restart
does not ask every host for its robots.txt again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

from protego import Protego

TTL_OK = 24 * 3600
TTL_ERROR = 3600
MAX_CRAWL_DELAY = 60.0

Getter = Callable[..., tuple[int, bytes]]  # (url, **request options) → (status, body)
UNREAD = 0  # the status remembered for a robots.txt that could not be read
log = logging.getLogger("zxfeed.fetch")


class RobotsMemory(Protocol):
    """Where robots.txt files outlive the process (the store implements it)."""

    def robots_file(self, origin: str) -> tuple[float, int, str] | None:
        """``(expires, status, text)`` as last kept; ``expires`` in epoch seconds."""
        ...

    def keep_robots_file(self, origin: str, expires: float, status: int, text: str) -> None:
        """Keep ``origin``'s robots.txt until ``expires``."""
        ...


class RobotsCache:
    """Per-host robots.txt rules for one user agent."""

    def __init__(self, user_agent: str, get: Getter, memory: RobotsMemory | None = None) -> None:
        self.agent = user_agent.split("/", 1)[0]
        self._get = get
        self.memory = memory
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
            if (kept := self._recall(origin)) is not None:
                return kept[0]
            try:
                status, body = self._get(origin + "/robots.txt", **options)
            except Exception as exc:  # any failure means "no rules known"
                # A refusal of ours says nothing about the site: do not keep it for others.
                if getattr(exc, "kind", None) not in ("blocked-address", "aborted", "tls"):
                    self._keep(origin, TTL_ERROR, UNREAD, "")
                return None
            text = body.decode("utf-8", "replace") if 200 <= status < 300 and body else ""
            return self._keep(origin, TTL_OK if status < 500 else TTL_ERROR, status, text)

    def _keep(self, origin: str, ttl: float, status: int, text: str) -> Protego | None:
        parsed = Protego.parse(text) if text else None
        self._rules[origin] = (time.monotonic() + ttl, parsed)
        if self.memory is not None:
            try:
                self.memory.keep_robots_file(origin, time.time() + ttl, status, text)
            except Exception as exc:  # a store that cannot write must not stop the poll
                log.debug("robots.txt of %s not kept: %s", origin, exc)
        return parsed

    def _recall(self, origin: str) -> tuple[Protego | None] | None:
        """``(rules,)`` as an earlier process kept them, while still fresh; else ``None``."""
        if self.memory is None:
            return None
        try:
            kept = self.memory.robots_file(origin)
        except Exception as exc:
            log.debug("robots.txt of %s not read from the store: %s", origin, exc)
            return None
        if kept is None or (left := kept[0] - time.time()) <= 0:
            return None
        parsed = Protego.parse(kept[2]) if kept[2] else None
        self._rules[origin] = (time.monotonic() + left, parsed)
        return (parsed,)

    def allowed(self, url: str, **options: object) -> bool:
        """Whether robots.txt lets us fetch ``url``."""
        parsed = self.rules(url, **options)
        return parsed is None or parsed.can_fetch(url, self.agent)

    def crawl_delay(self, url: str, **options: object) -> float | None:
        """The host's Crawl-delay for us, capped so a typo cannot stall a source for hours."""
        parsed = self.rules(url, **options)
        delay = parsed.crawl_delay(self.agent) if parsed else None
        return min(float(delay), MAX_CRAWL_DELAY) if delay else None
