"""Plain records passed between pipeline stages (fetch → extract → normalize → store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

# What a source's health is, as stored, shown on the status page and exported as metrics.
SourceStateName = Literal["new", "ok", "degraded", "broken", "blocked", "failing"]
SOURCE_STATES: tuple[SourceStateName, ...] = get_args(SourceStateName)
# Why a fetch produced no usable page (FetchError.kind, TransportError.kind).
FetchErrorKind = Literal["timeout", "network", "invalid-url", "too-large", "blocked-address", "tls",
                         "aborted", "redirects", "robots", "http", "blocked"]
# A failed poll's kind: a fetch's, an exception in zxfeed itself, or a store that takes no writes.
ErrorKind = FetchErrorKind | Literal["internal", "store"]
# What one poll did.
PollStatus = Literal["ok", "unchanged", "failed", "aborted"]
POLL_STATUSES: tuple[PollStatus, ...] = get_args(PollStatus)


@dataclass(slots=True)
class RawItem:
    """One entry as a list page or feed shows it, before normalization."""

    title: str
    url: str
    published: datetime | None = None
    has_time: bool = False
    truncated: bool = False
    date_from_url: bool = False
    summary: str | None = None
    author: str | None = None
    origin: str | None = None  # 来源 as the page names it (新华社, 山东政协 …)
    original_url: str | None = None  # 原文链接 / 来源 link / canonical elsewhere
    attachments: list[tuple[str, str, str]] = field(default_factory=list)
    body: str = ""
    enriched: bool = False
    content: str | None = None  # the article body as sanitized HTML


@dataclass(slots=True)
class Item:
    """A normalized item, keyed by the id of its canonical URL."""

    id: str
    url: str
    link: str
    title: str
    truncated: bool
    published: datetime | None
    has_time: bool
    source_id: str
    source_name: str
    regions: tuple[str, ...] = ()
    summary: str | None = None
    first_seen: datetime | None = None
    updated: datetime | None = None
    date_from_url: bool = False  # the date was read from the URL, not the page
    baseline: bool = False  # stored by a source's first poll: never announced
    author: str | None = None
    origin: str | None = None
    original_url: str | None = None
    attachments: tuple[tuple[str, str, str], ...] = ()
    simhash: int | None = None
    title_key: str = ""
    story_id: str | None = None
    enriched: bool = False
    original_id: str | None = None
    content: str | None = None


@dataclass(slots=True)
class Subscription:
    """One subscription; has the attributes of a config ``[[subscribers]]`` entry, plus its row."""

    id: int
    email: str
    address: str
    mode: str = "instant"
    name: str | None = None
    regions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    time: str = "08:00"
    weekday: str = "mon"
    status: str = "active"
    origin: str = "web"
    digest_until: datetime | None = None
    last_alert: datetime | None = None

    @property
    def filters(self) -> dict[str, list[str]]:
        return {"regions": self.regions, "sources": self.sources, "keywords": self.keywords,
                "exclude": self.exclude}


@dataclass(frozen=True, slots=True)
class Mail:
    """A message ready for the outbox (built by notify, queued and claimed by the store)."""

    message_id: str
    recipient: str
    subject: str
    raw: bytes
    kind: str
