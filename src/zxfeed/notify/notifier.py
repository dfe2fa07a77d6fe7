"""The notify stage as the daemon and CLI use it: queue alerts and digests, deliver, unsubscribe."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from ..config import Config, SubscriberConfig
from ..store import Store
from .alerts import queue_alerts
from .digest import queue_digest, sync_subscribers
from .messages import Mail, MessageBuilder
from .operator import queue_operator_alerts
from .send import Report, Sender, deliver, make_sender
from .tokens import load_secret, verify

log = logging.getLogger("zxfeed.notify")


class Notifier:
    """One per process; deliveries are serialized so no message is handed over twice at once."""

    def __init__(self, cfg: Config, store: Store, sender: Sender | None = None) -> None:
        self.cfg = cfg
        self.store = store
        self.builder = MessageBuilder(cfg, load_secret(store, cfg.notify.secret_env))
        self._sender = sender
        self._lock = threading.Lock()
        sync_subscribers(store, cfg, datetime.now(UTC))

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def alerts(self) -> int:
        """Queue alerts for stored items that wait for them."""
        if not self.cfg.subscribers:
            # Nobody to tell: items still leave the waiting list.
            with self.store.transaction() as db:
                db.execute("UPDATE items SET notified = 1 WHERE notified = 0")
            return 0
        return queue_alerts(self.store, self.cfg, self.builder, self._now())

    def digest(self, sub: SubscriberConfig, *, dry_run: bool = False) -> Mail | None:
        """Queue one subscriber's digest (or only build it)."""
        return queue_digest(self.store, self.cfg, self.builder, sub, self._now(), dry_run=dry_run)

    def deliver(self) -> Report:
        """Send what is due from the outbox."""
        with self._lock:
            sender = self._sender or make_sender(self.cfg.smtp, self.cfg.outbox_dir)
            report = deliver(self.store, sender, self._now(), retry_base=self.cfg.notify.retry_base,
                             retry_cap=self.cfg.notify.retry_cap)
        if report.sent or report.retried or report.failed:
            log.info("mail sent=%d retried=%d failed=%d", report.sent, report.retried,
                     report.failed)
        return report

    def run_round(self) -> Report:
        """Alerts for anything waiting, operator alerts, then delivery: after polls and on a timer."""
        self.alerts()
        queue_operator_alerts(self.store, self.cfg, self.builder, self._now())
        return self.deliver()

    def unsubscribe(self, email: str, token: str) -> bool:
        """Record an unsubscription if the token is genuine."""
        if not verify(self.builder.secret, email, token):
            return False
        with self.store.transaction() as db:
            db.execute("INSERT INTO subscribers (email, created, unsubscribed_at) VALUES (?, ?, ?) "
                       "ON CONFLICT(email) DO UPDATE SET unsubscribed_at=excluded.unsubscribed_at",
                       (email, self._now().isoformat(), self._now().isoformat()))
        log.info("unsubscribed %s", email)
        return True

    def render_unsubscribe(self, **context: object) -> str:
        """The confirmation / result page."""
        return self.builder.env.get_template("unsubscribe.html").render(
            {"done": False, "invalid": False, "email": "", "token": "", "action": "", **context})

    def check_token(self, email: str, token: str) -> bool:
        """Whether an unsubscribe link is genuine (without acting on it)."""
        return verify(self.builder.secret, email, token)
