"""robots.txt kept in the store outlives the process, and expires as it would in memory."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from zxfeed.fetch.robots import TTL_ERROR, TTL_OK, RobotsCache


class Site:
    """A robots.txt getter that counts how often it was asked."""

    def __init__(self, status: int = 200, body: bytes = b"User-agent: *\nDisallow: /private/\n",
                 fail: bool = False) -> None:
        self.status, self.body, self.fail, self.asked = status, body, fail, 0

    def __call__(self, url: str, **options: object) -> tuple[int, bytes]:
        assert url == "http://zx.example.gov.cn/robots.txt"
        self.asked += 1
        if self.fail:
            raise OSError("connection reset")
        return self.status, self.body


def test_rules_survive_a_new_cache_on_the_same_store(tmp_path: Path, open_store: Callable) -> None:
    store = open_store(tmp_path / "zx.db")
    site = Site()
    first = RobotsCache("zxfeed/1.0", site, store)
    assert not first.allowed("http://zx.example.gov.cn/private/a.html")
    assert first.allowed("http://zx.example.gov.cn/news/list.html")
    kept = store.robots_file("http://zx.example.gov.cn")
    assert kept is not None and kept[1] == 200 and "Disallow: /private/" in kept[2]
    assert TTL_OK - 60 < kept[0] - time.time() <= TTL_OK
    second = RobotsCache("zxfeed/1.0", site, store)  # the next process
    assert not second.allowed("http://zx.example.gov.cn/private/a.html")
    assert site.asked == 1


def test_an_expired_or_unread_file_is_asked_for_again(tmp_path: Path, open_store: Callable) -> None:
    store = open_store(tmp_path / "zx.db")
    origin = "http://zx.example.gov.cn"
    store.keep_robots_file(origin, time.time() - 1, 200, "User-agent: *\nDisallow: /\n")
    site = Site(status=404, body=b"")
    cache = RobotsCache("zxfeed/1.0", site, store)
    assert cache.allowed(f"{origin}/news/list.html")  # the stale Disallow: / is not used
    assert site.asked == 1
    assert store.robots_file(origin)[1:] == (404, "")  # replaced, not added

    down = Site(fail=True)
    store.keep_robots_file(origin, time.time() - 1, 404, "")
    assert RobotsCache("zxfeed/1.0", down, store).allowed(f"{origin}/a.html")
    expires, status, _ = store.robots_file(origin)
    assert status == 0 and expires - time.time() <= TTL_ERROR  # asked again within the hour
    assert RobotsCache("zxfeed/1.0", down, store).allowed(f"{origin}/a.html")
    assert down.asked == 1  # the second process trusted the kept failure


def test_a_store_that_fails_does_not_stop_the_rules(tmp_path: Path, open_store: Callable) -> None:
    store = open_store(tmp_path / "zx.db")
    store.close()  # every read and write now raises
    site = Site()
    cache = RobotsCache("zxfeed/1.0", site, store)
    assert not cache.allowed("http://zx.example.gov.cn/private/a.html")
    assert cache.allowed("http://zx.example.gov.cn/news/a.html") and site.asked == 1
