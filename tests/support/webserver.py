"""A real HTTP server on 127.0.0.1 serving tests/web/sites, plus pages tests change at will."""

from __future__ import annotations

import hashlib
import json
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITES = Path(__file__).parent.parent / "web" / "sites"


@dataclass
class Page:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    etag: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    stream: int = 0  # send this many filler bytes chunked, with no Content-Length


def serve(handle: Callable[[BaseHTTPRequestHandler], None], host: str = "127.0.0.1",
          tls: ssl.SSLContext | None = None) -> ThreadingHTTPServer:
    """A threaded HTTP/1.1 server on ``host`` and a free port, each GET passed to ``handle``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, the body waits ~40 ms for an ACK.
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            handle(self)

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class TestWeb:
    """Static fixture sites from disk, and dynamic pages set by tests (``set``)."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, root: Path = SITES) -> None:
        self.root = root
        self.pages: dict[str, Page] = {}
        self.log: list[tuple[str, dict[str, str], float]] = []
        self.spans: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()
        self.server = serve(self._handle)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str, **kw: object) -> None:
        if isinstance(body, str):
            body = body.encode("utf-8")
        with self._lock:
            self.pages[path] = Page(body, **kw)  # type: ignore[arg-type]

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [h for p, h, _ in self.log if p == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _static(self, path: str) -> Page | None:
        rel = path.lstrip("/")
        file = (self.root / rel).resolve()
        if file.is_dir():
            file = file / "index.html"
        if self.root.resolve() not in file.parents or not file.is_file():
            return None
        site = rel.split("/", 1)[0]
        meta_file = self.root / site / "_site.json"
        meta = json.loads(meta_file.read_text("utf-8")) if meta_file.exists() else {}
        over = meta.get("files", {}).get(file.name, {})
        ctype = over.get("content_type") or (
            meta.get("content_type", "text/html; charset=utf-8")
            if file.suffix in (".html", ".htm", ".shtml", ".asp", "") else "application/xml")
        return Page(file.read_bytes(), ctype, etag=bool(meta.get("etag", False)))

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        path = unquote(parts.path)
        started = time.monotonic()
        with self._lock:
            self.log.append((path, dict(h.headers), started))
            # A page registered with its query string wins over the bare path.
            page = self.pages.get(f"{path}?{parts.query}") or self.pages.get(path)
        try:
            if page is None:
                page = self._static(path) or Page(b"<h1>404</h1>", status=404)
            if page.delay:
                time.sleep(page.delay)
            headers = dict(page.headers)
            if page.etag:
                tag = '"' + hashlib.md5(page.body).hexdigest() + '"'
                headers["ETag"] = tag
                headers["Last-Modified"] = formatdate(1700000000, usegmt=True)
                if h.headers.get("If-None-Match") == tag:
                    h.send_response(304)
                    for k, v in headers.items():
                        h.send_header(k, v)
                    h.send_header("Content-Length", "0")
                    h.end_headers()
                    return
            h.send_response(page.status)
            h.send_header("Content-Type", page.content_type)
            for k, v in headers.items():
                h.send_header(k, v)
            if page.stream:
                h.send_header("Transfer-Encoding", "chunked")
                h.end_headers()
                chunk = (b"<p>" + b"x" * 65530 + b"</p>")[:65536]
                for _ in range(page.stream // len(chunk)):
                    h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                h.wfile.write(b"0\r\n\r\n")
                return
            h.send_header("Content-Length", str(len(page.body)))
            h.end_headers()
            h.wfile.write(page.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.spans.append((path, started, time.monotonic()))

    def overlapping(self, prefix: str) -> int:
        """Most requests under ``prefix`` that were being served at the same moment."""
        with self._lock:
            spans = [(a, b) for p, a, b in self.spans if p.startswith(prefix)]
        return max((sum(1 for a2, b2 in spans if a2 < b and a < b2) for a, b in spans), default=0)
