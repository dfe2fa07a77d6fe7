"""``[server] status_auth = "user:ENV_VAR"``: basic auth for the status page and ``/metrics``."""

from __future__ import annotations

import base64
import binascii
import hmac
import os

from ..config.settings import Config, ConfigError

CHALLENGE = 'Basic realm="zxfeed", charset="UTF-8"'


def status_credentials(cfg: Config) -> bytes | None:
    """``user:password`` as bytes, the password read from the named variable; ``None`` if unset."""
    spec = cfg.server.status_auth
    if not spec:
        return None
    user, env = spec.split(":", 1)
    password = os.environ.get(env, "")
    if not password:
        raise ConfigError(f"{cfg.path}: server.status_auth: environment variable {env!r} is not set "
                          "or empty — export the status page's password in it before starting")
    return f"{user}:{password}".encode()


def authorized(header: str | None, expected: bytes | None) -> bool:
    """Whether an ``Authorization`` header carries the expected credentials (constant time)."""
    if expected is None:
        return True
    scheme, _, value = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, expected)
