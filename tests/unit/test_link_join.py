"""Page.resolve's own path join gives what urljoin gives, link for link."""

from __future__ import annotations

import random
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree

from zxfeed.extract.links import web_link
from zxfeed.extract.page import Page

BASES = ["http://a.org/x/y/list.html", "http://a.org/x/y/", "http://a.org", "https://A.org:8080/a//b/c.html",
         "http://a.org/x;p/y.html", "http://a.org/x/y.html?q=1#f", "HTTP://a.org/a/../b/",
         "http://a.org/政协/列表.html", "http://a.org/./a/.."]
PIECES = ["a", "..", ".", "/", "//", "政", "x.html", "%20", "202611", "t2026_1.html", "?", "#", ";", ":", " "]


def _reference(base: str, href: str) -> str | None:
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return web_link(parts._replace(fragment="").geturl())


def _hrefs() -> list[str]:
    rng = random.Random(15)
    out = ["./202611/t20261126_1.html", "../../a.html", "/a/./b/../c", ".", "..", "a/..", "//b.org/x",
           "x.html?y=1", "a;b/c.html", "http://c.org/d"]
    out += ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 7))) for _ in range(400)]
    return [h for h in out if h.strip() and not h.strip().startswith("#")]


@pytest.mark.parametrize("base", BASES)
def test_resolve_matches_urljoin(base: str) -> None:
    page = Page(root=etree.HTML("<html/>"), url=base, base=base)
    hrefs = _hrefs()
    assert sum(page._join(h.strip()) is not None for h in hrefs) > 100 or ";" in base
    for href in hrefs:
        assert page.resolve(href) == _reference(base, href.strip()), href
