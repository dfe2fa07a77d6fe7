"""Which proxy a request goes through: ``[fetch] proxy``, else ``HTTPS_PROXY``/``HTTP_PROXY``.

``NO_PROXY`` (and ``[fetch] no_proxy``) name hosts reached directly, with the usual
meaning: ``example.gov.cn`` matches it and its subdomains, ``*`` matches all. Loopback
is *not* exempt by default, so a proxy on 127.0.0.1 can be used and tested.
"""

from __future__ import annotations

import os
import urllib.request
from urllib.parse import urlsplit


def _environment(name: str) -> str | None:
    """``name_proxy`` as urllib reads it (lower case first, an empty one unsets it).

    Two variables looked up, not the whole environment scanned as
    ``getproxies_environment`` does on every call: that scan cost about as much as a 304.
    """
    lower = os.environ.get(f"{name}_proxy")
    if lower is not None:
        return lower or None
    if name == "http" and "REQUEST_METHOD" in os.environ:
        return None  # a CGI request's header, not the operator's setting (httpoxy)
    return os.environ.get(f"{name.upper()}_PROXY") or None


def proxy_for(url: str, configured: str | None = None, no_proxy: tuple[str, ...] = ()) -> str | None:
    """The ``http://host:port`` proxy for ``url``, or ``None`` to connect directly."""
    parts = urlsplit(url)
    proxy = configured or _environment(parts.scheme)
    if not proxy:
        return None
    bypass = ",".join(x for x in (_environment("no") or "", *no_proxy) if x)
    host = parts.netloc.rsplit("@", 1)[-1]
    # typeshed omits proxy_bypass_environment, an undocumented but long-stable urllib function.
    if bypass and urllib.request.proxy_bypass_environment(  # type: ignore[attr-defined]
            host, {"no": bypass}):
        return None
    return proxy if "://" in proxy else "http://" + proxy
