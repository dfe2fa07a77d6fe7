"""Headless Chromium driven through chromedriver's WebDriver HTTP API (no selenium needed).

Headless windows are at least 500 px wide; chromedriver's mobile emulation gives a
real 390 px viewport (as a phone has, meta viewport honoured).
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from support.smtpsink import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def available() -> bool:
    """Whether Chromium and chromedriver are installed."""
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


class Browser:
    """One Chromium session with a viewport ``width`` × ``height`` CSS px."""

    def __init__(self, width: int, height: int = 844) -> None:
        self.width, self.height = width, height
        self._profile = tempfile.TemporaryDirectory()
        port = free_port()
        self._driver = subprocess.Popen([CHROMEDRIVER, f"--port={port}"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        deadline = time.monotonic() + 60
        while True:
            try:
                if self._http.get("/status").json()["value"]["ready"]:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        options: dict[str, Any] = {
            "binary": CHROMIUM,
            "args": [*FLAGS, f"--user-data-dir={self._profile.name}",
                     f"--window-size={max(width, 500)},{height}"],
        }
        if width < 500:
            options["mobileEmulation"] = {"deviceMetrics": {"width": width, "height": height,
                                                            "pixelRatio": 1.0}}
        r = self._http.post("/session", json={"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options}}})
        value = r.json()["value"]
        if "sessionId" not in value:
            self.close()
            raise RuntimeError(f"chromedriver refused the session: {value}")
        self._session = f"/session/{value['sessionId']}"

    def _call(self, method: str, path: str, payload: dict | None = None) -> Any:
        r = self._http.request(method, self._session + path, json=payload)
        value = r.json()["value"]
        if r.status_code != 200:
            raise RuntimeError(f"{path}: {value}")
        return value

    def open(self, url: str) -> None:
        """Load a page and wait for it (WebDriver waits for the load event)."""
        self._call("POST", "/url", {"url": url})

    def run(self, script: str) -> Any:
        """The value of ``script`` (a function body: use ``return``) in the page."""
        return self._call("POST", "/execute/sync", {"script": script, "args": []})

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page (not only the viewport) at the viewport's width."""
        height = int(self.run("return document.documentElement.scrollHeight"))
        shot = self._call("POST", "/goog/cdp/execute", {"cmd": "Page.captureScreenshot", "params": {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}}})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        """End the session, chromedriver and the profile."""
        try:
            if hasattr(self, "_session"):
                self._http.delete(self._session)
        except httpx.HTTPError:
            pass
        self._http.close()
        self._driver.terminate()
        try:
            self._driver.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._driver.kill()
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
