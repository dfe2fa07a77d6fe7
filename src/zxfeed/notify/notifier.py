"""The notify stage as the daemon, the CLI and the web pages use it: queue, deliver, subscriptions."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ..config.settings import Config
from ..models import Mail
from ..store import Store
from . import subscriptions as subs
from .alerts import queue_alerts
from .digest import is_due, last_slot, queue_digest
from .messages import MessageBuilder
from .operator import queue_operator_alerts
from .send import Report, Sender, deliver, make_sender
from .tokens import load_secret, make_token, read_token, verify

log = logging.getLogger("zxfeed.notify")
ERROR_KEY = "mail_error"


class Notifier:
    """One per process; deliveries are serialized so no message is handed over twice at once."""

    def __init__(self, cfg: Config, store: Store, sender: Sender | None = None) -> None:
        self.cfg = cfg
        self.store = store
        self.builder = MessageBuilder(cfg, load_secret(store, cfg.notify.secret_env))
        self.tz = ZoneInfo(cfg.schedule.timezone)
        self._sender = sender
        self._lock = threading.Lock()
        # The daemon sets this to wake its mail thread (a confirmation mail should not wait).
        self.wake: Callable[[], None] = lambda: None
        subs.sync_config(store, cfg, self._now())
        self.requeue_tls_failures()

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def key(self, email: str) -> str:
        """The comparison key of an address under ``[notify] local_part_case``."""
        return subs.address_key(email, self.cfg.notify.local_part_case)

    # -- alerts, digests, delivery ---------------------------------------------

    def alerts(self) -> int:
        """Queue alerts for stored items that wait for them (and backlogs now due)."""
        return queue_alerts(self.store, self.cfg, self.builder, self._now())

    def digest_subscriptions(self) -> list[subs.Subscription]:
        """Active daily and weekly subscriptions."""
        return subs.active(self.store, ["daily", "weekly"])

    def due_digests(self) -> list[subs.Subscription]:
        """Digest subscriptions whose scheduled time has passed since their last digest."""
        now = self._now()
        return [s for s in self.digest_subscriptions() if is_due(self.store, s, now, self.tz)]

    def digest(self, sub: subs.Subscription, *, dry_run: bool = False,
               once: bool = False) -> Mail | None:
        """Queue one subscription's digest (or only build it).

        ``once``: the scheduled digest of the current period, built by whichever node (or
        process) comes first; the others find the period taken.
        """
        now = self._now()
        period = last_slot(sub, now, self.tz) if once else None
        return queue_digest(self.store, self.cfg, self.builder, sub, now, dry_run=dry_run,
                            period=period)

    def smtp_fingerprint(self) -> str:
        """What a TLS refusal depends on: the ``[smtp]`` table and the CA file's content."""
        smtp = self.cfg.smtp
        if smtp is None:
            return ""
        data = smtp.model_dump_json().encode()
        if smtp.ca_file and self.cfg.resolve(smtp.ca_file).is_file():
            data += self.cfg.resolve(smtp.ca_file).read_bytes()
        return hashlib.sha256(data).hexdigest()[:16]

    def requeue_tls_failures(self) -> int:
        """Messages failed on a refused certificate go again once ``[smtp]`` or its CA changed."""
        err = self.delivery_error()
        if err is None or err.get("smtp") == self.smtp_fingerprint():
            return 0
        count = self.store.requeue_tls_failures(self._now(), ERROR_KEY)
        log.info("mail: [smtp] changed since the TLS refusal, %d messages queued again", count)
        return count

    def deliver(self) -> Report:
        """Send what is due from the outbox."""
        with self._lock:
            sender = self._sender or make_sender(
                self.cfg.smtp, self.cfg.outbox_dir,
                self.cfg.resolve(self.cfg.smtp.ca_file) if self.cfg.smtp and self.cfg.smtp.ca_file
                else None)
            report = deliver(self.store, sender, self._now(), retry_base=self.cfg.notify.retry_base,
                             retry_cap=self.cfg.notify.retry_cap, lease=self.cfg.storage.lease)
        if report.error:
            self._set_error(report.error)
        elif report.sent:
            self._set_error(None)
        if report.sent or report.retried or report.failed:
            log.info("mail sent=%d retried=%d failed=%d", report.sent, report.retried,
                     report.failed)
        return report

    def _set_error(self, error: str | None) -> None:
        value = None if error is None else json.dumps(
            {"error": error, "at": self._now().isoformat(timespec="seconds"),
             "smtp": self.smtp_fingerprint()}, ensure_ascii=False)
        self.store.set_meta(ERROR_KEY, value)

    def delivery_error(self) -> dict[str, str] | None:
        """The last round-ending delivery error (a refused certificate), until a message goes."""
        value = self.store.meta(ERROR_KEY)
        return json.loads(value) if value is not None else None

    def run_round(self) -> Report:
        """Alerts for anything waiting, operator alerts, then delivery: after polls and on a timer."""
        self.alerts()
        queue_operator_alerts(self.store, self.cfg, self.builder, self._now())
        return self.deliver()

    # -- subscriptions (the web pages and the CLI) -------------------------------

    def confirm_url(self, sub: subs.Subscription) -> str:
        """The double opt-in link; expires after ``[notify] confirm_hours``."""
        expires = self._now() + timedelta(hours=self.cfg.notify.confirm_hours)
        token = make_token(self.builder.secret, "confirm", sub.id, expires)
        return f"{self.cfg.base_url}/subscribe/confirm?token={token}"

    def request(self, email: str, mode: str, filters: dict[str, list[str]]) -> str:
        """A sign-up from the form: a pending subscription and (at most hourly) a confirmation mail.

        Returns ``"sent"`` or ``"held"`` (a confirmation went to this address within the hour).
        """
        now = self._now()
        address = self.key(email)
        pending = [s for s in subs.of_address(self.store, address) if s.status == "pending"]
        if pending:
            sub = pending[-1]
            subs.update(self.store, sub.id, now, mode=mode, filters=filters)
            sub = subs.get(self.store, sub.id) or sub
        else:
            sub = subs.create(self.store, email, address, now, mode=mode, filters=filters)
        last = subs.last_confirm_sent(self.store, address)
        if last is not None and now - last < timedelta(hours=1):
            return "held"
        mail = self.builder.confirm(sub, self.confirm_url(sub), now)
        with self.store.mail_batch() as batch:
            batch.enqueue(mail, now, [])
            batch.mark_confirm_sent(sub.id, now)
        log.info("subscription %d requested, confirmation queued", sub.id)
        self.wake()
        return "sent"

    def token_subscription(self, token: str, purpose: str) -> subs.Subscription | None:
        """The subscription a genuine token names (for ``confirm`` also unexpired)."""
        sub_id = read_token(self.builder.secret, token, purpose, self._now())
        return subs.get(self.store, sub_id) if sub_id is not None else None

    def confirm(self, token: str) -> subs.Subscription | None:
        """Activate the subscription of a confirmation token (again: no change)."""
        sub = self.token_subscription(token, "confirm")
        if sub is None or sub.status not in ("pending", "active"):
            return None
        if sub.status == "pending":
            subs.update(self.store, sub.id, self._now(), status="active")
            log.info("subscription %d confirmed", sub.id)
        return subs.get(self.store, sub.id)

    def change(self, sub: subs.Subscription, *, mode: str | None = None,
               filters: dict[str, list[str]] | None = None, status: str | None = None) -> None:
        """Change one subscription from its manage page or the CLI."""
        subs.update(self.store, sub.id, self._now(), mode=mode, filters=filters, status=status)
        log.info("subscription %d changed%s", sub.id, f" status={status}" if status else "")

    def unsubscribe_token(self, token: str) -> subs.Subscription | None:
        """One-click (RFC 8058) or the page's button: end the one subscription the mail was for."""
        sub = self.token_subscription(token, "unsubscribe") or self.token_subscription(token, "manage")
        if sub is None:
            return None
        if sub.status != "unsubscribed":
            self.change(sub, status="unsubscribed")
        return subs.get(self.store, sub.id)

    def unsubscribe_address(self, email: str, token: str) -> list[subs.Subscription]:
        """Links in mail from before subscription ids: end that address's subscriptions."""
        if not email or not verify(self.builder.secret, email, token):
            return []
        ended = []
        for sub in subs.of_address(self.store, self.key(email)):
            if sub.status != "pending":
                self.change(sub, status="unsubscribed")
                ended.append(sub)
        return ended

    def check_token(self, email: str, token: str) -> bool:
        """Whether an old address-keyed unsubscribe link is genuine (without acting on it)."""
        return verify(self.builder.secret, email, token)

    def render(self, template: str, **context: object) -> str:
        """A page from the templates (the same loader and autoescaping as the mails)."""
        return self.builder.env.get_template(template).render(context)
