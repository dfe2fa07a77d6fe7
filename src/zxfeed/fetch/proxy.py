"""Which proxy a request goes through: ``[fetch] proxy``, else ``HTTPS_PROXY``/``HTTP_PROXY``.

``NO_PROXY`` (and ``[fetch] no_proxy``) name hosts reached directly, with the usual
meaning: ``example.gov.cn`` matches it and its subdomains, ``*`` matches all. Loopback
is *not* exempt by default, so a proxy on 127.0.0.1 can be used and tested.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit


def proxy_for(url: str, configured: str | None = None, no_proxy: tuple[str, ...] = ()) -> str | None:
    """The ``http://host:port`` proxy for ``url``, or ``None`` to connect directly."""
    env = urllib.request.getproxies_environment()
    parts = urlsplit(url)
    proxy = configured or env.get(parts.scheme)
    if not proxy:
        return None
    bypass = ",".join(x for x in (env.get("no", ""), *no_proxy) if x)
    host = parts.netloc.rsplit("@", 1)[-1]
    # typeshed omits proxy_bypass_environment, an undocumented but long-stable urllib function.
    if bypass and urllib.request.proxy_bypass_environment(  # type: ignore[attr-defined]
            host, {"no": bypass}):
        return None
    return proxy if "://" in proxy else "http://" + proxy
