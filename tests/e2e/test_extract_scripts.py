"""Lists in scripts and JSON: string tuples, JSON variables, JSON endpoints with paging."""

import json
from pathlib import Path

from conftest import write_config, zxfeed
from support.webserver import TestWeb

T = ["市政协召开十四届常委会第十二次会议", "政协委员深入社区开展协商议事活动", "提案办理协商会聚焦老旧小区改造",
     "区政协组织委员视察乡村振兴重点项目", "省政协召开社情民意信息工作座谈会"]


def test_json_endpoint_with_paging_polled(tmp_path: Path, web: TestWeb) -> None:
    def page(n: int, rows: list[tuple[int, str]]) -> str:
        return "jsonp_cb(" + json.dumps({"result": {"list": [
            {"info": {"t": t}, "href": f"/json/art/{i}.html", "d": f"2024-02-{10 - i:02d}"} for i, t in rows]}},
            ensure_ascii=False) + ");"
    web.set("/json/api?size=2", page(1, [(0, T[0]), (1, T[1])]), content_type="application/javascript")
    web.set("/json/api?size=2&page=2", page(2, [(2, T[2]), (3, T[3])]), content_type="application/javascript")
    web.set("/json/api?size=2&page=3", page(3, [(4, T[4])]), content_type="application/javascript")
    web.set("/json/api?size=2&page=4", page(4, []), content_type="application/javascript")
    cfg = write_config(tmp_path, f"""
        [[sources]]
        id = "json"
        name = "JSON 列表"
        url = "{web.url('/json/api?size=2')}"
        region = "山东省"
        kind = "json"
        [sources.json]
        items = "result.list"
        title = "info.t"
        link = "href"
        date = "d"
        page_param = "page"
        pages = 5
        """)
    proc = zxfeed("poll", config=cfg)
    assert proc.returncode == 0 and "found=5" in proc.stdout, proc.stdout + proc.stderr
    # Without a config, JSONP with flat fields is still recognised by shape.
    flat = "cb(" + json.dumps([{"title": t, "link": f"/json/f/{i}.html", "time": "2024-02-05"}
                               for i, t in enumerate(T[:3])], ensure_ascii=False) + ")"
    web.set("/json/flat", flat, content_type="text/javascript")
    out = json.loads(zxfeed("extract", web.url("/json/flat"), "--json").stdout)
    assert [o["title"] for o in out] == T[:3] and out[0]["url"] == web.url("/json/f/0.html")
