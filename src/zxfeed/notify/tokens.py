"""Signed link tokens: a purpose, a subscription id and an optional expiry, HMAC-signed.

A token never holds the address, so a forwarded or shared link reveals nothing
but a number, and it acts on one subscription only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime

from ..store import Store

SECRET_ENV = "ZXFEED_SECRET"
PURPOSES = ("confirm", "manage", "unsubscribe")


def load_secret(store: Store, env_name: str | None = None) -> bytes:
    """The signing key: from the named variable or ``ZXFEED_SECRET``, else generated once and stored."""
    for name in (env_name, SECRET_ENV):
        if name and os.environ.get(name):
            return os.environ[name].encode("utf-8")
    return store.meta_once("unsubscribe_secret", secrets.token_hex(32)).encode("ascii")


def _mac(secret: bytes, payload: str) -> str:
    mac = hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode("ascii")


def make_token(secret: bytes, purpose: str, sub_id: int, expires: datetime | None = None) -> str:
    """``purpose.id.expiry.mac`` (expiry in epoch seconds, 0 for none); URL-safe."""
    payload = f"{PURPOSES.index(purpose)}.{sub_id}.{int(expires.timestamp()) if expires else 0}"
    return f"{payload}.{_mac(secret, payload)}"


def read_token(secret: bytes, token: str, purpose: str, now: datetime) -> int | None:
    """The subscription id of a genuine, unexpired token for ``purpose``; else ``None``."""
    parts = (token or "").strip().split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(secret, payload), parts[3]):
        return None
    kind, sub_id, expiry = (int(p) for p in parts[:3])
    if kind >= len(PURPOSES) or PURPOSES[kind] != purpose:
        return None
    if expiry and now.timestamp() > expiry:
        return None
    return sub_id


def sign(secret: bytes, email: str) -> str:
    """The old address-keyed unsubscribe token (links in mail sent before subscription ids)."""
    mac = hmac.new(secret, email.strip().lower().encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode("ascii")


def verify(secret: bytes, email: str, token: str) -> bool:
    """Constant-time check of an old address-keyed token."""
    return hmac.compare_digest(sign(secret, email), token or "")
