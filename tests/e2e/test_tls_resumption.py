"""A second HTTPS request to a host offers the first one's TLS session, and the server resumes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.hostile import HostileWeb, good_links, list_page, self_signed
from zxfeed.fetch import transport
from zxfeed.fetch.netguard import Reach
from zxfeed.fetch.transport import Limits, Route


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileWeb]:
    web = HostileWeb("127.0.0.1", tls=self_signed(tmp_path_factory.mktemp("tls-resume")))
    web.set("/list.html", list_page(good_links("/s", 3)))
    yield web
    web.close()


def _record_reuse(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each connection from now on resumed its TLS session, in order."""
    reused: list[bool] = []
    connect = transport._ResumingHTTPSConnection.connect

    def recording(self: transport._ResumingHTTPSConnection) -> None:
        connect(self)
        reused.append(self.sock.session_reused)

    monkeypatch.setattr(transport._ResumingHTTPSConnection, "connect", recording)
    return reused


def _visit_another_server(tmp_path: Path, route: Route) -> int:
    """One request to a second TLS server (its own certificate and tickets); its port."""
    other = HostileWeb("127.0.0.1", tls=self_signed(tmp_path))
    try:
        other.set("/list.html", list_page(good_links("/t", 2)))
        transport.get(other.url("/list.html"), {}, Limits(), route=route)
    finally:
        other.close()
    return other.port


def test_the_second_connection_resumes(tls_site: HostileWeb, monkeypatch: pytest.MonkeyPatch) -> None:
    reused = _record_reuse(monkeypatch)
    monkeypatch.setattr(transport, "_sessions", type(transport._sessions)())
    route = Route(reach=Reach(allow_all=True), tls_verify=False)
    for _ in range(3):
        status, body, _ = transport.get(tls_site.url("/list.html"), {}, Limits(), route=route)
        assert status == 200 and b"<a" in body
    assert reused == [False, True, True]
    assert list(transport._sessions) == [(False, "127.0.0.1", tls_site.port)]


def test_sessions_are_bounded(tls_site: HostileWeb, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "_sessions", type(transport._sessions)())
    monkeypatch.setattr(transport, "SESSIONS", 1)
    route = Route(reach=Reach(allow_all=True), tls_verify=False)
    transport.get(tls_site.url("/list.html"), {}, Limits(), route=route)
    port = _visit_another_server(tmp_path, route)
    assert list(transport._sessions) == [(False, "127.0.0.1", port)]  # the older one went


def test_a_refused_session_is_replaced_by_the_new_one(tls_site: HostileWeb, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # A session the server cannot resume (another server's ticket, as after a key rotation
    # or an expiry): the full handshake's session takes its place and is resumed next time.
    monkeypatch.setattr(transport, "_sessions", type(transport._sessions)())
    route = Route(reach=Reach(allow_all=True), tls_verify=False)
    foreign = transport._sessions.pop((False, "127.0.0.1", _visit_another_server(tmp_path, route)))
    transport._sessions[(False, "127.0.0.1", tls_site.port)] = foreign
    reused = _record_reuse(monkeypatch)
    for _ in range(2):
        status, _, _ = transport.get(tls_site.url("/list.html"), {}, Limits(), route=route)
        assert status == 200
    assert reused == [False, True]
    assert transport._sessions[(False, "127.0.0.1", tls_site.port)] is not foreign
