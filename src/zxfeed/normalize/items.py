"""Normalize stage: canonical URLs, stable item ids, region tags, UTC times."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from ..extract.limits import MAX_ATTACHMENTS, MAX_SUMMARY, MAX_TITLE
from ..extract.links import web_link
from ..extract.text import strip_control
from ..models import Item, RawItem
from .reprints import simhash, title_key

_TRACKING = re.compile(
    r"^(utm_\w+|spm|from|isappinstalled|scene|share_?\w*|wxfrom|clicktime|enterid|nsukey)$",
    re.IGNORECASE,
)
_INDEX = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A path of characters quote() keeps as they are (no %-escapes): its own canonical form.
_AS_QUOTED = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=\-._~]*")


# A poll asks for the same few URLs' identity several times (enrich, normalize, store).
@lru_cache(maxsize=4096)
def canonical_url(url: str) -> str:
    """The identity of a link: scheme-less, host lower-cased, tracking and fragment dropped."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"
    path = parts.path or "/"
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    if not _AS_QUOTED.fullmatch(path):  # else unquoting and quoting again change nothing
        path = quote(unquote(path), safe="/:@!$&'()*+,;=-._~")
    path = _INDEX.sub("/", path)
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    ) if parts.query else []
    return urlunsplit(("", netloc, path, urlencode(query), ""))


@lru_cache(maxsize=4096)
def item_id(url: str) -> str:
    """A stable id from the canonical URL only; titles change, links do not."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:24]


def region_keys(region: str | None, city: str | None, district: str | None) -> tuple[str, ...]:
    """Feed keys for an item's place: province, city, and district qualified by its city."""
    keys = [k for k in (region, city) if k]
    if district:
        # District names repeat across China (鼓楼区, 朝阳区): qualify them by their city.
        keys.append(f"{city}{district}" if city and not district.startswith(city) else district)
    return tuple(dict.fromkeys(keys))


def normalize_item(
    raw: RawItem,
    *,
    source_id: str,
    source_name: str,
    regions: tuple[str, ...],
    now: datetime,
) -> Item:
    """A stored-form item: UTC times, clean strings, id from the canonical URL."""
    published = raw.published.astimezone(UTC) if raw.published else None
    original = web_link(raw.original_url)
    return Item(
        id=item_id(raw.url),
        url=canonical_url(raw.url),
        link=raw.url,
        title=strip_control(raw.title)[:MAX_TITLE],
        truncated=raw.truncated,
        published=published,
        has_time=raw.has_time,
        source_id=source_id,
        source_name=source_name,
        regions=regions,
        summary=strip_control(raw.summary)[:MAX_SUMMARY] if raw.summary else None,
        first_seen=now.astimezone(UTC),
        updated=now.astimezone(UTC),
        date_from_url=raw.date_from_url,
        author=strip_control(raw.author)[:MAX_TITLE] if raw.author else None,
        origin=strip_control(raw.origin)[:MAX_TITLE] if raw.origin else None,
        original_url=original,
        original_id=item_id(original) if original else None,
        # Article pages are hostile too: only web links, and not thousands of them.
        attachments=tuple((u, strip_control(t)[:MAX_TITLE], m)
                          for u, t, m in raw.attachments[:MAX_ATTACHMENTS] if web_link(u)),
        simhash=simhash(raw.body) if raw.body else None,
        title_key=title_key(raw.title),
        enriched=raw.enriched,
        content=strip_control(raw.content) if raw.content else None,
    )
