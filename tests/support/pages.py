"""Realistic list pages built on the fly, for tests that publish new items between polls."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from support.webserver import TestWeb

TITLES = [
    "市政协召开十四届常委会第十二次会议审议通过关于加强基层社会治理的建议案",
    "市政协主席会议专题协商推进城乡医疗卫生服务一体化发展",
    "政协委员深入社区开展“有事好商量”协商议事活动",
    "提案办理协商会聚焦老旧小区改造",
    "区政协组织委员视察乡村振兴重点项目建设情况",
    "省政协召开社情民意信息工作座谈会",
]


def list_page(items: list[tuple[int, str, date]], cut: set[int] = frozenset(),
              charset: str = "utf-8") -> str:
    """A TRS-style column page: nav, one dated ``ul`` list (some titles cut), footer."""
    rows = []
    for n, title, day in items:
        shown = title[:12] + "..." if n in cut else title
        rows.append(f"<li><a href='./art/{n}.html'>{shown}</a><span>{day:%Y-%m-%d}</span></li>")
    return (f"<html><head><meta charset='{charset}'><title>工作动态</title></head><body>"
            "<ul class='nav'><li><a href='/'>首页</a></li><li><a href='/zxyw/'>政协要闻</a></li>"
            "<li><a href='/tagz/'>提案工作</a></li></ul>"
            f"<ul class='list'>{''.join(rows)}</ul>"
            "<div class='foot'><a href='/about'>关于我们</a><a href='/map'>网站地图</a></div>"
            "</body></html>")


def dated_items(n: int, start: int = 0, titles: list[str] = TITLES) -> list[tuple[int, str, date]]:
    """``n`` items numbered from ``start``, newest first, dated today and back.

    Today in Asia/Shanghai, where the sites are and where zxfeed reads their dates: the
    machine's own date is a day behind from 16:00 UTC on (an item "two days old" would be
    three, past ``[notify] max_age``).
    """
    from zxfeed.extract.dates import SHANGHAI

    today = datetime.now(SHANGHAI).date()
    return [(i, titles[i % len(titles)] + f"（第{i}期）", today - timedelta(days=i - start))
            for i in range(start, start + n)]


ARTICLE = """<html><head><meta charset="utf-8"><title>{title}_测试政协</title>
<meta name="PubDate" content="{day} 10:30"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/list.html">工作动态</a></div>
<div class="main"><h1>{title}</h1><div class="info">发布时间：{day} 10:30 来源：测试政协</div>
<div class="con"><p>{title}</p>
<p>会议指出，过去一年，政协各参加单位和广大委员坚持团结和民主两大主题，紧扣中心大局履职尽责。</p>
<p>会议要求，要持续深化协商平台建设，推动协商向基层延伸，让群众身边的事情有地方商量。</p>
<p><img src="img/{n}.jpg" alt="现场"></p></div></div>
<div class="foot">网站地图 | 联系我们</div></body></html>"""


def serve_site(web: TestWeb, site: str, items: list[tuple[int, str, date]]) -> None:
    """A list page at ``/<site>/list.html`` and an article page for each of its items."""
    web.set(f"/{site}/list.html", list_page(items))
    for n, title, day in items:
        web.set(f"/{site}/art/{n}.html", ARTICLE.format(title=title, day=f"{day:%Y-%m-%d}", n=n))
