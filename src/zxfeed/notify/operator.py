"""Operator alerts: one message when a source stays broken, blocked or failing, one when it recovers."""

from __future__ import annotations

from datetime import datetime, timedelta

from ..config import Config
from ..store import Store
from . import outbox
from .messages import MessageBuilder

BAD = ("broken", "blocked", "failing")


def queue_operator_alerts(store: Store, cfg: Config, builder: MessageBuilder, now: datetime) -> int:
    """Queue a message per source whose state crossed the threshold (or recovered) since last told."""
    if not cfg.operator:
        return 0
    names = {s.id: s.name for s in cfg.sources}
    after = timedelta(seconds=cfg.notify.operator_after)
    queued = 0
    for src in store.sources(counts=False):
        told = src.operator_state
        bad = src.state in BAD
        if bad and told != src.state and src.state_since and now - src.state_since >= after:
            new_told = src.state
        elif not bad and told in BAD and src.state != "new":
            new_told = None
        else:
            continue
        mail = builder.operator(cfg.operator, src, names.get(src.id, src.id), now)
        with store.transaction() as db:
            outbox.enqueue(db, mail, now, [])
            db.execute("UPDATE sources SET operator_state=? WHERE id=?", (new_told, src.id))
        queued += 1
    return queued
