"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it accepts, with fault switches."""

from __future__ import annotations

import email
import random
import socket
import threading
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller

_handed: set[int] = set()


def free_port() -> int:
    """A port for a server a test starts later, below Linux's ephemeral range.

    A port from ``bind(0)`` is ephemeral: once released it can become the local port of
    one of the many outgoing connections the suite makes, and the server then fails to bind.
    """
    while True:
        port = random.randrange(20000, 32000)
        if port in _handed:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed.add(port)
        return port


class SmtpSink:
    """Accepts mail; ``defer`` answers the next N messages with 451, ``refuse`` rejects addresses."""

    def __init__(self, *, ssl_context=None, tls_context=None, auth: bool = False) -> None:
        # ssl_context: SMTPS (TLS from the first byte); tls_context: STARTTLS offered.
        self.ssl_context = ssl_context
        self.tls_context = tls_context
        self.auth = auth
        self.logins: list[tuple[str, str]] = []  # (mechanism, login) of every AUTH the server saw
        self.port = free_port()
        self.received: list[tuple[list[str], bytes]] = []
        self.defer = 0
        self.refuse: set[str] = set()
        self.on_message: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self.controller: Controller | None = None
        self.start()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            if self.defer:
                self.defer -= 1
                return "451 4.3.0 try again later"
            self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        if self.on_message is not None:
            self.on_message()
        return "250 OK"

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        login = auth_data.login.decode() if isinstance(auth_data.login, bytes) else str(auth_data.login)
        self.logins.append((mechanism, login))
        return AuthResult(success=True)

    def start(self) -> None:
        kwargs: dict = {}
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=False)
        if self.auth:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port,
                                     ssl_context=self.ssl_context, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        with self._lock:
            raw = [r for rcpt, r in self.received if to is None or to in rcpt]
        return [email.message_from_bytes(r, policy=default) for r in raw]  # type: ignore[misc]
