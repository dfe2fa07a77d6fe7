"""Which items a subscriber wants: regions, sources, keywords to include and exclude."""

from __future__ import annotations

from ..config.settings import SubscriberConfig
from ..models import Item


def wants(sub: SubscriberConfig, item: Item, sources: set[str] | None = None) -> bool:
    """Whether ``item`` (seen by ``sources``, default its own) passes the subscriber's filters."""
    if sub.regions and not set(sub.regions) & set(item.regions):
        return False
    if sub.sources and not set(sub.sources) & (sources or {item.source_id}):
        return False
    text = item.title + "\n" + (item.summary or "")
    if sub.keywords and not any(k in text for k in sub.keywords):
        return False
    return not any(k in text for k in sub.exclude)
