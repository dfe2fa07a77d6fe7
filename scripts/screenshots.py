"""Screenshots of the status page in headless Chromium at 1280 and 390 px (run by hand).

    .venv/bin/python scripts/screenshots.py                 # sample sites, some of them failing
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8080/ --out /tmp/shots

Without ``--url`` it serves the demo's sample sites plus a few misbehaving ones on
127.0.0.1, runs ``zxfeed run`` against them in a temporary folder, and waits until every
source has been polled. Needs ``chromium`` and ``chromium-driver`` (Debian packages).
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support import browser  # noqa: E402  (tests/browser.py: chromedriver over plain HTTP)
from zxfeed.cli.demo import SITES, serve_sample_sites  # noqa: E402

TROUBLE = {
    "/down.html": (503, "text/html", "<h1>Service Unavailable</h1>"),
    "/gone.html": (200, "text/html; charset=utf-8", "<html><body><p>网站改版中，敬请期待</p></body></html>"),
    "/wall.html": (412, "text/html", "<html><script>var $_ts={};$_ts.cd='x';</script></html>"),
}


def _trouble_sites() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            status, ctype, body = TROUBLE.get(self.path, (404, "text/plain", "not found"))
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sample_status_page() -> Iterator[str]:
    """A running ``zxfeed run`` with ok, failing, blocked and broken sources; yields its URL."""
    sites, trouble = serve_sample_sites(), _trouble_sites()
    good = f"http://127.0.0.1:{sites.server_address[1]}"
    bad = f"http://127.0.0.1:{trouble.server_address[1]}"
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        lines = ['[storage]\npath = "zxfeed.db"', '[feeds]\ndir = "feeds"\ntitle = "政协动态"',
                 f"[server]\nport = {port}", "[fetch]\nhost_delay = 0", "[schedule]\ninterval = 600"]
        for sid, (name, region, city, _) in SITES.items():
            lines.append(f'[[sources]]\nid = "demo-{sid}"\nname = "{name}"\nurl = "{good}/{sid}/"\n'
                         f'region = "{region}"\ncity = "{city}"')
        for sid, name, path, region, city in (
                ("zb-down", "淄博市政协 · 工作动态", "/down.html", "山东省", "淄博市"),
                ("ty-gone", "太原市政协 · 协商议政", "/gone.html", "山西省", "太原市"),
                ("gz-wall", "广州市政协 · 提案工作", "/wall.html", "广东省", "广州市"),
                ("xa-dead", "西安市政协 · 通知公告", None, "陕西省", "西安市")):
            url = f"{bad}{path}" if path else "http://127.0.0.1:9/list.html"
            lines.append(f'[[sources]]\nid = "{sid}"\nname = "{name}"\nurl = "{url}"\n'
                         f'region = "{region}"\ncity = "{city}"')
        cfg = Path(tmp) / "zxfeed.toml"
        cfg.write_text("\n\n".join(lines) + "\n", "utf-8")
        run = subprocess.Popen([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), "run"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                out = subprocess.run([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg),
                                      "sources", "--json"], capture_output=True, text=True).stdout
                if out and all(r["last_poll"] for r in json.loads(out)):
                    break
                time.sleep(1)
            time.sleep(3)  # one publish round, so that the feed links exist
            yield f"http://127.0.0.1:{port}/"
        finally:
            run.send_signal(signal.SIGTERM)
            run.wait(timeout=60)
            sites.shutdown()
            trouble.shutdown()


def take(url: str, out: Path) -> list[Path]:
    """status-1280.png and status-390.png (whole page) of ``url`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    for width in (1280, 390):
        with browser.Browser(width, 900 if width > 500 else 844) as chrome:
            chrome.open(url)
            wide = chrome.run("return document.documentElement.scrollWidth")
            shots.append(chrome.screenshot(out / f"status-{width}.png"))
            print(f"{shots[-1]}  (viewport {width} px, page {wide} px wide)")
    return shots


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", help="screenshot this page instead of a sample one")
    p.add_argument("--out", type=Path, default=ROOT / "data" / "screenshots")
    args = p.parse_args()
    if not browser.available():
        print("chromium and chromedriver are needed (apt-get install chromium chromium-driver)",
              file=sys.stderr)
        return 1
    if args.url:
        take(args.url, args.out)
    else:
        with sample_status_page() as url:
            take(url, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
