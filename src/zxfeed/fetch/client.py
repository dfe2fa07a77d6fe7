"""Fetch stage: polite HTTP GET with conditional requests, redirects, robots.txt.

One :class:`Fetcher` per process, shared by the poll threads. Politeness per host
(one request at a time, a minimum delay between requests, robots.txt) is kept
here; :mod:`zxfeed.transport` sends each request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from .. import DEFAULT_USER_AGENT
from ..models import FetchErrorKind
from .deadline import Watchdog
from .netguard import Reach
from .proxy import proxy_for
from .robots import RobotsCache, RobotsMemory
from .transport import Limits, Route, TransportError
from .transport import get as transport_get

if TYPE_CHECKING:
    from ..config.settings import Config

REDIRECTS = frozenset({301, 302, 303, 307, 308})
Headers = Message  # case-insensitive, repeated names kept (what http.client gives)


class FetchError(Exception):
    """A fetch that produced no usable page; ``kind`` says why (for source health)."""

    def __init__(self, kind: FetchErrorKind, message: str, *, status: int | None = None,
                 retry_after: float | None = None, body: bytes = b"",
                 headers: Headers | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.headers: Headers = headers if headers is not None else Message()


@dataclass(slots=True)
class Response:
    """A page as fetched: final URL, status, headers and (unless unchanged) the body."""

    url: str
    status: int
    headers: Headers
    body: bytes
    body_hash: str
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float

    @property
    def content_type(self) -> str | None:
        """The Content-Type header, if any."""
        return self.headers.get("content-type")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits and manners for every request."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    host_delay: float = 1.0
    host_concurrency: int = 1
    robots: bool = True
    total_timeout: float = 60.0  # a page that trickles in slower than this is given up
    slow_after: float | None = 15.0  # a request this old needs one of the slow slots …
    slow_slots: int = 12  # … of which there are this many (a share of the workers)
    allow_private: bool = False  # internal addresses reachable by every request
    proxy: str | None = None  # else HTTPS_PROXY / HTTP_PROXY; NO_PROXY applies either way
    no_proxy: tuple[str, ...] = ()


def fetch_settings(cfg: Config) -> FetchSettings:
    """HTTP limits from the config's ``[fetch]`` table."""
    f = cfg.fetch
    return FetchSettings(user_agent=f.user_agent, connect_timeout=f.connect_timeout,
                         read_timeout=f.read_timeout, max_bytes=f.max_bytes,
                         max_redirects=f.max_redirects, host_delay=f.host_delay,
                         host_concurrency=f.host_concurrency, robots=f.robots,
                         total_timeout=f.total_timeout, slow_after=f.slow_after,
                         slow_slots=max(1, int(f.workers * f.slow_share)),
                         allow_private=f.allow_private, proxy=f.proxy, no_proxy=tuple(f.no_proxy))


class _HostGate:
    """At most N requests at once to one host, spaced by a minimum delay; left at once on stop."""

    def __init__(self, concurrency: int, delay: float, stopping: threading.Event) -> None:
        self._sem = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._stopping = stopping
        self.delay = delay
        self._next = 0.0

    def __enter__(self) -> None:
        while not self._sem.acquire(timeout=0.5):
            if self._stopping.is_set():
                raise FetchError("aborted", "zxfeed is stopping")
        with self._lock:
            wait = self._next - time.monotonic()
            self._next = max(self._next, time.monotonic()) + self.delay
        if wait > 0 and self._stopping.wait(wait):
            self._sem.release()
            raise FetchError("aborted", "zxfeed is stopping")

    def __exit__(self, *exc: object) -> None:
        self._sem.release()


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def body_hash(body: bytes) -> str:
    """Hash that tells an unchanged page without parsing it."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class Fetcher:
    """The process's HTTP client: use one, share it between threads, close it at exit."""

    def __init__(self, settings: FetchSettings | None = None,
                 robots_memory: RobotsMemory | None = None) -> None:
        """``robots_memory`` (the store) keeps robots.txt files across processes."""
        self.settings = s = settings or FetchSettings()
        self._limits = Limits(connect_timeout=s.connect_timeout, read_timeout=s.read_timeout,
                              total_timeout=s.total_timeout, max_bytes=s.max_bytes)
        self._headers = {
            "User-Agent": s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        }
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._stopping = threading.Event()
        self.watchdog = Watchdog(s.slow_after, s.slow_slots)
        self.robots = RobotsCache(s.user_agent, self._robots_get, robots_memory)

    def _robots_get(self, url: str, reach: Reach | None = None, tls_verify: bool = True
                    ) -> tuple[int, bytes]:
        resp = self._fetch(url, {}, self._route(url, reach, tls_verify))
        return resp[0], resp[1]

    @property
    def aborted(self) -> bool:
        """Whether :meth:`abort` was called: every request fails at once from then on."""
        return self._stopping.is_set()

    def abort(self) -> None:
        """End requests in flight and refuse new ones (the daemon is stopping)."""
        self._stopping.set()
        self.watchdog.abort()

    def _route(self, url: str, reach: Reach | None, tls_verify: bool) -> Route:
        """Addresses and TLS for a request to ``url``; the proxy is chosen per hop by ``_fetch``."""
        return Route(reach=reach or Reach.own(url, allow_all=self.settings.allow_private),
                     tls_verify=tls_verify)

    def close(self) -> None:
        """Nothing is held between requests; kept so that ``with Fetcher()`` reads naturally."""

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _gate(self, url: str) -> _HostGate:
        host = (urlsplit(url).hostname or "").lower()
        with self._gates_lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = self._gates[host] = _HostGate(
                    self.settings.host_concurrency, self.settings.host_delay, self._stopping
                )
            return gate

    def _fetch(self, url: str, headers: dict[str, str], route: Route
               ) -> tuple[int, bytes, Headers, str]:
        """GET with redirects followed by hand: every hop passes its host's gate and address check."""
        for _ in range(self.settings.max_redirects + 1):
            # Per hop: a redirect may lead to a host that NO_PROXY names.
            route = replace(route, proxy=proxy_for(url, self.settings.proxy, self.settings.no_proxy))
            with self._gate(url):
                status, body, rheaders = self._request(url, headers, route)
            location = rheaders.get("location")
            if status not in REDIRECTS or not location:
                return status, body, rheaders, url
            url = urljoin(url, location.strip())
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError("invalid-url", f"redirected to a non-HTTP address: {url[:200]}")
        raise FetchError("redirects", f"too many redirects (more than {self.settings.max_redirects})")

    def _request(self, url: str, headers: dict[str, str], route: Route
                 ) -> tuple[int, bytes, Headers]:
        try:
            return transport_get(url, {**self._headers, **headers}, self._limits, route=route,
                                 watchdog=self.watchdog)
        except TransportError as exc:
            raise FetchError(exc.kind, str(exc)) from None

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            known_hash: str | None = None, robots: bool = True, reach: Reach | None = None,
            tls_verify: bool = True) -> Response:
        """GET ``url`` politely; ``not_modified`` is set on 304 or an unchanged body hash.

        ``reach``: the internal addresses this request may connect to (by default only
        ``url``'s own host, and everything with ``allow_private``).
        """
        if self._stopping.is_set():
            raise FetchError("aborted", "zxfeed is stopping")
        route = self._route(url, reach, tls_verify)
        if robots and self.settings.robots:
            if not self.robots.allowed(url, reach=route.reach, tls_verify=tls_verify):
                raise FetchError("robots", "robots.txt disallows this page")
            delay = self.robots.crawl_delay(url, reach=route.reach, tls_verify=tls_verify)
            if delay:
                gate = self._gate(url)
                gate.delay = max(gate.delay, delay)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        status, body, rheaders, final = self._fetch(url, headers, route)
        elapsed = time.monotonic() - started
        if status == 304:
            return Response(final, status, rheaders, b"", known_hash or "", etag, last_modified,
                            True, elapsed)
        if status >= 400 or status in (202, 204) or status in REDIRECTS:
            raise FetchError("http", f"HTTP {status}", status=status,
                             retry_after=_retry_after(rheaders.get("retry-after")),
                             body=body, headers=rheaders)
        digest = body_hash(body)
        return Response(
            url=final, status=status, headers=rheaders, body=body, body_hash=digest,
            etag=rheaders.get("etag"), last_modified=rheaders.get("last-modified"),
            not_modified=known_hash is not None and digest == known_hash, elapsed=elapsed,
        )
