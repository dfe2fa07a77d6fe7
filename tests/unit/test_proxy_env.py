"""Proxy variables read one by one give what urllib's whole-environment scan gives."""

from __future__ import annotations

import urllib.request

import pytest

from zxfeed.fetch.proxy import _environment, proxy_for

NAMES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY",
         "REQUEST_METHOD")
CASES = [
    {},
    {"HTTP_PROXY": "http://up:1"},
    {"http_proxy": "http://low:2", "HTTP_PROXY": "http://up:1"},
    {"http_proxy": "", "HTTP_PROXY": "http://up:1"},  # an empty lower-case one unsets it
    {"HTTPS_PROXY": "proxy.example:3128", "NO_PROXY": "zx.example.org"},
    {"https_proxy": "http://s:1", "no_proxy": "*", "NO_PROXY": "other"},
    {"HTTP_PROXY": "http://up:1", "REQUEST_METHOD": "GET"},  # CGI: the header is not a setting
    {"http_proxy": "http://low:2", "REQUEST_METHOD": "GET"},
]


@pytest.mark.parametrize("env", CASES)
def test_same_as_urllib(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    expected = urllib.request.getproxies_environment()
    for scheme in ("http", "https", "no"):
        assert _environment(scheme) == expected.get(scheme), scheme


def test_no_proxy_from_the_environment_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "zx.example.org")
    assert proxy_for("https://www.zx.example.org/a") is None
    assert proxy_for("https://other.example.org/a") == "http://proxy.example:3128"
    assert proxy_for("http://other.example.org/a") is None
