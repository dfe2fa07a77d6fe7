"""General rules learnt from real pages: which lists, which link, which year (issue 10)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from zxfeed.extract import extract_items
from zxfeed.extract.dates import SHANGHAI, find_date

NOW = datetime(2026, 12, 1, 9, tzinfo=SHANGHAI)
URL = "http://zx.example.gov.cn/xwzx/gzdt/index.html"
TITLES = [f"市政协第{n}次专题协商会聚焦民生实事" for n in range(1, 41)]


def _extract(html: str, now: datetime = NOW, **kw):
    return extract_items(html.encode("utf-8"), URL, content_type="text/html; charset=utf-8",
                         now=now, **kw)


def _list(prefix: str, n: int, start: int = 0) -> str:
    return "".join(f"<li><a href='/{prefix}/2026{11:02d}/t202611{n - i:02d}_{i}.html'>{TITLES[start + i]}"
                   f"</a><span>2026-11-{n - i:02d}</span></li>" for i in range(n))


def _column(side_heading: str = "热门资讯") -> str:
    return (f"<div class=main><div class=title>工作动态</div><ul class=list>{_list('gzdt', 20)}</ul>"
            "<div class=page>共 12 页 <a href='index_1.html'>下一页</a> <a href='index_11.html'>尾页</a></div>"
            f"</div><div class=side><h3>{side_heading}</h3><ul>{_list('rmzx', 8, 20)}</ul></div>")


def test_column_page_takes_its_main_list_and_says_why_not_the_side_box() -> None:
    result = _extract(_column())
    assert [i.title for i in result.items] == TITLES[:20]
    side = next(b for b in result.blocks if b.heading == "热门资讯")
    assert not side.kept and "主列表" in side.reason and "工作动态" in side.reason


def test_lists_override_all_or_by_heading() -> None:
    everything = _extract(_column(), lists="all")
    assert len(everything.items) == 28
    named = _extract(_column(), lists=["热门资讯"])
    assert [i.title for i in named.items] == TITLES[20:28]
    missing = _extract(_column(), lists=["不存在的栏目"])
    assert len(missing.items) == 20 and any("不存在的栏目" in w for w in missing.warnings)


def test_portal_blocks_of_comparable_size_all_taken() -> None:
    boxes = [("政协要闻", 7, 0), ("通知公告", 6, 7), ("委员风采", 8, 13)]
    html = "".join(f"<div class=box><h2>{h}</h2><ul>{_list(f'b{k}', n, s)}</ul></div>"
                   for k, (h, n, s) in enumerate(boxes))
    result = _extract(html)
    assert len(result.items) == 21 and all(b.kept for b in result.blocks)
    assert [b.heading for b in result.blocks] == ["政协要闻", "通知公告", "委员风采"]


def test_homepage_whose_longest_block_is_a_teaser_takes_every_block() -> None:
    boxes = [("政协要闻", 20, 0), ("通知公告", 6, 20), ("委员风采", 5, 26)]
    html = "".join(f"<div class=box><div class=hd><h2>{h}</h2><a href='/c{k}/'>更多&gt;&gt;</a></div>"
                   f"<ul>{_list(f'c{k}', n, s)}</ul></div>" for k, (h, n, s) in enumerate(boxes))
    result = _extract(html)
    assert len(result.items) == 31 and all(b.kept for b in result.blocks)
    # The same longest block without its "更多" link is a column's own list.
    assert len(_extract(html.replace("更多&gt;&gt;", "", 1)).items) == 20


def test_script_navigation_of_places_is_not_a_list() -> None:
    places = {"province": [{"name": n, "url": f"http://{c}.news.example.com/"} for n, c in
                           [("北京市", "bj"), ("上海市", "sh"), ("山东省", "sd"), ("河南省", "henan")]],
              "channel": [{"name": n, "url": f"http://news.example.com/{c}/"} for n, c in
                          [("国内", "gn"), ("国际", "gj"), ("社会", "sh")]]}
    articles = [{"title": t, "url": f"/art/{i}.html"} for i, t in enumerate(TITLES[:4])]
    html = (f"<script>var HouseNavBendiTxt = {json.dumps(places, ensure_ascii=False)};</script>"
            f"<script>var news = {json.dumps(articles, ensure_ascii=False)};</script>"
            f"<ul>{_list('gzdt', 5)}</ul>")
    urls = [i.url for i in _extract(html).items]
    assert not any("news.example.com" in u for u in urls)
    assert "http://zx.example.gov.cn/art/0.html" in urls  # articles in a script still count


def test_item_with_image_tags_comments_and_share_links_keeps_its_headline() -> None:
    rows = "".join(
        f"<div class='news_article'><a href='/a/{i}.html'><img src='/i/{i}.jpg' alt='{t}'></a>"
        f"<div class=detail><h3><a href='/a/{i}.html'>{t}</a></h3>"
        f"<div class=tag><span class=time>{i + 1}小时前</span>"
        f"<div class=keywords><a href='/kw/{i}a/'>政协</a><a href='/kw/{i}b/'>协商</a><a href='/kw/{i}c/'>民生</a></div>"
        f"</div><a class=tie href='/comment/{i}.html'><span>{i * 7}</span><span><i>跟贴</i>{i * 7}</span></a>"
        f"<ul class=share><li><a href='http://share.example.com/?u={i}'>易信</a></li></ul></div></div>"
        for i, t in enumerate(TITLES[:12]))
    items = _extract(f"<div class=list>{rows}</div>").items
    assert [(i.title, i.url) for i in items] == [
        (t, f"http://zx.example.gov.cn/a/{i}.html") for i, t in enumerate(TITLES[:12])]
    assert items[0].published == (NOW - timedelta(hours=1)).replace(second=0)


def test_category_and_title_rows_are_one_list() -> None:
    uls = "".join(
        "<div class=cnt><ul class=list_txt>" + "".join(
            f"<li><span>(2017-10-{19 - k * 5 - i:02d} 10:21)</span><a href='/shehui/'>[社会]</a> "
            f"<a href='/17/10{19 - k * 5 - i:02d}/{k}{i}.html'>{TITLES[k * 5 + i]}</a></li>" for i in range(5))
        + "</ul></div>" for k in range(3))
    items = _extract(f"<div id=panel>{uls}</div>").items
    assert [i.title for i in items] == TITLES[:15]
    assert items[0].published == datetime(2017, 10, 19, 10, 21, tzinfo=SHANGHAI)


def test_year_of_month_day_from_the_url_and_down_the_list() -> None:
    # A column that stopped in 2017: year-less days, some links carrying the date.
    rows = [(f"/xw/201710/t201710{d:02d}_{d}.html" if d % 2 else f"/xw/show_{d}.html", d)
            for d in range(19, 9, -1)]
    html = "<ul>" + "".join(f"<li><a href='{u}'>{TITLES[k]}</a><span>10-{d:02d}</span></li>"
                            for k, (u, d) in enumerate(rows)) + "</ul>"
    days = [i.published.date() for i in _extract(html).items]
    assert days == [date(2017, 10, d) for d in range(19, 9, -1)]


@pytest.mark.parametrize(("shown", "now", "expected"), [
    # The clock skew is not for choosing a year: 12-03 on 1 December is last year.
    (["[12-03]", "[11-30]", "[11-28]"], NOW, [date(2025, 12, 3), date(2025, 11, 30), date(2025, 11, 28)]),
    (["[01-02]", "[12-30]", "[12-28]"], datetime(2027, 1, 5, tzinfo=SHANGHAI),
     [date(2027, 1, 2), date(2026, 12, 30), date(2026, 12, 28)]),
    (["[12-01]", "[11-30]", "[03-04]"], NOW, [date(2026, 12, 1), date(2026, 11, 30), date(2026, 3, 4)]),
])
def test_year_less_days_never_in_the_future(shown: list[str], now: datetime, expected: list[date]) -> None:
    html = "<ul>" + "".join(f"<li><a href='/n/{k}.html'>{TITLES[k]}</a> {s}</li>"
                            for k, s in enumerate(shown)) + "</ul>"
    items = _extract(html, now=now).items
    assert [i.published.date() for i in items] == expected
    assert all(i.published <= now for i in items)


def test_find_date_year_in_the_sites_zone() -> None:
    # 2026-11-30 18:00 UTC is already 1 December in Shanghai, not yet in UTC.
    now = datetime(2026, 11, 30, 18, tzinfo=UTC)
    assert find_date("[12-01]", now, SHANGHAI).when.date() == date(2026, 12, 1)
    assert find_date("[12-01]", now, UTC).when.date() == date(2025, 12, 1)
