"""Lists in scripts and JSON: string tuples, JSON variables, JSON endpoints with paging."""

import json
from datetime import date, datetime

from zxfeed.extract import extract_items
from zxfeed.extract.dates import SHANGHAI

NOW = datetime(2024, 3, 1, 12, tzinfo=SHANGHAI)
T = ["市政协召开十四届常委会第十二次会议", "政协委员深入社区开展协商议事活动", "提案办理协商会聚焦老旧小区改造",
     "区政协组织委员视察乡村振兴重点项目", "省政协召开社情民意信息工作座谈会"]


def _extract(html: str, **kw):
    return extract_items(html.encode("utf-8"), "http://zx.example.gov.cn/col/list.html",
                         content_type="text/html; charset=utf-8", now=NOW, **kw)


def test_script_title_arrays() -> None:
    calls = "".join(f"news[{i}] = new title_array('./art/{i}.html','{t}','2024-02-0{i + 1}');\n"
                    for i, t in enumerate(T))
    html = ("<html><body><div id='list'></div><script>var news = new Array();\n" + calls +
            "for (var i=0;i<news.length;i++){document.write('<li>'+news[i].t+'</li>');}\n"
            "setTimeout('init()', 100); track('/stat.gif', 'pv');</script>"
            "<ul class='nav'><li><a href='/'>首页</a></li><li><a href='/a/'>要闻</a></li></ul></body></html>")
    items = _extract(html).items
    assert [i.title for i in items] == T
    assert items[2].url == "http://zx.example.gov.cn/col/art/2.html"
    assert items[4].published.date() == date(2024, 2, 5)


def test_json_assigned_to_variable() -> None:
    data = [{"title": t, "url": f"/a/{i}.html", "pubDate": f"2024-02-0{i + 1} 10:30"} for i, t in enumerate(T)]
    html = f"<html><body><script>window.listData = {json.dumps(data, ensure_ascii=False)};</script></body></html>"
    items = _extract(html).items
    assert [i.title for i in items] == T
    assert items[0].published == datetime(2024, 2, 1, 10, 30, tzinfo=SHANGHAI) and items[0].has_time


def test_json_document_by_shape_and_epoch_dates() -> None:
    doc = {"code": 0, "data": {"total": 5, "rows": [
        {"docTitle": t, "docUrl": f"http://zx.example.gov.cn/d/{i}.html", "publishTime": 1707100200000 + i}
        for i, t in enumerate(T)]}}
    result = extract_items(json.dumps(doc, ensure_ascii=False).encode("utf-8"),
                           "http://zx.example.gov.cn/api/list", content_type="application/json", now=NOW)
    assert result.kind == "json" and [i.title for i in result.items] == T
    assert result.items[0].published.astimezone(SHANGHAI).date() == date(2024, 2, 5)
