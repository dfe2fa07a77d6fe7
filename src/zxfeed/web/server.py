"""An HTTP/1.1 server that hostile clients cannot hold: one selector thread, a few workers.

Idle and half-sent connections wait in the selector and cost no thread; a worker gets a
request only once its headers and body are complete, answers it and hands the
connection back, with whatever part of the response a slow reader has not taken yet.
Connections are capped (the address holding most gives way to a newcomer), every
phase has a deadline, ``/healthz`` goes ahead of the queue and clients take turns
by address, so a flood from one host neither starves other clients nor the health check.
"""

from __future__ import annotations

import collections
import contextlib
import io
import itertools
import logging
import re
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

log = logging.getLogger("zxfeed.web")

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?$")
_TRANSFER_ENCODING = re.compile(rb"(?im)^transfer-encoding[ \t]*:")
_HEALTH = re.compile(rb"^(GET|HEAD) /healthz[ ?]")
_EXPECT_CONTINUE = re.compile(rb"(?im)^expect[ \t]*:[ \t]*100-continue[ \t]*\r?$")


@dataclass(frozen=True, slots=True)
class Limits:
    """How long and how much each client may take."""

    max_connections: int = 2048
    idle_timeout: float = 15.0      # keep-alive connection waiting for its next request
    request_timeout: float = 10.0   # from a request's first byte to its last (headers + body)
    write_timeout: float = 30.0     # for the part of a response the socket did not take at once
    max_head: int = 32 * 1024
    max_body: int = 64 * 1024
    workers: int = 4
    backlog: int = 1024


def connection_share(limits: Limits) -> int:
    """The connection cap, kept to a quarter of the file descriptors this process may open."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return limits.max_connections
    if soft == resource.RLIM_INFINITY:
        return limits.max_connections
    return max(16, min(limits.max_connections, soft // 4))


@dataclass(eq=False)
class Connection:
    """One client socket and the bytes it sent that no request has used yet."""

    sock: socket.socket
    address: tuple[Any, ...]
    buffer: bytearray = field(default_factory=bytearray)
    last_active: float = field(default_factory=time.monotonic)
    started: float | None = None    # first byte of the request being read
    busy: bool = False
    request: bytes = b""
    continued: bool = False         # "100 Continue" sent for the request being read
    out: collections.deque[memoryview] | None = None  # what the client has not taken yet
    out_deadline: float = 0.0
    keep: bool = False              # keep the connection open once ``out`` is sent

    @property
    def host(self) -> str:
        return str(self.address[0]) if self.address else ""


class RequestHandler(BaseHTTPRequestHandler):
    """A handler fed one complete request from memory; the response leaves under a deadline."""

    request: Connection
    # Our own server, not a socketserver.BaseServer, which typeshed's handler attribute demands.
    server: HttpServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.connection = self.request.sock
        self.rfile = io.BytesIO(self.request.request)
        self._out = _Writer(self.request)
        self.wfile = self._out

    def handle(self) -> None:
        self.close_connection = True
        try:
            self.handle_one_request()
        except OSError:
            raise  # the client went away or would not read: nothing to tell it
        except Exception:
            log.exception("HTTP handler failed: %s %r", self.request.host,
                          self.request.request.split(b"\r\n", 1)[0][:200].decode("latin-1"))
            self.close_connection = True
            self._out.parts.clear()
            self._headers_buffer: list[bytes] = []
            self.wfile.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                             b"Connection: close\r\n\r\n")

    def finish(self) -> None:
        self.wfile.flush()

    def handle_expect_100(self) -> bool:
        return True  # the selector said "100 Continue" already, if the client waited for it


class _Writer(io.BufferedIOBase):
    """Collects the response; sends what the socket takes at once and leaves the rest to the
    selector, so that a client that does not read holds no worker."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(data if isinstance(data, bytes) else bytes(data))
        return len(data)

    def flush(self) -> None:
        if not self.parts:
            return
        out = collections.deque(memoryview(p) for p in self.parts if p)
        self.parts = []
        self.conn.out = None if send_some(self.conn.sock, out) else out


def send_some(sock: socket.socket, out: collections.deque[memoryview]) -> bool:
    """Send from ``out`` what a non-blocking socket takes now (headers and body in one call);
    ``True`` once all is sent."""
    while out:
        try:
            sent = sock.sendmsg(list(itertools.islice(out, 16)))
        except (BlockingIOError, InterruptedError):
            return False
        while sent and out:
            if sent >= len(out[0]):
                sent -= len(out.popleft())
            else:
                out[0] = out[0][sent:]
                sent = 0
    return True


class _FairQueue:
    """Health checks first, then requests taken in turn per client address."""

    def __init__(self) -> None:
        self._urgent: collections.deque[Connection] = collections.deque()
        self._by_host: collections.OrderedDict[str, collections.deque[Connection]] = \
            collections.OrderedDict()
        self._cond = threading.Condition()
        self._closed = False

    def put(self, conn: Connection, urgent: bool) -> None:
        with self._cond:
            if urgent:
                self._urgent.append(conn)
            else:
                self._by_host.setdefault(conn.host, collections.deque()).append(conn)
            self._cond.notify()

    def get(self) -> Connection | None:
        with self._cond:
            while not (self._urgent or self._by_host or self._closed):
                self._cond.wait()
            if self._urgent:
                return self._urgent.popleft()
            if not self._by_host:
                return None  # closed
            host, waiting = next(iter(self._by_host.items()))
            conn = waiting.popleft()
            del self._by_host[host]
            if waiting:
                self._by_host[host] = waiting  # to the back of the line
            return conn

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class HttpServer:
    """Listens on ``address`` and answers with ``handler_class`` (a :class:`RequestHandler`)."""

    def __init__(self, address: tuple[str, int], handler_class: type[RequestHandler],
                 limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.max_connections = connection_share(self.limits)
        self.handler_class = handler_class
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.create_server(address, family=family, backlog=self.limits.backlog)
        self.socket.setblocking(False)
        self.server_address = self.socket.getsockname()
        self._selector = selectors.DefaultSelector()
        self._conns: dict[socket.socket, Connection] = {}
        # The same connections by client address, oldest first: who gives way at the cap.
        self._hosts: dict[str, dict[socket.socket, Connection]] = {}
        # Connections coming back from workers: (connection, keep it open).
        self._returned: collections.deque[tuple[Connection, bool]] = collections.deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._queue = _FairQueue()
        self._stop = threading.Event()
        self._done = threading.Event()
        self._done.set()  # cleared while serve_forever runs
        self._workers: list[threading.Thread] = []

    def connections(self) -> int:
        """Open client connections (idle, reading or being answered)."""
        return len(self._conns)

    def serve_forever(self) -> None:
        """Run the selector loop (and the workers) until :meth:`shutdown`."""
        self._done.clear()
        self._workers = [threading.Thread(target=self._work, name=f"http-{i}", daemon=True)
                         for i in range(self.limits.workers)]
        for t in self._workers:
            t.start()
        self._selector.register(self.socket, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        next_sweep = time.monotonic() + 0.5
        try:
            while not self._stop.is_set():
                for key, mask in self._selector.select(timeout=0.5):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        self._take_back()
                    elif mask & selectors.EVENT_WRITE:
                        self._write(key.data)
                    else:
                        self._read(key.data)
                if time.monotonic() >= next_sweep:
                    self._sweep()
                    next_sweep = time.monotonic() + 0.5
        finally:
            self._done.set()

    def shutdown(self) -> None:
        """Stop the loop and wait for it to end."""
        self._stop.set()
        self._wake()
        self._done.wait(10)

    def server_close(self) -> None:
        """Close the listening socket and every connection."""
        self._queue.close()
        for conn in list(self._conns.values()):
            self._close(conn)
        for s in (self.socket, self._wake_r, self._wake_w):
            s.close()
        self._selector.close()

    # -- the selector thread ------------------------------------------------------

    def _accept(self) -> None:
        for _ in range(256):
            try:
                sock, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and the like: shed idle clients, try later
                log.warning("accept failed: %s", exc)
                self._evict(len(self._conns) // 4 or 1)
                return
            if len(self._conns) >= self.max_connections and not self._evict(1):
                sock.close()  # every connection is being answered right now
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Connection(sock, address)
            self._conns[sock] = conn
            self._hosts.setdefault(conn.host, {})[sock] = conn
            self._selector.register(sock, selectors.EVENT_READ, conn)

    def _evict(self, count: int) -> bool:
        """Close ``count`` connections no worker holds, oldest first, from the address holding most.

        A flood from one address then makes room out of its own connections, not out of
        other clients' keep-alive connections.
        """
        victims: list[Connection] = []
        for host in sorted(self._hosts, key=lambda h: len(self._hosts[h]), reverse=True):
            for conn in self._hosts[host].values():
                if not conn.busy:
                    victims.append(conn)
                    if len(victims) >= count:
                        break
            if len(victims) >= count:
                break
        for conn in victims:
            self._close(conn)
        return bool(victims)

    def _read(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._close(conn)
            return
        now = time.monotonic()
        conn.last_active = now
        if conn.started is None:
            conn.started = now
        conn.buffer += data
        self._frame(conn)

    def _frame(self, conn: Connection) -> None:
        """Hand the connection to a worker once a whole request is buffered; refuse bad ones."""
        buf = conn.buffer
        while buf[:2] == b"\r\n" or buf[:1] == b"\n":  # RFC 9112: ignore empty lines before
            del buf[: 2 if buf[:1] == b"\r" else 1]
        if not buf:
            conn.started = None
            return
        end = _HEAD_END.search(buf, 0, self.limits.max_head + 4)
        if end is None:
            if len(buf) > self.limits.max_head:
                self._refuse(conn, 431, "Request Header Fields Too Large")
            return
        head = bytes(buf[: end.end()])
        if _TRANSFER_ENCODING.search(head):
            self._refuse(conn, 501, "Not Implemented")
            return
        lengths = {m.group(1) for m in _CONTENT_LENGTH.finditer(head)}
        length = 0
        if lengths:
            value = lengths.pop()
            if lengths or not value.isdigit():
                self._refuse(conn, 400, "Bad Request")
                return
            length = int(value)
        if length > self.limits.max_body:
            self._refuse(conn, 413, "Content Too Large")
            return
        if len(buf) < end.end() + length:
            if not conn.continued and _EXPECT_CONTINUE.search(head):
                conn.continued = True
                with contextlib.suppress(OSError):
                    conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            return  # the body is still on its way (under the request deadline)
        conn.request = bytes(buf[: end.end() + length])
        del buf[: end.end() + length]
        conn.continued = False
        conn.busy = True
        self._selector.unregister(conn.sock)
        self._queue.put(conn, urgent=bool(_HEALTH.match(conn.request)))

    def _refuse(self, conn: Connection, status: int, phrase: str) -> None:
        with contextlib.suppress(OSError):
            conn.sock.send(f"HTTP/1.1 {status} {phrase}\r\nContent-Length: 0\r\n"
                           "Connection: close\r\n\r\n".encode())
        self._close(conn)

    def _sweep(self) -> None:
        now = time.monotonic()
        for conn in list(self._conns.values()):
            if conn.busy:
                continue
            if conn.out is not None:
                if now > conn.out_deadline:
                    self._close(conn)  # too slow to read its response
            elif conn.started is not None and now - conn.started > self.limits.request_timeout:
                self._refuse(conn, 408, "Request Timeout")
            elif conn.started is None and now - conn.last_active > self.limits.idle_timeout:
                self._close(conn)

    def _take_back(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        while self._returned:
            conn, keep = self._returned.popleft()
            conn.busy = False
            if self._stop.is_set() or (not keep and conn.out is None):
                self._forget(conn)
                conn.sock.close()
                continue
            conn.last_active = time.monotonic()
            if conn.out is not None:  # the rest of the response goes out from here
                conn.keep = keep
                conn.out_deadline = conn.last_active + self.limits.write_timeout
                self._selector.register(conn.sock, selectors.EVENT_WRITE, conn)
                continue
            self._idle(conn)

    def _idle(self, conn: Connection) -> None:
        """Wait for the connection's next request (it may be buffered already)."""
        conn.started = conn.last_active if conn.buffer else None
        self._selector.register(conn.sock, selectors.EVENT_READ, conn)
        self._frame(conn)

    def _write(self, conn: Connection) -> None:
        assert conn.out is not None
        try:
            done = send_some(conn.sock, conn.out)
        except OSError:
            self._close(conn)
            return
        conn.last_active = time.monotonic()
        if done:
            conn.out = None
            self._selector.unregister(conn.sock)
            if conn.keep:
                self._idle(conn)
            else:
                self._forget(conn)
                conn.sock.close()

    def _forget(self, conn: Connection) -> None:
        self._conns.pop(conn.sock, None)
        same = self._hosts.get(conn.host)
        if same is not None:
            same.pop(conn.sock, None)
            if not same:
                del self._hosts[conn.host]

    def _close(self, conn: Connection) -> None:
        self._forget(conn)
        if not conn.busy:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(conn.sock)
        conn.sock.close()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full (a wake-up is pending anyway) or closed
            self._wake_w.send(b"x")

    # -- workers ------------------------------------------------------------------

    def _work(self) -> None:
        while (conn := self._queue.get()) is not None:
            keep = False
            try:
                # typeshed wants a socket and a BaseServer; the handler's setup() reads ours.
                handler = self.handler_class(conn, conn.address, self)  # type: ignore[arg-type]
                keep = not handler.close_connection
            except OSError as exc:  # the client left
                log.debug("%s: connection dropped: %s", conn.host, exc)
                conn.out = None
            except Exception:  # the handler logs its own; this is the machinery's
                log.exception("HTTP worker failed for %s", conn.host)
                conn.out = None
            self._returned.append((conn, keep))
            self._wake()
