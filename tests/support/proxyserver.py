"""A small HTTP proxy on 127.0.0.1 for tests: forwards ``GET http://…`` and tunnels ``CONNECT``.

It records each request line it received, so a test can tell which requests went
through it and which went straight to the site.
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import threading


class TestProxy:
    """Forward proxy and CONNECT tunnel; ``seen`` holds the request lines."""

    __test__ = False

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._handle(self)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def lines(self) -> list[str]:
        with self._lock:
            return list(self.seen)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, h: socketserver.StreamRequestHandler) -> None:
        line = h.rfile.readline(8192).decode("latin-1").strip()
        headers: list[bytes] = []
        while (raw := h.rfile.readline(8192)) not in (b"\r\n", b"\n", b""):
            headers.append(raw)
        with self._lock:
            self.seen.append(line)
        method, target, _ = line.split(" ", 2)
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            upstream = socket.create_connection((host, int(port)), timeout=10)
            h.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            h.wfile.flush()
            self._pipe(h.connection, upstream)
            return
        rest = target.split("://", 1)[1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        upstream = socket.create_connection((host, int(port or 80)), timeout=10)
        kept = b"".join(x for x in headers if not x.lower().startswith(b"proxy-"))
        upstream.sendall(f"{method} /{path} HTTP/1.1\r\n".encode("latin-1") + kept + b"\r\n")
        self._pipe(h.connection, upstream)

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        with contextlib.closing(b):
            while True:
                ready, _, _ = select.select([a, b], [], [], 10)
                if not ready:
                    return
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
