"""A site server on a loopback address whose pages misbehave on purpose, and the pages themselves.

``HostileWeb`` serves fixed pages, redirects and trickled bodies (one byte at a time)
on any 127.0.0.0/8 address, and counts the requests each path received. The page
builders below are the hostile set used by the tests and by ``bench/hostile.py``.
"""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

from support.webserver import serve


@dataclass
class _Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    trickle: int = 0        # send this many body bytes one at a time …
    every: float = 1.0      # … this many seconds apart
    trickle_headers: bool = False  # trickle the header block too


class HostileWeb:
    """Pages that misbehave, on ``host`` (any loopback address) and a free port."""

    __test__ = False

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, _Route] = {}
        self.hits: dict[str, int] = {}
        self.open_trickles = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.server = serve(self._handle, host, tls)
        self.host, self.port = host, self.server.server_address[1]
        self.base = f"{'https' if tls else 'http'}://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def set(self, path: str, body: bytes | str = b"", **kw: object) -> str:
        """Serve ``body`` at ``path`` (keywords as in :class:`_Route`); returns its URL."""
        if isinstance(body, str):
            body = body.encode("utf-8", "surrogatepass")
        with self._lock:
            self.routes[path] = _Route(body, **kw)  # type: ignore[arg-type]
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.set(path, b"", status=status, headers={"Location": location})

    def count(self, path: str) -> int:
        with self._lock:
            return self.hits.get(path, 0)

    def total_hits(self) -> int:
        with self._lock:
            return sum(self.hits.values())

    def close(self) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        path = urlsplit(h.path).path
        with self._lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            route = self.routes.get(path) or _Route(b"<h1>404</h1>", status=404)
        try:
            head = [f"HTTP/1.1 {route.status} X", f"Content-Type: {route.content_type}",
                    *(f"{k}: {v}" for k, v in route.headers.items())]
            length = route.trickle or len(route.body)
            head.append(f"Content-Length: {length}")
            block = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
            if route.trickle:
                with self._lock:
                    self.open_trickles += 1
                try:
                    if route.trickle_headers:
                        self._drip(h, block, route.every)
                    else:
                        h.wfile.write(block)
                        h.wfile.flush()
                    self._drip(h, (route.body * (route.trickle // max(1, len(route.body)) + 1)
                                   if route.body else b"x" * route.trickle)[:route.trickle],
                               route.every)
                finally:
                    with self._lock:
                        self.open_trickles -= 1
                return
            h.wfile.write(block + route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True

    def _drip(self, h: BaseHTTPRequestHandler, data: bytes, every: float) -> None:
        for i in range(len(data)):
            if self._closing.wait(every if i else 0):
                return
            h.wfile.write(data[i:i + 1])
            h.wfile.flush()


# -- the hostile pages -------------------------------------------------------------

def list_page(links: list[tuple[str, str]], *, before: str = "", day: int = 5) -> str:
    """A dated list page: (href, title) per item, after ``before`` (extra markup)."""
    rows = "".join(f'<li><a href="{href}">{title}</a><span>2024-02-{(day + i) % 27 + 1:02d}</span></li>'
                   for i, (href, title) in enumerate(links))
    return f"<html><head><title>列表</title></head><body>{before}<ul class='list'>{rows}</ul></body></html>"


def good_links(prefix: str, n: int = 4) -> list[tuple[str, str]]:
    return [(f"{prefix}{i}.html", f"政协第{i}次常委会议审议通过有关事项的报告") for i in range(n)]


def deep_nesting(depth: int, tag: str = "font") -> str:
    """A list after ``depth`` unclosed tags (old CMS templates leave one open per menu entry)."""
    return list_page(good_links("/deep/a"), before=f"<{tag}>" * depth)


def many_items(n: int) -> str:
    """One list of ``n`` dated items."""
    return list_page([(f"/many/{i}.html", f"政协第{i}号提案办理情况的答复") for i in range(n)])


def long_title(chars: int = 10_005) -> str:
    return list_page([("/long/0.html", "政" * chars), *good_links("/long/a", 3)])


def entity_feed(chars: int = 10_000, refs: int = 100) -> str:
    """RSS whose title refers ``refs`` times to an entity of ``chars`` characters.

    Plain-text entities pass feedparser's DOCTYPE filter and expat's expansion limits
    (a hundredfold of the document): a 5 MB feed can become hundreds of MB of text.
    """
    word = "政协会议" * (chars // 4)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss [\n<!ENTITY big "{word}">\n]>\n'
            '<rss version="2.0"><channel><title>t</title><link>http://example.org/</link>'
            f'<item><title>{"&big;" * refs}</title><link>http://example.org/e.html</link>'
            '<pubDate>Mon, 05 Feb 2024 10:00:00 +0800</pubDate></item>'
            '<item><title>政协常委会议召开</title><link>http://example.org/ok.html</link>'
            '<pubDate>Mon, 05 Feb 2024 10:00:00 +0800</pubDate></item></channel></rss>')


def feed(entries: list[tuple[str, str]]) -> str:
    """RSS 2.0 with (title, link) entries (written as given: character references stay)."""
    items = "".join(f"<item><title>{t}</title><link>{u}</link>"
                    f"<pubDate>Mon, 0{i % 9 + 1} Feb 2024 10:00:00 +0800</pubDate></item>"
                    for i, (t, u) in enumerate(entries))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            f"<link>http://example.org/</link>{items}</channel></rss>")


def json_list(entries: list[dict[str, object]]) -> str:
    return json.dumps(entries, allow_nan=True)  # lone surrogates as JSON escapes


def json_nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def self_signed(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (via openssl)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


