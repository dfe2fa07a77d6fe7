"""One HTTP GET over the standard library's ``http.client``: timeouts, decompression, size cap.

Polls of one host are minutes apart, so every request uses a new connection.
``http.client`` rather than urllib3 or httpx: their pools and wrappers cost
more CPU than the 304 itself (measured per request on 1,000 hosts: httpx 5 ms
before its pool was capped, urllib3 0.8 ms, ``http.client`` 0.5 ms).
"""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from urllib.parse import SplitResult, quote, unquote, urlsplit

from ..models import FetchErrorKind
from .deadline import Ended, Watch, Watchdog, default_watchdog
from .netguard import BlockedAddress, Reach, check, resolve

CHUNK = 16384
NO_INTERNAL = Reach()
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


class TransportError(Exception):
    """The request failed below HTTP semantics.

    ``kind``: timeout, network, invalid-url, too-large, blocked-address, tls or aborted.
    """

    def __init__(self, kind: FetchErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Limits:
    """Time and size limits of one request."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 120.0
    max_bytes: int = 5 * 1024 * 1024


@lru_cache(maxsize=2)
def _tls(verify: bool = True) -> ssl.SSLContext:
    # Loading the CA store takes milliseconds: once per process, shared by all threads.
    if verify:
        return ssl.create_default_context()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


# TLS sessions of recently visited hosts, for resumption: a full handshake costs about three
# times the CPU of the 304 it carries. Bounded: a session holds the peer's certificate.
SESSIONS = 2048
_sessions: OrderedDict[tuple[bool, str, int], ssl.SSLSession] = OrderedDict()
_sessions_lock = threading.Lock()


def _session(key: tuple[bool, str, int]) -> ssl.SSLSession | None:
    with _sessions_lock:
        found = _sessions.get(key)
        if found is not None:
            _sessions.move_to_end(key)
        return found


def _keep_session(key: tuple[bool, str, int], sock: object) -> None:
    if getattr(sock, "session_reused", False):
        # The session offered is still good: keep offering it. Reading ``sock.session`` copies
        # the session through DER (its certificate chain included), dearer than the 304 itself.
        # A reused ticket links our connections to each other, which a poller that names
        # itself in its User-Agent does not mind.
        with _sessions_lock:
            if key in _sessions:
                _sessions.move_to_end(key)
        return
    session = getattr(sock, "session", None)
    if session is None or not (session.has_ticket or session.id):
        return
    with _sessions_lock:
        _sessions[key] = session
        _sessions.move_to_end(key)
        while len(_sessions) > SESSIONS:
            _sessions.popitem(last=False)


class _ResumingHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection that offers the host's last TLS session (resumed if the server agrees)."""

    def __init__(self, host: str, port: int, *, timeout: float, context: ssl.SSLContext,
                 session_key: tuple[bool, str, int]) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.session_key = session_key

    def connect(self) -> None:
        http.client.HTTPConnection.connect(self)
        hostname = self._tunnel_host or self.host  # type: ignore[attr-defined]
        self.sock = self._context.wrap_socket(  # type: ignore[attr-defined]
            self.sock, server_hostname=hostname, session=_session(self.session_key))


def request_target(url: str) -> tuple[str, str, int | None, str]:
    """Scheme, ASCII host, port and percent-encoded path of an http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError("invalid-url", f"not an http(s) URL: {url[:200]}")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port
    except (UnicodeError, ValueError) as exc:
        raise TransportError("invalid-url", f"bad host or port in {url[:200]}: {exc}") from None
    # Chinese and space characters in paths are common on these sites; a request line is ASCII.
    target = quote(parts.path or "/", safe=_SAFE_PATH)
    if parts.query:
        target += "?" + quote(parts.query, safe=_SAFE_QUERY)
    return parts.scheme, host, port, target


@dataclass(frozen=True, slots=True)
class Route:
    """How one request reaches its site: which addresses it may use, and through which proxy."""

    reach: Reach = NO_INTERNAL
    proxy: str | None = None  # http://[user:pass@]host:port
    tls_verify: bool = True


def _connector(route: Route, watch: Watch, guard: bool) -> Callable[..., socket.socket]:
    """A ``socket.create_connection`` that checks addresses and lets the watchdog close it."""
    def create_connection(address: tuple[str, int], timeout: float | None = None,
                          source_address: object = None) -> socket.socket:
        host, port = address
        infos = resolve(host, port)
        if guard:
            infos = check(route.reach, host, port, infos)
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            watch.attach(sock)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                error = exc
                sock.close()
                watch.check()
        raise error or OSError(f"cannot connect to {host}:{port}")
    return create_connection


def _proxied_target_check(route: Route, host: str, port: int) -> None:
    """Through a proxy the site is resolved there; still refuse names that resolve inside here."""
    try:
        infos = resolve(host, port)
    except (socket.gaierror, UnicodeError):
        return  # only the proxy can resolve it: its own rules apply
    check(route.reach, host, port, infos)


def get(url: str, headers: dict[str, str], limits: Limits, *, route: Route | None = None,
        watchdog: Watchdog | None = None) -> tuple[int, bytes, Message]:
    """GET ``url`` on a new connection; return status, decompressed body and headers.

    The whole request (connect, TLS, headers, body) ends within ``limits.total_timeout``:
    the watchdog closes the socket of a site that trickles.
    """
    route = route or Route()
    scheme, host, port, target = request_target(url)
    port = port or (443 if scheme == "https" else 80)
    try:
        with (watchdog or default_watchdog()).watch(limits.total_timeout) as watch:
            return _classified(scheme, host, port, target, headers, limits, route, watch)
    except Ended as exc:  # the watchdog's verdict explains whatever the socket said
        raise TransportError(exc.kind, str(exc)) from None


def _classified(scheme: str, host: str, port: int, target: str, headers: dict[str, str],
                limits: Limits, route: Route, watch: Watch) -> tuple[int, bytes, Message]:
    """:func:`_get` with every failure turned into a :class:`TransportError` of its kind."""
    try:
        return _get(scheme, host, port, target, headers, limits, route, watch)
    except TransportError:
        watch.check()
        raise
    except BlockedAddress as exc:
        raise TransportError("blocked-address", str(exc)[:300]) from None
    except TimeoutError as exc:  # socket.timeout is TimeoutError
        watch.check()
        raise TransportError("timeout", f"timed out ({exc or 'no answer'})") from None
    except socket.gaierror:
        raise TransportError(
            "network", "cannot resolve the host name (DNS) — no internet here, or a wrong address"
        ) from None
    except ConnectionRefusedError:
        watch.check()
        raise TransportError(
            "network", "connection refused — the server is down or the port is wrong") from None
    except ssl.SSLCertVerificationError as exc:
        raise TransportError("tls", f"certificate not trusted: {exc.verify_message or exc}"[:300]
                             + " — fix the site's certificate, or set tls_verify = false with "
                               "tls_reason for this source") from None
    except ssl.SSLError as exc:  # a handshake that failed, not a certificate refused
        watch.check()
        raise TransportError("network", f"TLS: {exc}"[:300]) from None
    except http.client.InvalidURL as exc:
        raise TransportError("invalid-url", str(exc)[:300]) from None
    except (http.client.HTTPException, OSError, ValueError) as exc:
        watch.check()
        raise TransportError("network", f"{type(exc).__name__}: {exc}"[:300]) from None
    except zlib.error as exc:
        raise TransportError("network", f"bad compressed body: {exc}"[:300]) from None


def _get(scheme: str, host: str, port: int, target: str, headers: dict[str, str], limits: Limits,
         route: Route, watch: Watch) -> tuple[int, bytes, Message]:
    proxy = urlsplit(route.proxy) if route.proxy else None
    if proxy is not None:
        _proxied_target_check(route, host, port)
        conn_host, conn_port = proxy.hostname or "", proxy.port or 80
    else:
        conn_host, conn_port = host, port
    session_key = (route.tls_verify, host, port)
    if scheme == "https":
        conn: http.client.HTTPConnection = _ResumingHTTPSConnection(
            conn_host, conn_port, timeout=limits.connect_timeout, context=_tls(route.tls_verify),
            session_key=session_key)
    else:
        conn = http.client.HTTPConnection(conn_host, conn_port, timeout=limits.connect_timeout)
    # http.client's connection factory is private (typeshed omits it) and the one hook for the
    # address check and the watchdog.
    conn._create_connection = _connector(route, watch, guard=proxy is None)  # type: ignore[attr-defined]
    auth = _proxy_auth(proxy) if proxy is not None else {}
    if proxy is not None and scheme == "https":
        conn.set_tunnel(host, port, headers=auth)
        auth = {}
    try:
        conn.connect()  # the watch holds a duplicate of the plain socket: TLS wraps it later
        conn.sock.settimeout(limits.read_timeout)
        # Through a forward proxy an http request names the whole URL.
        line = target if proxy is None or scheme == "https" else f"http://{_netloc(host, port, 80)}{target}"
        sent = {**headers, **auth, "Connection": "close"}
        if proxy is not None and scheme == "http":
            sent["Host"] = _netloc(host, port, 80)
        conn.request("GET", line, headers=sent)
        resp = conn.getresponse()
        body = _read(resp, limits, watch)
        watch.check()
        if scheme == "https":
            _keep_session(session_key, conn.sock)  # TLS 1.3 tickets arrive after the handshake
        return resp.status, body, resp.headers
    finally:
        conn.close()


def _netloc(host: str, port: int, default: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return shown if port == default else f"{shown}:{port}"


def _proxy_auth(proxy: SplitResult) -> dict[str, str]:
    if not proxy.username:
        return {}
    token = base64.b64encode(f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode())
    return {"Proxy-Authorization": "Basic " + token.decode("ascii")}


def _read(resp: http.client.HTTPResponse, limits: Limits, watch: Watch) -> bytes:
    """The body, decompressed; the cap counts decompressed bytes (a small gzip can expand)."""
    cap = limits.max_bytes
    declared = resp.getheader("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise TransportError("too-large", f"body of {declared} bytes exceeds the {cap}-byte cap")
    encoding = (resp.getheader("content-encoding") or "").strip().lower()
    inflate = zlib.decompressobj(zlib.MAX_WBITS | 32) if encoding in ("gzip", "x-gzip", "deflate") \
        else None
    raw_deflate = False  # "deflate" is sometimes sent without its zlib header
    chunks: list[bytes] = []
    size = 0
    while True:
        # read1: what has arrived, not a full chunk; a trickle must not hide in one read.
        chunk = resp.read1(CHUNK)
        if not chunk:
            break
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, cap + 1 - size)
            except zlib.error:
                if encoding != "deflate" or raw_deflate or size:
                    raise
                raw_deflate, inflate = True, zlib.decompressobj(-zlib.MAX_WBITS)
                chunk = inflate.decompress(chunk, cap + 1 - size)
            if inflate.unconsumed_tail:
                raise TransportError("too-large", f"body exceeds the {cap}-byte cap")
        size += len(chunk)
        if size > cap:
            raise TransportError("too-large", f"body exceeds the {cap}-byte cap")
        watch.check()
        chunks.append(chunk)
    if inflate is not None:
        chunks.append(inflate.flush())
    return b"".join(chunks)
