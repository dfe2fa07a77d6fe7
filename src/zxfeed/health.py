"""What a poll's outcome says about a source: ok, degraded, broken, blocked or failing."""

from __future__ import annotations

import re

from .fetch import FetchError

# Anti-bot walls answer with a script that sets a cookie and reloads (wzws, 瑞数/FSSBBIl1UgzbN7N80S).
_WALL = re.compile(
    rb"wzws|FSSBBIl1UgzbN7N80S|__jsl_clearance|_\$[a-zA-Z]{2}=|\xe8\xaf\xb7\xe5\xbc\x80\xe5\x90\xaf"
    rb"JavaScript|please enable javascript|\xe9\xaa\x8c\xe8\xaf\x81\xe7\xa0\x81|captcha|"
    rb"\xe5\xae\x89\xe5\x85\xa8\xe9\xaa\x8c\xe8\xaf\x81|slider-?verify",
    re.IGNORECASE,
)


def looks_like_wall(body: bytes, status: int | None = None) -> bool:
    """A challenge page (script-only 412/202, cookie challenge, 请开启JavaScript, CAPTCHA)."""
    head = body[:20000]
    if _WALL.search(head):
        return True
    if status in (202, 412, 403, 521) and head:
        text = re.sub(rb"<script.*?</script>", b"", head, flags=re.S | re.I)
        return len(re.sub(rb"<[^>]+>|\s+", b"", text)) < 200
    return False


def failure_state(exc: FetchError) -> str:
    """``blocked`` for walls and refusals, ``failing`` for everything else."""
    if exc.kind == "http" and (exc.status in (202, 412, 521) or looks_like_wall(exc.body, exc.status)):
        return "blocked"
    if exc.kind == "http" and exc.status == 403:
        return "blocked"
    return "failing"


def page_state(*, items: int, previous: int | None, replacements: int,
               undated: int, body: bytes) -> tuple[str, str | None]:
    """State of a page that loaded, and a short reason when it is not ``ok``."""
    if items == 0:
        if looks_like_wall(body, 200):
            return "blocked", "anti-bot challenge page instead of the list"
        if previous:
            return "broken", f"no items found (last poll had {previous})"
        return "broken", "no dated list found on the page"
    if replacements:
        return "degraded", f"{replacements} characters could not be decoded"
    if undated * 2 > items:
        return "degraded", f"{undated} of {items} items have no date"
    return "ok", None
