"""Which links may become items: absolute http(s) URLs that parse, encode and name a real host.

Everything else (``javascript:``, ``data:``, an unfilled template host ``http://[siteurl]/``,
a port above 65535, lone surrogates) is dropped here, once, so that no later stage
(ids, the store, feeds, mail) meets a link it cannot handle.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
_HOST = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$")
MAX_URL = 2048


# One poll asks about each of its links several times (resolving, keeping, normalizing).
@lru_cache(maxsize=4096)
def web_link(url: str | None) -> str | None:
    """``url`` stripped when it is a usable absolute http(s) link, else ``None``."""
    if not url:
        return None
    url = url.strip()
    if len(url) > MAX_URL or "\ufffd" in url:
        return None
    try:
        url.encode("utf-8")  # lone surrogates cannot be stored or hashed
        parts = urlsplit(url)
        if parts.scheme.lower() not in WEB_SCHEMES:
            return None
        host = parts.hostname
        _ = parts.port  # ValueError above 65535 or when not a number
        if not host:
            return None
        if ":" in host:
            ipaddress.IPv6Address(host)
        elif not _HOST.match(host.encode("idna").decode("ascii").lower()):
            return None
    except (ValueError, UnicodeError):
        return None
    return url
