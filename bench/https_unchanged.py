"""CPU of an unchanged poll over HTTPS against a local TLS server, next to plain HTTP (run by hand).

Starts a threaded HTTP server on 127.0.0.1 twice, once wrapped in TLS with a self-signed
certificate made by ``openssl``; each request carries ``If-None-Match`` and gets a 304.
zxfeed's :class:`~zxfeed.fetch.client.Fetcher` makes the requests as a poll does (a new
connection each, the certificate verified against the generated one), and the median
thread CPU per request is printed.

    .venv/bin/python bench/https_unchanged.py --requests 300
"""

from __future__ import annotations

import argparse
import os
import ssl
import statistics
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"<html><body><ul><li><a href='/a.html'>x</a></li></ul></body></html>"
        self.send_response(200)
        self.send_header("ETag", '"v1"')
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def _serve(tls: ssl.SSLContext | None) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if tls else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}/list.html"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        cert, key = _certificate(Path(tmp))
        os.environ["SSL_CERT_FILE"] = str(cert)  # the client trusts the generated certificate
        from zxfeed.fetch.client import Fetcher, FetchSettings
        from zxfeed.fetch.netguard import Reach

        server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_tls.load_cert_chain(cert, key)
        fetcher = Fetcher(FetchSettings(host_delay=0, robots=False, allow_private=True))
        for label, tls in (("http", None), ("https", server_tls)):
            server, url = _serve(tls)
            first = fetcher.get(url, reach=Reach(allow_all=True))
            assert not first.not_modified
            times = []
            for _ in range(a.requests):
                c = time.thread_time()
                resp = fetcher.get(url, etag='"v1"', reach=Reach(allow_all=True))
                times.append(time.thread_time() - c)
                assert resp.not_modified
            server.shutdown()
            print(f"{label:5} unchanged (304), new connection each: median "
                  f"{statistics.median(times) * 1000:.2f} ms thread CPU per request "
                  f"(p90 {sorted(times)[int(len(times) * 0.9)] * 1000:.2f} ms, n={len(times)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
