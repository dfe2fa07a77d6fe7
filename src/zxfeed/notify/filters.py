"""Which items a subscriber wants: regions, sources, keywords to include and exclude."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..models import Item


class Wanted(Protocol):
    """What a subscription asks for: a stored :class:`~zxfeed.models.Subscription` or a config entry."""

    @property
    def regions(self) -> Sequence[str]: ...
    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def keywords(self) -> Sequence[str]: ...
    @property
    def exclude(self) -> Sequence[str]: ...


def wants(sub: Wanted, item: Item, sources: set[str] | None = None) -> bool:
    """Whether ``item`` (seen by ``sources``, default its own) passes the subscriber's filters."""
    if sub.regions and not set(sub.regions) & set(item.regions):
        return False
    if sub.sources and not set(sub.sources) & (sources or {item.source_id}):
        return False
    text = item.title + "\n" + (item.summary or "")
    if sub.keywords and not any(k in text for k in sub.keywords):
        return False
    return not any(k in text for k in sub.exclude)
