"""Fetch stage: polite HTTP GET with conditional requests, time and size limits.

One :class:`Fetcher` (one ``urllib3.PoolManager``: a small pool per host, kept
alive for the article pages that follow a list page) per process. Politeness per
host (one request at a time, a minimum delay between requests) is kept here.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    DecodeError,
    HTTPError,
    LocationValueError,
    NewConnectionError,
    ProtocolError,
    TimeoutError,
)

from . import __version__
from .robots import RobotsCache

DEFAULT_USER_AGENT = f"zxfeed/{__version__} (+https://github.com/zxfeed/zxfeed; feed aggregator)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
Headers = Mapping[str, str]  # case-insensitive (urllib3's HTTPHeaderDict)


class FetchError(Exception):
    """A fetch that produced no usable page; ``kind`` says why (for source health)."""

    def __init__(self, kind: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None, body: bytes = b"",
                 headers: Headers | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.body = body
        self.headers: Headers = headers if headers is not None else urllib3.HTTPHeaderDict()


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
    pool: int = 64  # hosts whose last connection is kept alive (least recently used dropped)
    total_timeout: float = 120.0  # a page that trickles in slower than this is given up


class _HostGate:
    """At most N requests at once to one host, spaced by a minimum delay."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._sem = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self.delay = delay
        self._next = 0.0

    def __enter__(self) -> None:
        self._sem.acquire()
        with self._lock:
            wait = self._next - time.monotonic()
            self._next = max(self._next, time.monotonic()) + self.delay
        if wait > 0:
            time.sleep(wait)

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


def _network_message(exc: Exception) -> str:
    text = str(exc)
    if "Name or service not known" in text or "Temporary failure in name resolution" in text \
            or "nodename nor servname" in text or "Failed to resolve" in text:
        return "cannot resolve the host name (DNS) — no internet here, or a wrong address"
    if "Connection refused" in text:
        return "connection refused — the server is down or the port is wrong"
    return f"{type(exc).__name__}: {text}"[:300]


def body_hash(body: bytes) -> str:
    """Hash that tells an unchanged page without parsing it."""
    return hashlib.blake2b(body, digest_size=16).hexdigest()


class Fetcher:
    """The process's HTTP client: use one, share it between threads, close it at exit."""

    def __init__(self, settings: FetchSettings | None = None) -> None:
        self.settings = s = settings or FetchSettings()
        # urllib3 rather than httpx: a pool per host is a dict lookup, where httpcore scans
        # every pooled connection on each request (5× the CPU of a 304 with thousands of hosts).
        self._pool = urllib3.PoolManager(
            num_pools=s.pool, maxsize=max(1, s.host_concurrency), block=False,
            timeout=urllib3.Timeout(connect=s.connect_timeout, read=s.read_timeout),
            retries=False,
        )
        self._headers = {
            "User-Agent": s.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
        }
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self.robots = RobotsCache(s.user_agent, self._robots_get)

    def _robots_get(self, url: str) -> tuple[int, bytes]:
        resp = self._fetch(url, {})
        return resp[0], resp[1]

    def close(self) -> None:
        """Close pooled connections."""
        self._pool.clear()

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
                    self.settings.host_concurrency, self.settings.host_delay
                )
            return gate

    def _fetch(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, Headers, str]:
        """GET with redirects followed by hand, so that every hop passes its host's gate."""
        for _ in range(self.settings.max_redirects + 1):
            with self._gate(url):
                status, body, rheaders = self._request(url, headers)
            location = rheaders.get("location")
            if status not in REDIRECTS or not location:
                return status, body, rheaders, url
            url = urljoin(url, location.strip())
            if urlsplit(url).scheme not in ("http", "https"):
                raise FetchError("invalid-url", f"redirected to a non-HTTP address: {url[:200]}")
        raise FetchError("redirects", f"too many redirects (more than {self.settings.max_redirects})")

    def _request(self, url: str, headers: dict[str, str]) -> tuple[int, bytes, Headers]:
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                resp = self._pool.request("GET", url, headers={**self._headers, **headers}, redirect=False,
                                          preload_content=False)
                complete = False
                try:
                    if resp.status in REDIRECTS:
                        return resp.status, b"", resp.headers
                    body = self._read_capped(resp, started)
                    complete = True
                    return resp.status, body, resp.headers
                finally:
                    if not complete:  # unread bytes left: the connection cannot be reused
                        resp.close()
                    resp.release_conn()
            except ProtocolError as exc:
                # A kept-alive connection the server had already closed: try once on a new one.
                if attempt == 2:
                    raise FetchError("network", _network_message(exc)) from None
            except NewConnectionError as exc:  # before TimeoutError: it subclasses it
                raise FetchError("network", _network_message(exc)) from None
            except TimeoutError as exc:
                raise FetchError("timeout", f"timed out ({type(exc).__name__})") from None
            except (LocationValueError, ValueError) as exc:
                raise FetchError("invalid-url", str(exc)[:300]) from None
            except DecodeError as exc:
                raise FetchError("network", f"bad compressed body: {exc}"[:300]) from None
            except HTTPError as exc:
                raise FetchError("network", _network_message(exc)) from None
        raise AssertionError("unreachable")

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            known_hash: str | None = None, robots: bool = True) -> Response:
        """GET ``url`` politely; ``not_modified`` is set on 304 or an unchanged body hash."""
        if robots and self.settings.robots:
            if not self.robots.allowed(url):
                raise FetchError("robots", "robots.txt disallows this page")
            delay = self.robots.crawl_delay(url)
            if delay:
                gate = self._gate(url)
                gate.delay = max(gate.delay, delay)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        status, body, rheaders, final = self._fetch(url, headers)
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

    def _read_capped(self, resp: urllib3.BaseHTTPResponse, started: float) -> bytes:
        cap = self.settings.max_bytes
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError("too-large", f"body of {declared} bytes exceeds the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        # Counted after decompression (a small gzip can expand into a huge page); small reads
        # keep what one compressed chunk can expand to bounded.
        for chunk in resp.stream(16384, decode_content=True):
            size += len(chunk)
            if size > cap:
                raise FetchError("too-large", f"body exceeds the {cap}-byte cap")
            if time.monotonic() - started > self.settings.total_timeout:
                raise FetchError("timeout", f"page not complete after {self.settings.total_timeout:.0f} s")
            chunks.append(chunk)
        return b"".join(chunks)
