"""Row ⇄ record conversions shared by the store's tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache

from ..models import Item
from .base import Row


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@lru_cache(maxsize=4096)
def _regions(text: str) -> tuple[str, ...]:
    # Feeds read thousands of rows whose few distinct region lists repeat.
    return tuple(json.loads(text))


def _attachments(text: str | None) -> tuple[tuple[str, str, str], ...]:
    """Stored ``[[url, name, type], …]`` back as tuples."""
    return tuple((a[0], a[1], a[2]) for a in json.loads(text)) if text and text != "[]" else ()


def item_from_row(row: Row) -> Item:
    """An :class:`Item` from a row of the items table."""
    return Item(
        id=row["id"], url=row["url"], link=row["link"], title=row["title"],
        truncated=bool(row["truncated"]), published=_dt(row["published"]),
        has_time=bool(row["has_time"]), source_id=row["source_id"],
        source_name=row["source_name"], regions=_regions(row["regions"]),
        summary=row["summary"], first_seen=_dt(row["first_seen"]),
        updated=_dt(row["updated"]),
        date_from_url=bool(row["date_from_url"]), baseline=bool(row["baseline"]),
        author=row["author"], origin=row["origin"], original_url=row["original_url"],
        attachments=_attachments(row["attachments"]),
        simhash=row["simhash"], title_key=row["title_key"], story_id=row["story_id"],
        enriched=bool(row["enriched"]), original_id=row["original_id"],
        content=row["content"],
    )
