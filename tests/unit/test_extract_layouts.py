"""Small layouts the fixture sites do not cover, each a general rule of list extraction."""

from datetime import date, datetime

from zxfeed.extract import extract_items
from zxfeed.extract.dates import SHANGHAI
from zxfeed.extract.listing import Selectors

NOW = datetime(2024, 3, 1, 12, tzinfo=SHANGHAI)
T = ["市政协召开十四届常委会第十二次会议", "政协委员深入社区开展协商议事活动", "提案办理协商会聚焦老旧小区改造",
     "区政协组织委员视察乡村振兴重点项目", "省政协召开社情民意信息工作座谈会"]


def _extract(html: str, url: str = "http://zx.example.gov.cn/news/list.html", **kw):
    return extract_items(html.encode("utf-8"), url, content_type="text/html; charset=utf-8",
                         now=NOW, **kw).items


def _days(items) -> list[date]:
    return [i.published.date() for i in items]


def test_date_in_wrapper_tail_and_dl_lists() -> None:
    html = "<ul>" + "".join(f"<li><span class=t><a href='/a/{i}.html'>{t}</a></span> 2024-02-0{i + 1}</li>"
                            for i, t in enumerate(T)) + "</ul>"
    assert _days(_extract(html)) == [date(2024, 2, i + 1) for i in range(5)]
    dl = "<dl>" + "".join(f"<dt><a href='/b/{i}.html'>{t}</a></dt><dd>2024年2月{i + 1}日</dd>"
                          for i, t in enumerate(T)) + "</dl>"
    items = _extract(dl)
    assert [i.title for i in items] == T and _days(items) == [date(2024, 2, i + 1) for i in range(5)]


def test_bracketed_date_inside_link_text() -> None:
    html = "<div>" + "".join(f"<p><a href='/c/{i}.html'>[02-0{i + 1}]{t}</a></p>" for i, t in enumerate(T)) + "</div>"
    items = _extract(html)
    assert [i.title for i in items] == T and _days(items)[0] == date(2024, 2, 1)


def test_undated_menus_and_link_farms_ignored() -> None:
    menu = "<ul>" + "".join(f"<li><a href='/m/{i}/'>{n}</a></li>" for i, n in enumerate(["首页", "政协要闻", "提案工作", "委员风采", "理论研究"])) + "</ul>"
    farm = "<div>" + " | ".join(f"<a href='http://www.{p}zx.gov.cn/'>{p}政协</a>" for p in ["bj", "tj", "sh", "cq", "sd"]) + "</div>"
    assert _extract(menu + farm) == []


def test_relative_links_base_and_javascript() -> None:
    html = ("<html><head><base href='http://zx.example.gov.cn/xwzx/gzdt/'></head><body><ul>"
            f"<li><a href='../tzgg/1.html'>{T[0]}</a><span>2024-02-05</span></li>"
            f"<li><a href='./2.html'>{T[1]}</a><span>2024-02-04</span></li>"
            f"<li><a href='javascript:void(0)'>{T[2]}</a><span>2024-02-03</span></li>"
            f"<li><a href='3.html#top'>{T[3]}</a><span>2024-02-02</span></li></ul></body></html>")
    assert [i.url for i in _extract(html)] == [
        "http://zx.example.gov.cn/xwzx/tzgg/1.html",
        "http://zx.example.gov.cn/xwzx/gzdt/2.html",
        "http://zx.example.gov.cn/xwzx/gzdt/3.html",
    ]


def test_explicit_selectors() -> None:
    html = ("<div class='col'>" + "".join(
        f"<div class='row'><em>2024.02.0{i + 1}</em><h4><a href='/s/{i}.html' title='{t}'>{t[:6]}…</a></h4></div>"
        for i, t in enumerate(T)) + "</div><div class='row'><h4>no link</h4></div>")
    items = _extract(html, selectors=Selectors(item="div.col div.row", title="h4 a", date="em"))
    assert [i.title for i in items] == T and not any(i.truncated for i in items)
    assert _days(items)[4] == date(2024, 2, 5)
    assert items[0].url == "http://zx.example.gov.cn/s/0.html"


def test_list_below_hundreds_of_unclosed_tags() -> None:
    # Old CMS templates leave a <font> open per menu entry; libxml2 by default drops whatever
    # lies deeper than 256 elements, which here would be the whole list.
    html = ("<html><body>" + "<font color=red><a href='/m/x.html'>栏目</a>" * 300
            + "<ul>" + "".join(f"<li><a href='/d/{i}.html'>{t}</a><span>2024-02-0{i + 1}</span></li>"
                               for i, t in enumerate(T)) + "</ul></body></html>")
    items = _extract(html)
    assert [i.title for i in items] == T and _days(items)[-1] == date(2024, 2, 5)
