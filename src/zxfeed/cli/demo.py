"""``zxfeed demo``: sample 政协-style sites on 127.0.0.1 and the whole job run against them.

The sites publish a new item every ``NEW_ITEM_EVERY`` seconds, so a newcomer
sees feeds change within a minute without any internet access.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from ..config.settings import load_config
from ..daemon.lock import AlreadyRunning, StoreLock
from ..extract.dates import SHANGHAI

NEW_ITEM_EVERY = 15.0
TITLES = [
    "市政协召开十四届常委会第十二次会议 审议通过关于加强基层社会治理的建议案",
    "市政协主席会议专题协商推进城乡医疗卫生服务一体化发展",
    "政协委员深入社区开展“有事好商量”协商议事活动",
    "提案办理协商会聚焦老旧小区改造 委员与职能部门面对面交流",
    "区政协组织委员视察乡村振兴重点项目建设情况",
    "省政协召开社情民意信息工作座谈会 表彰优秀信息报送单位",
    "委员履职能力提升培训班开班 八十余名委员参加学习",
    "专题协商会围绕优化营商环境建言献策 形成十二条意见建议",
    "市政协机关党组理论学习中心组开展集中学习研讨",
    "政协委员工作室揭牌运行 打通联系服务群众“最后一公里”",
    "关于召开政协第十四届委员会第三次会议的通知",
    "市政协开展“委员进企业”活动 助力民营经济高质量发展",
    "重点提案督办调研组赴开发区调研科技创新平台建设",
    "政协文史资料征集工作推进会召开 部署年度编研任务",
    "界别协商会聚焦职业教育产教融合 委员建议完善校企合作机制",
    "市政协领导带队开展民主监督 督促解决群众急难愁盼问题",
    "区政协召开十届四次常委会议 协商讨论区域发展规划",
    "政协委员为黄河流域生态保护和高质量发展建言",
    "“请你来协商”平台聚焦养老服务体系建设",
    "市政协与民主党派联合开展专题调研 形成调研报告",
]
SITES = {
    "jinan": ("济南市政协 · 工作动态", "山东省", "济南市", "list"),
    "heze": ("菏泽市政协 · 通知公告", "山东省", "菏泽市", "table"),
    "mudan": ("牡丹区政协 · 协商议政", "山东省", "菏泽市", "div"),
    "weifang": ("潍坊市政协 · RSS", "山东省", "潍坊市", "rss"),
}


class _World:
    """Items each sample site shows; one more appears every ``NEW_ITEM_EVERY`` seconds."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.now = datetime.now(SHANGHAI)

    def items(self, site: str) -> list[tuple[int, str, datetime]]:
        offset = list(SITES).index(site)
        extra = int((time.monotonic() - self.started) / NEW_ITEM_EVERY)
        out = []
        for n in range(12 + extra):
            title = TITLES[(n * 3 + offset * 5) % len(TITLES)]
            if n >= len(TITLES) // 2:
                title = f"{title}（{n // (len(TITLES) // 2)}）"
            when = self.now - timedelta(days=max(0, 11 - n) * 2, hours=offset)
            out.append((n, title, when))
        return list(reversed(out))


def _page(site: str, world: _World) -> tuple[bytes, str]:
    name, _, _, layout = SITES[site]
    rows = world.items(site)
    nav = "".join(f"<li><a href='/{s}/'>{SITES[s][0].split(' · ')[0]}</a></li>" for s in SITES)
    head = (f"<!DOCTYPE html><html><head><meta charset='{{cs}}'><title>{name}</title></head>"
            f"<body><ul class='nav'><li><a href='/'>首页</a></li>{nav}</ul><h2>{name}</h2>")
    foot = "<div class='foot'><a href='/about.html'>关于我们</a> <a href='/map.html'>网站地图</a>"
    foot += "</div></body></html>"
    if layout == "rss":
        entries = "".join(
            f"<item><title>{escape(t)}</title><link>/{site}/a/{n}.html</link>"
            f"<pubDate>{w:%Y-%m-%d %H:%M:%S}</pubDate></item>" for n, t, w in rows)
        xml = (f'<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel>'
               f"<title>{name}</title><link>/{site}/</link>{entries}</channel></rss>")
        return xml.encode("gb18030"), "application/rss+xml"
    if layout == "list":
        body = "<ul class='list_ul'>" + "".join(
            f"<li><a href='./a/{n}.html' title='{escape(t)}'>{escape(t[:16])}...</a>"
            f"<span>{w:%Y-%m-%d}</span></li>" for n, t, w in rows) + "</ul>"
        return (head.replace("{cs}", "utf-8") + body + foot).encode("utf-8"), "text/html"
    if layout == "table":
        body = "<table>" + "".join(
            f"<tr><td><a href='/{site}/show.asp?id={n}'>{escape(t)}</a></td>"
            f"<td>[{w:%m-%d}]</td></tr>" for n, t, w in rows) + "</table>"
        page = head.replace("{cs}", "gb2312") + body + foot
        return page.encode("gb18030"), "text/html"
    body = f"<base href='/{site}/news/'>" + "".join(
        f"<div class='item'><span>{w.year}年{w.month}月{w.day}日</span>"
        f"<a href='../a/{n}.html'>{escape(t)}</a></div>" for n, t, w in rows)
    return (head.replace("{cs}", "utf-8") + body + foot).encode("utf-8"), "text/html"


COLUMNS = {"jinan": "工作动态", "heze": "通知公告", "mudan": "协商议政"}


def _home(world: _World) -> bytes:
    """The sample sites' homepage: column links and an announced feed, for ``zxfeed discover``."""
    columns = "".join(f"<li><a href='/{site}/'>{label}</a></li>" for site, label in COLUMNS.items())
    latest = "".join(f"<li><a href='/jinan/a/{n}.html'>{escape(t)}</a><span>{w:%Y-%m-%d}</span></li>"
                     for n, t, w in world.items("jinan")[:5])
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>山东省政协（演示站点）</title>"
            "<link rel='alternate' type='application/rss+xml' title='潍坊市政协 RSS' href='/weifang/'>"
            "</head><body><ul class='nav'><li><a href='/'>首页</a></li>" + columns + "</ul>"
            "<h2>最新动态</h2><ul class='latest'>" + latest + "</ul>"
            "<div class='foot'><a href='/about.html'>关于我们</a></div></body></html>").encode()
_DEMO_BODY = (
    "会议指出，过去一年，政协各参加单位和广大委员坚持团结和民主两大主题，紧扣中心大局履职尽责。",
    "会议要求，要持续深化协商平台建设，推动协商向基层延伸，让群众身边的事情有地方商量。",
    "与会委员围绕主题踊跃发言，提出了许多具有针对性和可操作性的意见建议。",
)


def _article(site: str, n: int, world: _World) -> bytes:
    for m, title, when in world.items(site):
        if m == n:
            return (f"<html><head><meta charset='utf-8'><meta name='ArticleTitle' "
                    f"content='{escape(title)}'><meta name='PubDate' content='{when:%Y-%m-%d %H:%M}'>"
                    f"<title>{escape(title)}_{SITES[site][0]}</title></head><body>"
                    f"<div class='nav'><a href='/{site}/'>首页</a> <a href='/{site}/'>工作动态</a></div>"
                    f"<div class='main'><h1>{escape(title)}</h1><div class='info'>发布时间："
                    f"{when:%Y-%m-%d %H:%M} 来源：{SITES[site][0]}</div><div class='text'>"
                    + "".join(f"<p style='text-indent:2em'>{escape(p)}</p>" for p in _DEMO_BODY)
                    + f"<p><img src='/{site}/img/{n}.jpg' alt='{escape(title)}'></p></div></div>"
                    "<div class='foot'>网站地图 | 联系我们</div></body></html>").encode()
    return b""


def serve_sample_sites(host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start the sample sites in a background thread; ``server.server_address`` has the port."""
    world = _World()

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            site = parts[0] if parts else ""
            body, ctype = b"", "text/html"
            if parts == [""] or parts == ["index.html"]:
                body = _home(world)
            elif site in SITES and len(parts) == 1:
                body, ctype = _page(site, world)
            elif site in SITES and parts[1:2] == ["a"] and len(parts) == 3:
                body = _article(site, int(parts[2].split(".")[0] or -1), world)
            elif site in SITES and parts[1:2] == ["show.asp"] and "?id=" in self.path:
                number = self.path.rsplit("?id=", 1)[1]
                body = _article(site, int(number) if number.isdigit() else -1, world)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="sample-sites").start()
    return server


def write_demo_config(directory: Path, sites_url: str, port: int) -> Path:
    """A config following the sample sites, with its data under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Written by `zxfeed demo`; follows the bundled sample sites.",
        '[storage]\npath = "zxfeed.db"',
        '[feeds]\ndir = "feeds"\ntitle = "政协动态（演示）"\npublish_delay = 1',
        f'[server]\nhost = "127.0.0.1"\nport = {port}',
        # All sample sites share one host: a bigger backlog budget fills in their baselines fast.
        "[fetch]\nhost_delay = 0.05\nbacklog_per_host = 10\nbacklog_every = 10",
        "[schedule]\ninterval = 10\njitter = 1",
    ]
    for sid, (name, region, city, _) in SITES.items():
        lines.append(f'[[sources]]\nid = "demo-{sid}"\nname = "{name}"\n'
                     f'url = "{sites_url}/{sid}/"\nregion = "{region}"\ncity = "{city}"')
    lines.append('[[subscribers]]\nemail = "reader@example.org"\nmode = "instant"')
    lines.append('[[subscribers]]\nemail = "digest@example.org"\nmode = "daily"')
    path = directory / "zxfeed.toml"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_demo(*, port: int, seconds: float | None, run: Callable[..., int]) -> int:
    """Serve the sample sites and run the daemon on them until stopped."""
    directory = Path("data/demo")
    # Held for the whole demo: a second one must not rewrite this one's config and data.
    guard = StoreLock(directory / "demo")
    try:
        guard.acquire()
    except AlreadyRunning:
        print(f"zxfeed: a demo (pid {guard.holder() or '?'}) is already running in {directory} — "
              "stop it first, or start this one from another folder", file=sys.stderr)
        return 1
    try:
        return _run_demo(directory, port, seconds, run)
    finally:
        guard.release()


def _run_demo(directory: Path, port: int, seconds: float | None, run: Callable[..., int]) -> int:
    sites = serve_sample_sites()
    # An AF_INET server's host is a str (typeshed allows bytes for other address families).
    host, sport = str(sites.server_address[0]), sites.server_port
    path = write_demo_config(directory, f"http://{host}:{sport}", port)
    print(f"sample sites: http://{host}:{sport}/  (new item every {NEW_ITEM_EVERY:.0f}s; "
          f"try `zxfeed discover http://{host}:{sport}/`)")
    print(f"config: {path}\nmail:   {directory}/outbox/*.eml (no SMTP server in the demo)")
    try:
        return run(None, cfg=load_config(path), stop_after=seconds)
    finally:
        sites.shutdown()
