"""Reaching the sites (issue 17): a proxy from config or HTTP(S)_PROXY/NO_PROXY, verified TLS.

The proxy and the sites all live on 127.0.0.1, so the tests also show that loopback is
not silently exempt from the proxy: only NO_PROXY makes it so.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, write_config, zxfeed
from support.hostile import HostileWeb, good_links, list_page, self_signed
from support.proxyserver import TestProxy

_PROXY_VARS = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")


@pytest.fixture()
def proxy() -> Iterator[TestProxy]:
    p = TestProxy()
    yield p
    p.close()


@pytest.fixture()
def site() -> Iterator[HostileWeb]:
    web = HostileWeb("127.0.0.1")
    web.set("/list.html", list_page(good_links("/p", 3)))
    yield web
    web.close()


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileWeb]:
    web = HostileWeb("127.0.0.1", tls=self_signed(tmp_path_factory.mktemp("tls")))
    web.set("/list.html", list_page(good_links("/s", 3)))
    yield web
    web.close()


def _run(cfg: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if k.lower() not in _PROXY_VARS and k != "ZXFEED_CONFIG"}
    return subprocess.run([sys.executable, "-m", "zxfeed.cli", "--config", str(cfg), *args],
                          capture_output=True, text=True, timeout=90, cwd=ROOT,
                          env={**base, **(env or {})})


def _source(url: str, extra: str = "") -> str:
    return f"""
        [[sources]]
        id = "site"
        name = "测试站"
        url = "{url}"
        region = "山东省"
        fetch_articles = false
        {extra}
        """


def _state(cfg: Path) -> dict:
    out = _run(cfg, "sources", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)[0]


def test_configured_proxy_carries_the_requests(tmp_path: Path, site: HostileWeb, proxy: TestProxy) -> None:
    cfg = write_config(tmp_path, _source(site.url("/list.html")))
    cfg.write_text(cfg.read_text("utf-8").replace("[fetch]", f'[fetch]\nproxy = "{proxy.url}"'), "utf-8")
    out = _run(cfg, "poll")
    assert out.returncode == 0, out.stderr
    assert f"GET {site.url('/list.html')} HTTP/1.1" in proxy.lines()
    assert _state(cfg)["state"] == "ok"


def test_environment_proxy_and_no_proxy(tmp_path: Path, site: HostileWeb, proxy: TestProxy) -> None:
    cfg = write_config(tmp_path, _source(site.url("/list.html")))
    assert _run(cfg, "poll", env={"HTTP_PROXY": proxy.url}).returncode == 0
    assert any(line.startswith(f"GET {site.base}/") for line in proxy.lines())
    assert _state(cfg)["state"] == "ok"
    before = len(proxy.lines())
    hits = site.count("/list.html")
    assert _run(cfg, "poll", env={"HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"}).returncode == 0
    assert len(proxy.lines()) == before and site.count("/list.html") == hits + 1


def test_https_through_connect_tunnel(tmp_path: Path, tls_site: HostileWeb, proxy: TestProxy) -> None:
    cfg = write_config(tmp_path, _source(tls_site.url("/list.html"),
                                         'tls_verify = false\ntls_reason = "测试站使用自签名证书"'))
    out = _run(cfg, "poll", env={"HTTPS_PROXY": proxy.url})
    assert out.returncode == 0, out.stderr
    assert any(line.startswith(f"CONNECT 127.0.0.1:{tls_site.port} ") for line in proxy.lines())
    assert _state(cfg)["state"] == "ok"


def test_untrusted_certificate_is_a_tls_error(tmp_path: Path, tls_site: HostileWeb) -> None:
    cfg = write_config(tmp_path, _source(tls_site.url("/list.html")))
    _run(cfg, "poll")
    state = _state(cfg)
    assert state["last_error_kind"] == "tls" and state["state"] == "failing"
    assert "tls_verify" in state["last_error"]


def test_tls_verify_off_needs_a_reason(tmp_path: Path, tls_site: HostileWeb) -> None:
    cfg = write_config(tmp_path, _source(tls_site.url("/list.html"), "tls_verify = false"))
    out = zxfeed("check", config=cfg)
    assert out.returncode == 2 and "tls_reason" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    cfg.write_text(cfg.read_text("utf-8") + 'tls_reason = "内网测试站，自签名证书"\n', "utf-8")
    assert _run(cfg, "poll").returncode == 0
    assert _state(cfg)["state"] == "ok"
