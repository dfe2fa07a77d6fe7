"""Subscriptions kept in the store: from the config (merged in at start), the web form or the CLI.

Each row is one subscription with its own filters and status (``pending`` until
confirmed, ``active``, ``paused``, ``unsubscribed``, or ``dropped`` when its
config entry is gone). Addresses are compared by :func:`address_key`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from ..config.settings import Config, SubscriberConfig
from ..models import Subscription
from ..store import Store

EMAIL_RE = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
MODES = ("instant", "daily", "weekly")


def address_key(email: str, local_case: str = "insensitive") -> str:
    """The comparison key of an address: the domain always lower-cased, the local part unless sensitive."""
    local, _, domain = email.strip().rpartition("@")
    if local_case != "sensitive":
        local = local.lower()
    return f"{local}@{domain.lower()}"


def sync_config(store: Store, cfg: Config, now: datetime) -> None:
    """Merge ``[[subscribers]]`` into the store; an entry edited in the config wins over page edits."""
    case = cfg.notify.local_part_case
    wanted: dict[str, SubscriberConfig] = {}
    for sub in cfg.subscribers:
        wanted.setdefault(address_key(sub.email, case), sub)  # the same address twice: once
    store.sync_config_subscriptions(wanted, now)


def get(store: Store, sub_id: int) -> Subscription | None:
    """One subscription by id."""
    return store.subscription(sub_id)


def active(store: Store, modes: Iterable[str] = MODES) -> list[Subscription]:
    """Confirmed, unpaused subscriptions of the given modes, oldest first."""
    return store.active_subscriptions(modes)


def listing(store: Store) -> list[Subscription]:
    """Every subscription that is not over (pending, active, paused), for ``zxfeed subscribers``."""
    return store.live_subscriptions()


def of_address(store: Store, address: str) -> list[Subscription]:
    """Live or pending subscriptions of one address."""
    return store.live_subscriptions(address)


def create(store: Store, email: str, address: str, now: datetime, *, mode: str = "instant",
           filters: dict[str, list[str]] | None = None, status: str = "pending",
           origin: str = "web") -> Subscription:
    """A new subscription; its first digest covers what comes after now."""
    sub_id = store.create_subscription(email, address, now, mode=mode, filters=filters,
                                       status=status, origin=origin)
    sub = get(store, sub_id)
    assert sub is not None
    return sub


def update(store: Store, sub_id: int, now: datetime, *, mode: str | None = None,
           filters: dict[str, list[str]] | None = None, status: str | None = None) -> None:
    """Change a subscription's mode, filters or status."""
    store.update_subscription(sub_id, now, mode=mode, filters=filters, status=status)


def last_confirm_sent(store: Store, address: str) -> datetime | None:
    """When this address was last sent a confirmation mail."""
    return store.last_confirm_sent(address)


def split_words(text: str) -> list[str]:
    """Keywords typed as ``提案, 协商`` or ``提案 协商`` (full-width separators too)."""
    return [w for w in re.split(r"[\s,，、;；]+", text or "") if w][:20]
