"""Signed unsubscribe tokens: an HMAC of the address, so links cannot be forged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from ..store import Store


def load_secret(store: Store, env_name: str | None = None) -> bytes:
    """The signing key: from the named environment variable, else generated once and stored."""
    if env_name and os.environ.get(env_name):
        return os.environ[env_name].encode("utf-8")
    with store.transaction() as db:
        row = db.execute("SELECT value FROM meta WHERE key='unsubscribe_secret'").fetchone()
        if row is None:
            value = secrets.token_hex(32)
            db.execute("INSERT INTO meta (key, value) VALUES ('unsubscribe_secret', ?)", (value,))
            return value.encode("ascii")
        return row[0].encode("ascii")


def sign(secret: bytes, email: str) -> str:
    """A URL-safe token for ``email``."""
    mac = hmac.new(secret, email.strip().lower().encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode("ascii")


def verify(secret: bytes, email: str, token: str) -> bool:
    """Constant-time check of a token."""
    return hmac.compare_digest(sign(secret, email), token or "")
