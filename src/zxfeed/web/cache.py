"""Validators and content coding for served responses: weak ETags, ``If-None-Match``, gzip."""

from __future__ import annotations

import gzip
import hashlib

MIN_GZIP = 512  # smaller bodies gain nothing from compression


def weak_etag(data: bytes) -> str:
    """``W/"…"`` from the bytes' hash: the same for the identity and the gzip coding."""
    return 'W/"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag[:2].upper() == "W/" else tag


def none_match(header: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names ``etag`` (weak comparison, lists and ``*``; RFC 9110 13.1.2)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    want = _opaque(etag)
    return any(_opaque(t) == want for t in header.split(",") if t.strip())


def accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip;q=0`` refuses it; ``*`` allows it)."""
    if not header:
        return False
    quality: dict[str, float] = {}
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[name.strip()] = q
    q = quality.get("gzip", quality.get("x-gzip", quality.get("*", 0.0)))
    return q > 0


def compress(data: bytes) -> bytes:
    """gzip with a fixed mtime, so the same body always compresses to the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)
