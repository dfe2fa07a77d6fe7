"""Realistic list pages built on the fly, for tests that publish new items between polls."""

from __future__ import annotations

from datetime import date, timedelta

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
    """``n`` items numbered from ``start``, newest first, dated today and back."""
    today = date.today()
    return [(i, titles[i % len(titles)] + f"（第{i}期）", today - timedelta(days=i - start))
            for i in range(start, start + n)]
