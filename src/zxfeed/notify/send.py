"""Delivery: SMTP (or ``.eml`` files when no server is configured), with retries that never drop."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import smtplib
import ssl
import tempfile
import weakref
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from ..config.settings import SmtpConfig
from ..files import private_dir
from ..store import Store, StoreWriteError

log = logging.getLogger("zxfeed.notify")
# Per store: outbox ids the server accepted whose "sent" mark failed (disk full), and when.
_UNMARKED: weakref.WeakKeyDictionary[Store, dict[int, datetime]] = weakref.WeakKeyDictionary()


class SendError(Exception):
    """A delivery attempt failed; ``permanent`` for a 5xx refusal of this recipient."""

    def __init__(self, message: str, *, permanent: bool = False, server_down: bool = False,
                 tls: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.server_down = server_down
        # A certificate we refuse is a configuration problem: retrying cannot fix it.
        self.tls = tls


class Sender(Protocol):
    def send(self, recipient: str, raw: bytes) -> None: ...
    def close(self) -> None: ...


class SmtpSender:
    """One SMTP connection per delivery round, opened on first use."""

    def __init__(self, cfg: SmtpConfig, timeout: float | None = None,
                 ca_file: Path | None = None) -> None:
        self.cfg = cfg
        self.timeout = timeout or cfg.timeout
        self.ca_file = ca_file
        self._conn: smtplib.SMTP | None = None
        self.envelope_from = parseaddr(cfg.from_)[1] or "zxfeed@localhost"

    def _context(self) -> ssl.SSLContext:
        """Certificates and host names checked, against the system's CAs or ``[smtp] ca_file``."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def _connect(self) -> smtplib.SMTP:
        c = self.cfg
        conn: smtplib.SMTP | None = None
        try:
            if c.ssl:
                conn = smtplib.SMTP_SSL(c.host, c.port, timeout=self.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=self.timeout)
                if c.starttls:
                    conn.ehlo()
                    if not conn.has_extn("starttls"):
                        raise SendError(f"tls: SMTP {c.host}:{c.port} does not offer STARTTLS — "
                                        "use ssl = true or another server", tls=True)
                    conn.starttls(context=self._context())
            if c.username:
                password = os.environ.get(c.password_env or "", "")
                conn.login(c.username, password)
        except ssl.SSLCertVerificationError as exc:
            self._abandon(conn)
            raise SendError(f"tls: certificate of SMTP {c.host}:{c.port} refused "
                            f"({exc.verify_message}) — fix the server's certificate or set "
                            "[smtp] ca_file", tls=True) from None
        except ssl.SSLError as exc:
            self._abandon(conn)
            raise SendError(f"tls: TLS with SMTP {c.host}:{c.port} failed ({exc.reason or exc})",
                            tls=True) from None
        except SendError:
            self._abandon(conn)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"SMTP login refused ({exc.smtp_code})", server_down=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"SMTP {c.host}:{c.port} unreachable: {exc}", server_down=True) from None
        return conn

    @staticmethod
    def _abandon(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def send(self, recipient: str, raw: bytes) -> None:
        """Hand one message to the server; raise :class:`SendError` on any refusal."""
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._conn.sendmail(self.envelope_from, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise SendError(f"{code} {reply.decode(errors='replace')}", permanent=code >= 500) from None
        except smtplib.SMTPResponseException as exc:
            text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
                else str(exc.smtp_error)
            self.close()
            raise SendError(f"{exc.smtp_code} {text}", permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._conn = None
            raise SendError(f"SMTP connection lost: {exc}", server_down=True) from None

    def close(self) -> None:
        """Say QUIT, ignoring a server that is already gone."""
        if self._conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._conn.quit()
            self._conn = None


class FileSender:
    """Writes each message as an ``.eml`` file; the same message always lands in the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def send(self, recipient: str, raw: bytes) -> None:
        """Atomically write the message (named by its content hash: a resend overwrites)."""
        private_dir(self.directory)
        name = hashlib.sha256(raw).hexdigest()[:20] + ".eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, self.directory / name)

    def close(self) -> None:
        """Nothing to close."""


@dataclass(slots=True)
class Report:
    """What one delivery round did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    error: str | None = None  # a round-ending configuration error (TLS), for the operator


def deliver(store: Store, sender: Sender, now: datetime, *, retry_base: float = 30.0,
            retry_cap: float = 3600.0, lease: float = 300.0) -> Report:
    """Send every due message; on a server outage stop the round and retry later with backoff."""
    report = Report()
    # Sent, but the store could not mark it so: mark first, and send nothing while it can't.
    unmarked = _UNMARKED.setdefault(store, {})
    try:
        for pid, when in list(unmarked.items()):
            store.mark_sent(pid, when)
            del unmarked[pid]
        if not store.writable():
            return report
        for msg in store.due_mail(now, lease=lease):
            if msg.id in unmarked:
                continue
            try:
                sender.send(msg.recipient, msg.raw)
            except SendError as exc:
                if exc.tls:
                    # Every message of the round would meet the same certificate: all are
                    # marked failed with the reason (a restart requeues them, see requeue_tls).
                    for m in store.due_mail(now, limit=100000):
                        store.mark_failed(m.id, now, str(exc))
                        report.failed += 1
                    report.error = str(exc)
                    log.error("mail delivery stopped: %s", exc)
                    break
                if exc.permanent:
                    store.mark_failed(msg.id, now, str(exc))
                    report.failed += 1
                    log.warning("mail to %s refused for good: %s", msg.recipient, exc)
                    continue
                delay = min(retry_base * 2 ** msg.attempts, retry_cap)
                store.mark_retry(msg.id, now, str(exc), delay)
                report.retried += 1
                log.warning("mail to %s deferred %.0fs: %s", msg.recipient, delay, exc)
                if exc.server_down:
                    # Leave the rest pending as they are: they go once the server is back.
                    break
                continue
            report.sent += 1
            try:
                store.mark_sent(msg.id, now)
            except StoreWriteError as exc:
                unmarked[msg.id] = now
                log.warning("mail to %s sent but not marked (%s): no mail until the store "
                            "takes writes again", msg.recipient, exc)
                break
    except StoreWriteError as exc:
        log.warning("mail round stopped, the store cannot be written: %s", exc)
    finally:
        sender.close()
    return report


def make_sender(smtp: SmtpConfig | None, outbox_dir: Path, ca_file: Path | None = None) -> Sender:
    """SMTP when ``[smtp]`` is configured, else ``.eml`` files in ``outbox_dir``."""
    return SmtpSender(smtp, ca_file=ca_file) if smtp else FileSender(outbox_dir)

