"""Daily and weekly digests: every matching item since the subscription's last digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..config.settings import Config
from ..models import Mail
from ..store import Store
from .alerts import select_for
from .messages import MessageBuilder
from .subscriptions import Subscription, get

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def last_slot(sub: Subscription, now: datetime, tz: ZoneInfo) -> datetime:
    """The most recent scheduled digest time not after ``now``."""
    hour, minute = (int(x) for x in sub.time.split(":"))
    local = now.astimezone(tz)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if sub.mode == "weekly":
        slot -= timedelta(days=(slot.weekday() - WEEKDAYS.index(sub.weekday)) % 7)
    while slot > local:
        slot -= timedelta(days=7 if sub.mode == "weekly" else 1)
    return slot


def is_due(store: Store, sub: Subscription, now: datetime, tz: ZoneInfo) -> bool:
    """Whether a scheduled digest time has passed since this subscription's last digest."""
    fresh = get(store, sub.id)
    until = fresh.digest_until if fresh else None
    return until is None or last_slot(sub, now, tz) > until


def queue_digest(store: Store, cfg: Config, builder: MessageBuilder, sub: Subscription,
                 now: datetime, *, dry_run: bool = False,
                 period: datetime | None = None) -> Mail | None:
    """Queue (or with ``dry_run`` only build) one subscription's digest; ``None`` if nothing to say."""
    if sub.mode == "instant":
        return None
    with store.mail_batch() as batch:
        live, since = batch.digest_since(sub.id)
        if not live:
            return None
        if period is not None and not dry_run and not batch.claim_digest(sub.id, period):
            return None  # this period's digest was built already (by another node)
        items = batch.digest_items(now, since)
        chosen = select_for(batch, sub, items, batch.sources_of([it.id for it in items]), "digest")
        if not chosen and not cfg.notify.send_empty_digest:
            mail = None
        else:
            mail = builder.digest(sub, chosen, now, since)
        if dry_run:
            return mail
        if mail is not None:
            batch.enqueue(mail, now, [it.id for it in chosen], subscriber=sub.address)
        batch.set_digest_until(sub.id, now)
    return mail
