"""What a poll's outcome says about a source: ok, degraded, broken, blocked or failing.

``failing``: the site did not answer properly (network, timeout, 5xx, oversize).
``blocked``: an anti-bot wall, a refusal, robots.txt, or a redirect to an internal
address that zxfeed refused (``blocked-address``). Neither means "no news".
``broken``: the page loads but its list is gone or mangled. ``degraded``: it
works with losses (undecodable characters, some items without dates).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..fetch.client import FetchError
from ..models import SourceStateName

# Challenge pages: wzws (安全狗/云锁), 瑞数 (FSSBBIl1UgzbN7N80S, $_ts), jsl clearance, plain
# "请开启JavaScript" / CAPTCHA pages.
_WALL = re.compile(
    "|".join([r"wzws", r"FSSBBIl1UgzbN7N80S", r"__jsl_clearance", r"\$_ts\s*=", r"请开启\s*JavaScript",
              r"please enable javascript", r"enable JavaScript and cookies", r"验证码", r"安全验证",
              r"captcha", r"slider-?verify", r"访问验证", r"人机验证"]).encode("utf-8"),
    re.IGNORECASE,
)
_SCRIPT = re.compile(rb"<script.*?</script>", re.S | re.I)
_TAGS = re.compile(rb"<[^>]+>|\s+|&nbsp;")
WALL_STATUSES = (202, 403, 412, 418, 429, 521)


def looks_like_wall(body: bytes, status: int | None = None, cookies: str = "") -> bool:
    """A challenge page: script-only 412/202, a challenge cookie, 请开启JavaScript, a CAPTCHA."""
    head = body[:30000]
    if _WALL.search(head) or _WALL.search(cookies.encode("utf-8", "ignore")):
        return True
    if status in WALL_STATUSES and head:
        visible = _TAGS.sub(b"", _SCRIPT.sub(b"", head))
        return len(visible) < 200
    return False


def failure_state(exc: FetchError) -> SourceStateName:
    """``blocked`` for walls, refusals, robots.txt and internal addresses; ``failing`` otherwise."""
    if exc.kind in ("robots", "blocked-address"):
        return "blocked"
    if exc.kind == "http":
        cookies = exc.headers.get("set-cookie", "") if exc.headers else ""
        if exc.status in (403, 412, 202, 521) or looks_like_wall(exc.body, exc.status, cookies):
            return "blocked"
    return "failing"


def _site(host: str) -> str:
    labels = host.lower().removeprefix("www.").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in ("gov", "com", "org", "net", "edu") else 2
    return ".".join(labels[-keep:])


@dataclass(frozen=True, slots=True)
class Verdict:
    """A source's state after a poll that loaded, and why (``None`` when all is well)."""

    state: SourceStateName
    reason: str | None = None


def page_state(*, url: str, item_urls: list[str], recent: list[int], replacements: int,
               undated: int, body: bytes, skipped: int = 0) -> Verdict:
    """Judge a page that loaded: its items against the source's recent history.

    ``skipped`` entries (a link or text no stage could use) make a working page ``degraded``.
    """
    n = len(item_urls)
    if n == 0:
        if looks_like_wall(body, 200):
            return Verdict("blocked", "anti-bot challenge page instead of the list")
        if skipped:
            return Verdict("broken", f"no usable items ({skipped} entries skipped: unusable link or text)")
        if recent:
            return Verdict("broken", f"no items found (recently {recent[-1]})")
        return Verdict("broken", "no dated list found on the page")
    if len(recent) >= 3 and n < statistics.median(recent) / 2:
        return Verdict("broken", f"{n} items, far below the usual {statistics.median(recent):g}")
    if undated * 2 > n:
        return Verdict("broken", f"{undated} of {n} items have no readable date")
    home = _site(urlsplit(url).hostname or "")
    if n >= 3 and all(_site(urlsplit(u).hostname or "") != home for u in item_urls):
        return Verdict("broken", "every item links off the site")
    if replacements:
        return Verdict("degraded", f"{replacements} characters could not be decoded")
    if skipped:
        return Verdict("degraded", f"{skipped} entries skipped: unusable link or text")
    if undated:
        return Verdict("degraded", f"{undated} of {n} items have no date")
    return Verdict("ok")
