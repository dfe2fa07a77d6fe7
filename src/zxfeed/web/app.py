"""HTTP side of ``zxfeed run``: feeds with conditional GET, a status page, ``/healthz``."""

from __future__ import annotations

import html
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..publish.feedfilter import FeedFilter, FilteredFeeds
from ..publish.formats import MEDIA_TYPES
from ..store import Store
from . import subscribe as web_subscribe
from .auth import CHALLENGE, authorized
from .cache import MIN_GZIP, accepts_gzip, compress, none_match, weak_etag
from .server import HttpServer, Limits, RequestHandler

log = logging.getLogger("zxfeed.web")
_SERVED = MEDIA_TYPES | {".xsl": "text/xsl"}  # feeds, and the stylesheet browsers show them with
# Behind [server] status_auth when it is set; feeds, /healthz and /opml stay public.
PROTECTED = frozenset({"/", "/index.html", "/metrics"})
GZIP_CACHE = 256


class _Handler(RequestHandler):
    server: FeedServer

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in PROTECTED and not authorized(self.headers.get("Authorization"),
                                                self.server.status_auth):
            self._send(401, "需要登录\n".encode(), "text/plain; charset=utf-8", head,
                       {"WWW-Authenticate": CHALLENGE})
            return
        filtered = self.server.filtered
        if path.startswith("/feeds/") and filtered is not None and \
                FeedFilter.from_query(urlsplit(self.path).query) is not None:
            self._filtered_feed(filtered, path.removeprefix("/feeds/"), head)
        elif path.startswith("/feeds/"):
            self._feed(path.removeprefix("/feeds/"), head)
        elif path == "/healthz":
            ok = self.server.healthy()
            query = parse_qs(urlsplit(self.path).query)
            if query.get("format") == ["json"] or "application/json" in (self.headers.get("Accept") or ""):
                # The text answer stays as it was for monitors; JSON adds what the database says.
                body = json.dumps({"status": "ok" if ok else "unhealthy",
                                   "database": self.server.store.database()}).encode()
                self._send(200 if ok else 503, body, "application/json", head)
            else:
                self._send(200 if ok else 503, b"ok\n" if ok else b"unhealthy\n",
                           "text/plain; charset=utf-8", head)
        elif path == "/metrics" and self.server.metrics is not None:
            self._send(200, self.server.metrics(), "text/plain; version=0.0.4; charset=utf-8", head)
        elif path == "/opml" and self.server.opml is not None:
            self._send(200, self.server.opml(), "text/x-opml; charset=utf-8", head)
        elif path in web_subscribe.PATHS:
            self._subscribe_pages("GET", path, b"", head)
        elif path in ("/", "/index.html"):
            self._send(200, self.server.status_page(urlsplit(self.path).query).encode("utf-8"),
                       "text/html; charset=utf-8", head)
        elif path.startswith("/evidence/") and (page := self.server.evidence(path)) is not None:
            # A hostile page kept as evidence is shown as text, never run as a page of ours.
            self._send(200, page, "text/plain", head,
                       {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head)

    def _params(self, body: bytes = b"") -> dict[str, str]:
        query = parse_qs(urlsplit(self.path).query)
        query.update(parse_qs(body.decode("utf-8", "replace")))
        return {k: v[0] for k, v in query.items()}

    def _subscribe_pages(self, method: str, path: str, body: bytes, head: bool) -> None:
        query = parse_qs(urlsplit(self.path).query)
        form = parse_qs(body.decode("utf-8", "replace")) if body else {}
        client = web_subscribe.client_key(self.client_address[0],
                                           self.headers.get("X-Forwarded-For"))
        status, page = web_subscribe.handle(self.server.notifier, method, path, query, form, client)
        self._send(status, page, "text/html; charset=utf-8", head,
                   {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    def do_POST(self) -> None:
        path = unquote(urlsplit(self.path).path)
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        body = self.rfile.read(length) if length else b""
        if path not in web_subscribe.PATHS:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", False)
            return
        self._subscribe_pages("POST", path, body, False)

    def _feed(self, rel: str, head: bool) -> None:
        root = self.server.feeds_dir.resolve()
        if "\x00" in rel:  # Path.resolve() raises on it
            self._send(404, b"no such feed\n", "text/plain; charset=utf-8", head)
            return
        file = (root / rel).resolve()
        if root not in file.parents or file.suffix not in _SERVED or not file.is_file():
            self._send(404, b"no such feed\n", "text/plain; charset=utf-8", head)
            return
        data, etag, mtime = self.server.cached(file)
        headers = {"ETag": etag, "Last-Modified": format_datetime(mtime, usegmt=True),
                   "Cache-Control": "public, max-age=60"}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        fresh = none_match(inm, etag)
        if inm is None and ims:
            try:
                fresh = parsedate_to_datetime(ims) >= mtime.replace(microsecond=0)
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            self._send(304, b"", None, True, headers)
            return
        self._send(200, data, self._feed_type(file.suffix, headers) + "; charset=utf-8", head, headers)

    def _feed_type(self, suffix: str, headers: dict[str, str]) -> str:
        """The feed's media type; plain XML for browsers, which show atom+xml as text, not via XSLT."""
        accept = (self.headers.get("Accept") or "").lower()
        if suffix in (".atom", ".rss"):
            headers["Vary"] = "Accept"
            if "text/html" in accept and "atom" not in accept and "rss" not in accept:
                return "application/xml"
        return _SERVED[suffix]

    def _filtered_feed(self, filtered: FilteredFeeds, rel: str, head: bool) -> None:
        """``/feeds/…?q=…``: rendered from the store (cached until it changes)."""
        found = filtered.get(rel, urlsplit(self.path).query)
        if found is None:
            self._send(404, b"no such feed\n", "text/plain; charset=utf-8", head)
            return
        data, etag, _ctype = found
        headers = {"ETag": etag, "Cache-Control": "public, max-age=60"}
        # _send answers If-None-Match (weak or strong, lists) against this ETag.
        self._send(200, data, self._feed_type("." + rel.rpartition(".")[2], headers)
                   + "; charset=utf-8", head, headers)

    def _send(self, status: int, body: bytes, ctype: str | None, head: bool,
              headers: dict[str, str] | None = None) -> None:
        headers = dict(headers or {})
        if status in (200, 304) and self.command in ("GET", "HEAD"):
            # Feeds also vary by Accept (browsers get the XSL view): keep both.
            vary = [v.strip() for v in headers.get("Vary", "").split(",") if v.strip()]
            headers["Vary"] = ", ".join([*vary, "Accept-Encoding"])
        if status == 200 and self.command in ("GET", "HEAD"):
            # Every page and feed: a weak validator, and gzip for clients that ask for it.
            etag = headers.setdefault("ETag", weak_etag(body))
            if none_match(self.headers.get("If-None-Match"), etag):
                status, ctype, head = 304, None, True
            elif len(body) >= MIN_GZIP and accepts_gzip(self.headers.get("Accept-Encoding")):
                body = self.server.gzipped(etag, body)
                headers["Content-Encoding"] = "gzip"
        self.send_response(status, HTTPStatus(status).phrase)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0" if status == 304 else str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)


class FeedServer(HttpServer):
    """Serves ``/feeds/...`` from the feeds folder, ``/`` (status) and ``/healthz``."""

    def __init__(self, host: str, port: int, feeds_dir: Path, store: Store,
                 healthy: Callable[[], bool] | None = None, notifier: Any = None,
                 metrics: Callable[[], bytes] | None = None,
                 opml: Callable[[], bytes] | None = None,
                 next_runs: Callable[[], dict[str, datetime]] | None = None,
                 status: Callable[[str], str] | None = None,
                 evidence_dir: Path | None = None,
                 filtered: FilteredFeeds | None = None,
                 limits: Limits | None = None, status_auth: bytes | None = None) -> None:
        super().__init__((host, port), _Handler, limits)
        self.status = status
        self.evidence_dir = evidence_dir
        self.filtered = filtered
        self.status_auth = status_auth
        self._gzipped: OrderedDict[str, bytes] = OrderedDict()
        self.next_runs = next_runs
        self.notifier = notifier
        self.metrics = metrics
        self.opml = opml
        self.feeds_dir = Path(feeds_dir)
        self.store = store
        self._healthy = healthy or (lambda: True)
        self._cache: dict[Path, tuple[int, int, bytes, str, datetime]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def healthy(self) -> bool:
        return self._healthy()

    def cached(self, file: Path) -> tuple[bytes, str, datetime]:
        """File bytes with an ETag from their hash, re-read only when the file changes."""
        st = file.stat()
        with self._lock:
            hit = self._cache.get(file)
            if hit and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                return hit[2], hit[3], hit[4]
        data = file.read_bytes()
        etag = weak_etag(data)
        mtime = datetime.fromtimestamp(st.st_mtime, UTC)
        with self._lock:
            self._cache[file] = (st.st_mtime_ns, st.st_size, data, etag, mtime)
        return data, etag, mtime

    def gzipped(self, etag: str, body: bytes) -> bytes:
        """``body`` gzipped, remembered by its ETag (feeds are asked for far more often than they change)."""
        with self._lock:
            hit = self._gzipped.get(etag)
            if hit is not None:
                self._gzipped.move_to_end(etag)
                return hit
        packed = compress(body)
        with self._lock:
            self._gzipped[etag] = packed
            while len(self._gzipped) > GZIP_CACHE:
                self._gzipped.popitem(last=False)
        return packed

    def evidence(self, path: str) -> bytes | None:
        """A saved copy of a page that broke (``/evidence/<id>/<file>``), or ``None``."""
        if self.evidence_dir is None:
            return None
        root = self.evidence_dir.resolve()
        file = (root / path.removeprefix("/evidence/")).resolve()
        return file.read_bytes() if root in file.parents and file.is_file() else None

    def status_page(self, query: str = "") -> str:
        """The status page: the configured renderer (status.py), else a bare list of states."""
        if self.status is not None:
            return self.status(query)
        lines = [f"{s.id} {s.state} {s.last_error or ''}" for s in self.store.sources()]
        return "<!doctype html><meta charset='utf-8'><pre>" + html.escape("\n".join(lines))

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()

