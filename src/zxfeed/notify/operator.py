"""Operator mail: one message per incident round listing every source that went bad or came back.

At most one message per ``[notify] operator_every``: changes seen in between wait
(their sources are not marked as told) and go together in the next message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..config.settings import Config
from ..models import SourceStateName
from ..store import Store
from .messages import MessageBuilder

BAD: tuple[SourceStateName, ...] = ("broken", "blocked", "failing")
LAST_KEY = "operator_last_mail"


def queue_operator_alerts(store: Store, cfg: Config, builder: MessageBuilder, now: datetime) -> int:
    """Queue one message if sources crossed the threshold (or recovered) and the last one is old enough."""
    if not cfg.operator:
        return 0
    names = {s.id: (s.name, s.url) for s in cfg.sources}
    after = timedelta(seconds=cfg.notify.operator_after)
    bad, recovered = [], []
    for src in store.sources(counts=False):
        told = src.operator_state
        name, url = names.get(src.id, (src.id, ""))
        if src.state in BAD:
            if told != src.state and src.state_since and now - src.state_since >= after:
                bad.append((src, name, url))
        elif told in BAD and src.state != "new":
            recovered.append((src, name, url))
    if not bad and not recovered:
        return 0
    last = store.meta(LAST_KEY)
    if last and now - datetime.fromisoformat(last) < timedelta(seconds=cfg.notify.operator_every):
        return 0
    mail = builder.operator(cfg.operator, bad, recovered, now)
    with store.mail_batch() as batch:
        batch.enqueue(mail, now, [])
        batch.set_operator_states([(s.state, s.id) for s, _, _ in bad]
                                  + [(None, s.id) for s, _, _ in recovered])
        batch.set_meta(LAST_KEY, now.astimezone(UTC).isoformat())
    return 1
