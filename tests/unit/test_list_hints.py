"""A remembered list (where a page's one chosen list stood) gives what detection gives.

The hint is an optimisation only: read with it, a page yields exactly the items a full
detection yields, and a page whose list moved or shrank is searched again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from conftest import CORPUS
from zxfeed.extract import extract_items
from zxfeed.extract.autodetect import ListHint, Spot
from zxfeed.extract.dates import SHANGHAI

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)
SITES = Path(__file__).parent.parent / "web" / "sites"


def _pages() -> list[Path]:
    found = sorted(p for p in SITES.rglob("*.htm*"))
    if (CORPUS / "lists").is_dir():
        found += sorted((CORPUS / "lists").rglob("*.htm*"))
    return found


def _facts(extraction) -> list[tuple]:
    return [(i.title, i.url, i.published, i.has_time, i.truncated, i.date_from_url)
            for i in extraction.items]


def test_every_fixture_page_reads_the_same_with_its_hint() -> None:
    hinted = 0
    for path in _pages():
        body, url = path.read_bytes(), f"http://127.0.0.1/{path.parent.name}/{path.name}"
        first = extract_items(body, url, now=NOW)
        if first.hint is None:
            continue
        again = extract_items(body, url, now=NOW, hint=first.hint)
        assert again.hinted, path
        assert _facts(again) == _facts(first), path
        assert again.hint == first.hint
        hinted += 1
    assert hinted >= 5  # the fixtures have column pages with one dated list


LIST = """<html><body><div class="nav"><a href="/a.html">首页</a> <a href="/b.html">概况</a></div>
<div class="main">{before}<ul class="list">{rows}</ul></div>
<div class="foot"><a href="/c.html">网站地图</a></div></body></html>"""


def _page(count: int, before: str = "") -> bytes:
    rows = "".join(f'<li><a href="/t/2026/1{k:03d}.html">政协委员视察民生实事项目第{k}次</a>'
                   f"<span>2026-11-{(k % 28) + 1:02d}</span></li>" for k in range(count))
    return LIST.format(before=before, rows=rows).encode("utf-8")


def test_a_hint_is_found_and_used() -> None:
    first = extract_items(_page(10), "http://127.0.0.1/l.html", now=NOW)
    assert first.hint is not None and first.hint.count == 10
    assert [spot.record for spot in first.hint.spots] == ["li"]
    grown = extract_items(_page(11), "http://127.0.0.1/l.html", now=NOW, hint=first.hint)
    assert grown.hinted and len(grown.items) == 11 and grown.hint.count == 11


def test_a_shrunk_list_is_searched_again() -> None:
    first = extract_items(_page(10), "http://127.0.0.1/l.html", now=NOW)
    fewer = extract_items(_page(6), "http://127.0.0.1/l.html", now=NOW, hint=first.hint)
    assert not fewer.hinted and len(fewer.items) == 6
    assert fewer.hint is not None and fewer.hint.count == 6


def test_a_moved_list_is_searched_again() -> None:
    first = extract_items(_page(10), "http://127.0.0.1/l.html", now=NOW)
    moved = extract_items(_page(10, before="<div><p>公告</p></div><ul><li>x</li></ul>"),
                          "http://127.0.0.1/l.html", now=NOW, hint=first.hint)
    plain = extract_items(_page(10, before="<div><p>公告</p></div><ul><li>x</li></ul>"),
                          "http://127.0.0.1/l.html", now=NOW)
    assert not moved.hinted and _facts(moved) == _facts(plain) and len(plain.items) == 10


@pytest.mark.parametrize("path", ["/html/body/div[9]/ul", "/html/body", "//a"])
def test_a_hint_that_points_nowhere_useful_falls_back(path: str) -> None:
    hint = ListHint((Spot(path, "li", 3),))
    got = extract_items(_page(10), "http://127.0.0.1/l.html", now=NOW, hint=hint)
    assert not got.hinted and len(got.items) == 10


def test_two_dated_lists_are_both_remembered() -> None:
    notices = "".join(f'<li><a href="/n/{k}.html">通知公告第{k}则内容</a> 2026-11-0{k}</li>'
                      for k in range(1, 5))
    two = _page(5).replace(b'<div class="foot">', f"<ul>{notices}</ul><div class=\"foot\">".encode())
    first = extract_items(two, "http://127.0.0.1/l.html", now=NOW)
    assert len(first.blocks) == 2 and all(b.kept for b in first.blocks)  # a portal: both taken
    assert first.hint is not None and [s.count for s in first.hint.spots] == [5, 4]
    again = extract_items(two, "http://127.0.0.1/l.html", now=NOW, hint=first.hint)
    assert again.hinted and _facts(again) == _facts(first) and len(again.items) == 9


def test_a_list_in_a_script_is_never_hinted() -> None:
    script = ("<script>var list = [" + ",".join(
        f'{{"title": "政协常委会议召开第{k}次会议", "url": "/s/{k}.html", "date": "2026-11-0{k}"}}'
        for k in range(1, 6)) + "];</script>")
    page = _page(10).replace(b"</body>", script.encode() + b"</body>")
    first = extract_items(page, "http://127.0.0.1/l.html", now=NOW)
    hint = first.hint or extract_items(_page(10), "http://127.0.0.1/l.html", now=NOW).hint
    again = extract_items(page, "http://127.0.0.1/l.html", now=NOW, hint=hint)
    assert not again.hinted and _facts(again) == _facts(first)

