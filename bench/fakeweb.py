"""A loopback web of N simulated 政协 sites for the benchmark (run by hand, never a test).

Every site is a column of a CPPCC committee's website: a ~40 KB list page of
20 dated items (``/sNNNN/list.html``) and an article page per item. All sites
are served by one asyncio HTTP/1.1 server on one port; a site is picked by the
path prefix ``/sNNNN/``. With ``hosts="many"`` (the default) site *i* also has
its own loopback address (``127.1.x.y``, all of 127.0.0.0/8 routes to ``lo`` on
Linux), so a client's per-host politeness treats every site as its own host.

The mix, by site number (orthogonal, so every combination occurs):

* encoding: odd sites UTF-8, even sites GB2312-declared but GBK-encoded with
  GBK-only characters (镕 堃 喆 珺 昇); of those, half also say ``charset=gb2312``
  in the Content-Type header, half say nothing;
* validators: a quarter send ETag + Last-Modified, a quarter Last-Modified
  only (both answer conditional requests with 304), half send neither;
* gzip: every other pair of sites compresses when asked;
* titles: most link texts are full; some are cut (``…...``) with the full title
  in ``title=""``; ``cut_share`` of the sites cut them without ``title=""``, so
  a client must read the article page to get the full title.

Every request to a site waits a latency drawn from ``latency`` (seconds; a
seeded RNG per site and request number, so runs are reproducible). Control
endpoints under ``/_ctl/`` (on 127.0.0.1, no latency) publish items, report
the server's own CPU and counters, and list sites and true titles::

    /_ctl/sites                      -> [{"site", "id", "url", "host", "charset", ...}]
    /_ctl/publish?sites=1-100,205&count=1  -> [{"site", "title", "url"}]
    /_ctl/truth?sites=1-100          -> {"s0001": [[url, full title], ...]}
    /_ctl/stats                      -> {"cpu": {...}, "requests": {...}, "mail": {...}, ...}
    /_ctl/mail?since=K               -> messages the SMTP sink accepted after the first K

An SMTP sink on 127.0.0.1 (its port in ``/_ctl/stats`` → ``mail.port``)
accepts every message and records when it was accepted (``time.monotonic()``,
comparable across processes on Linux).

Run alone: ``python bench/fakeweb.py --sites 20`` prints the list URLs and serves
until Ctrl-C (or ``--seconds``). From Python: :class:`FakeWeb` (in-process
model and ``serve()``), or :class:`FakeWebProcess` (a child process, what
``bench/run.py`` uses so the server's CPU is not counted as the client's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import gzip
import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ITEMS_PER_PAGE = 20
PAGE_BYTES = 40 * 1024
ARTICLE_PAD = 16 * 1024  # article pages come out at ~20 KB
MAX_HEADER_BYTES = 16 * 1024
MAIL_KEPT = 20000
ROBOTS = b"User-agent: *\nDisallow: /admin/\nDisallow: /search\nDisallow: /*.jsp?*\n"
MAX_MAIL_BYTES = 10 * 1024 * 1024
CONTROL_HOST = "127.0.0.1"

# ---------------------------------------------------------------------------------------------
# The simulated world: committees, columns, titles
# ---------------------------------------------------------------------------------------------

REGIONS: dict[str, dict[str, list[str]]] = {
    "山东省": {"济南市": ["历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区"],
              "青岛市": ["市南区", "市北区", "黄岛区", "崂山区", "李沧区", "城阳区"],
              "菏泽市": ["牡丹区", "定陶区", "曹县", "单县", "成武县", "巨野县", "郓城县", "鄄城县",
                         "东明县"],
              "潍坊市": ["潍城区", "寒亭区", "坊子区", "奎文区", "青州市", "诸城市", "寿光市"]},
    "江苏省": {"南京市": ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区"],
              "苏州市": ["姑苏区", "虎丘区", "吴中区", "相城区", "吴江区", "常熟市"]},
    "广东省": {"广州市": ["越秀区", "海珠区", "天河区", "白云区", "黄埔区", "番禺区"],
              "深圳市": ["罗湖区", "福田区", "南山区", "宝安区", "龙岗区"]},
    "浙江省": {"杭州市": ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区"],
              "宁波市": ["海曙区", "江北区", "北仑区", "镇海区", "鄞州区"]},
    "河南省": {"郑州市": ["中原区", "二七区", "金水区", "惠济区", "管城回族区"],
              "洛阳市": ["老城区", "西工区", "涧西区", "洛龙区", "偃师区"]},
    "四川省": {"成都市": ["锦江区", "青羊区", "金牛区", "武侯区", "成华区", "双流区"],
              "绵阳市": ["涪城区", "游仙区", "安州区", "江油市"]},
    "福建省": {"福州市": ["鼓楼区", "台江区", "仓山区", "马尾区", "晋安区"],
              "厦门市": ["思明区", "海沧区", "湖里区", "集美区", "同安区"]},
}
COLUMNS = ["工作动态", "通知公告", "委员风采", "提案工作", "协商议政", "社情民意", "文史资料", "区县政协"]
# GBK-only characters (not in GB2312): a gb2312 decoder fails on them.
PEOPLE = ["王堃", "张喆", "李镕", "陈昇", "刘珺", "赵堃", "孙喆", "周镕", "吴珺", "郑昇"]
SUBJECTS = ["{p}政协", "{p}政协党组", "{p}政协主席会议", "{p}政协常委会", "{p}政协机关", "{p}政协办公室"]
ACTIONS = ["召开", "举行", "开展", "组织委员视察", "专题协商", "赴基层调研", "听取通报", "部署推进"]
TOPICS = [
    "乡村振兴重点项目建设情况", "优化营商环境工作", "城乡医疗卫生服务一体化发展", "老旧小区改造提案办理",
    "黄河流域生态保护和高质量发展", "职业教育产教融合", "养老服务体系建设", "基层社会治理创新",
    "科技创新平台建设", "民营经济高质量发展", "文史资料征集编研", "社情民意信息工作",
    "“有事好商量”协商议事活动", "委员履职能力提升培训", "重点提案督办", "智慧城市建设",
    "义务教育优质均衡发展", "文化旅游融合发展", "农村人居环境整治", "粮食安全和耕地保护",
    "新型城镇化建设", "数字经济发展", "安全生产专项监督", "食品药品安全监管",
]
TEMPLATES = [
    "{s}{a}{t}",
    "{s}召开第{n}次常委会议 协商{t}",
    "{s}听取{t}工作汇报",
    "{who}委员：关于{t}的几点建议",
    "{s}党组理论学习中心组开展第{n}次集中学习",
    "关于做好{t}有关工作的通知",
    "{who}带队{a}{t}",
    "委员{who}在{t}座谈会上发言",
    "{s}召开{t}专题协商会 形成{n}条意见建议",
]


def _ordinal(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


@dataclass(slots=True)
class Entry:
    """One item of a site: its article URL path, full title and date."""

    uid: int
    title: str
    day: date
    path: str


@dataclass(slots=True)
class Site:
    """One simulated list page and its articles."""

    index: int
    id: str
    host: str
    name: str
    region: str
    city: str | None
    district: str | None
    level: str
    utf8: bool
    header_charset: bool
    etag: bool
    last_modified: bool
    gzip: bool
    title_mode: str  # full | attr | cut
    entries: list[Entry] = field(default_factory=list)  # newest first; the page shows ITEMS_PER_PAGE
    version: int = 0
    modified: float = 0.0
    requests: int = 0
    chrome: tuple[str, str] = ("", "")
    pad: int = 0
    cache: dict[str, bytes] = field(default_factory=dict)

    @property
    def charset(self) -> str:
        return "utf-8" if self.utf8 else "gbk"

    @property
    def place(self) -> str:
        return self.district or self.city or self.region


def site_host(index: int, hosts: str) -> str:
    """The loopback address site ``index`` (1-based) answers on."""
    if hosts == "one":
        return CONTROL_HOST
    k = index - 1
    return f"127.1.{k // 250}.{k % 250 + 1}"


def parse_ranges(text: str) -> list[int]:
    """``"1-3,7"`` → ``[1, 2, 3, 7]``."""
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            out.extend(range(int(lo), int(hi) + 1))
        else:
            out.append(int(part))
    return out


class FakeWeb:
    """The model of all sites: pages as bytes, publishing, conditional requests, counters."""

    def __init__(self, sites: int, *, seed: int = 1, hosts: str = "many",
                 latency: tuple[float, float] = (0.05, 0.30), cut_share: float = 0.05,
                 port: int = 0) -> None:
        if hosts not in ("many", "one"):
            raise ValueError("hosts must be 'many' or 'one'")
        self.seed = seed
        self.hosts = hosts
        self.latency = latency
        self.port = port
        self.today = datetime.now(SHANGHAI).date()
        self._uid = 0
        self.counters: dict[str, int] = {}
        self.bytes_sent = 0
        self.connections = 0
        self.open_connections = 0
        self.max_open_connections = 0
        self.lateness_max = 0.0
        self.lateness_sum = 0.0
        self.delayed = 0
        self.started = time.monotonic()
        self.smtp_port = 0
        self.mail: list[tuple[float, list[str], bytes]] = []  # (monotonic time accepted, rcpts, raw)
        self.mail_count = 0
        places = [(r, c, d) for r, cities in REGIONS.items() for c, ds in cities.items() for d in ds]
        cities = [(r, c) for r, cs in REGIONS.items() for c in cs]
        provinces = list(REGIONS)
        cut_every = round(1 / cut_share) if cut_share > 0 else 0
        self.sites: list[Site] = []
        for i in range(1, sites + 1):
            rng = random.Random(f"{seed}:site:{i}")
            column = COLUMNS[i % len(COLUMNS)]
            if i == 1:
                level, region, city, district, owner = "national", "全国", None, None, "全国政协"
            elif i % 100 == 2:
                region = provinces[(i // 100) % len(provinces)]
                level, city, district, owner = "provincial", None, None, region.removesuffix("省") + "省政协"
            elif i % 10 == 3:
                region, city = cities[(i // 10) % len(cities)]
                level, district, owner = "municipal", None, city + "政协"
            else:
                region, city, district = places[i % len(places)]
                level, owner = "district", district + "政协"
            quarter = (i // 2) % 4
            title_mode = "full"
            if cut_every and i % cut_every == 0:
                title_mode = "cut"
            elif i % 10 in (4, 7, 9):
                title_mode = "attr"
            site = Site(
                index=i, id=f"s{i:04d}", host=site_host(i, hosts), name=f"{owner} · {column}",
                region=region, city=city, district=district, level=level,
                utf8=i % 2 == 1, header_charset=(i // 2) % 2 == 0,
                etag=quarter == 0, last_modified=quarter in (0, 1),
                gzip=(i // 4) % 2 == 0, title_mode=title_mode,
                modified=time.time() - rng.randint(3600, 30 * 86400),
            )
            seen: set[str] = set()
            day = self.today - timedelta(days=rng.randint(0, 2))
            for _ in range(ITEMS_PER_PAGE):
                site.entries.append(self._new_entry(site, rng, day, seen))
                day -= timedelta(days=rng.randint(0, 4))
            site.chrome = self._chrome(site, rng)
            self.sites.append(site)
        self.by_host = {s.host: s for s in self.sites}

    # -- content ------------------------------------------------------------------------------

    def _new_entry(self, site: Site, rng: random.Random, day: date, seen: set[str]) -> Entry:
        self._uid += 1
        uid = site.index * 100000 + self._uid % 100000
        for attempt in range(50):
            tpl = rng.choice(TEMPLATES)
            title = tpl.format(s=rng.choice(SUBJECTS).format(p=site.place), a=rng.choice(ACTIONS),
                               t=rng.choice(TOPICS), n=_ordinal(rng.randint(2, 39)),
                               who=rng.choice(PEOPLE))
            if attempt > 40:
                title += f"（{attempt}）"
            if title not in seen:
                break
        seen.add(title)
        path = f"/{site.id}/{day:%Y%m}/t{day:%Y%m%d}_{uid}.html"
        return Entry(uid, title, day, path)

    def _chrome(self, site: Site, rng: random.Random) -> tuple[str, str]:
        """The parts of the list page around the item list: head, nav, sidebar, footer."""
        sid = site.id
        owner, column = site.name.split(" · ")
        charset = "utf-8" if site.utf8 else "gb2312"
        menu = ["首页", *COLUMNS, "机构设置", "政协章程", "专题专栏", "网上提案"]
        nav = "\n".join(
            f'<li class="nav-{k}"><a href="/{sid}/col{k}/index.html">{c}</a><div class="sub">'
            + "".join(f'<a href="/{sid}/col{k}/{j}/index.html">{t[:6]}</a>'
                      for j, t in enumerate(rng.sample(TOPICS, 4)))
            + "</div></li>" for k, c in enumerate(menu))
        people = "".join(f'<li><a href="/{sid}/wy/{k}.html"><img src="/{sid}/wy/{k}.jpg" alt="{p}" />'
                         f"{p}</a></li>" for k, p in enumerate(PEOPLE[:6]))
        districts = [d for c in REGIONS.values() for ds in c.values() for d in ds]
        links = "".join(f'<option value="http://www.zx{k}.gov.cn/">{p}政协</option>'
                        for k, p in enumerate(rng.sample(districts, 30)))
        head = "\n".join([
            '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
            '<html xmlns="http://www.w3.org/1999/xhtml">', "<head>",
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />',
            '<meta http-equiv="X-UA-Compatible" content="IE=edge" />',
            '<meta name="viewport" content="width=device-width, initial-scale=1.0" />',
            f'<meta name="SiteName" content="{owner}" />',
            f'<meta name="SiteDomain" content="{site.host}" />',
            f'<meta name="SiteIDCode" content="{3700000000 + site.index}" />',
            f'<meta name="ColumnName" content="{column}" />',
            f'<meta name="ColumnType" content="{column}" />',
            f'<meta name="keywords" content="{owner},政协,协商民主,提案,委员" />',
            f'<meta name="description" content="{owner}门户网站 {site.name}" />',
            f"<title>{column}_{owner}</title>",
            f'<link rel="stylesheet" type="text/css" href="/{sid}/images/common.css" />',
            f'<link rel="stylesheet" type="text/css" href="/{sid}/images/list.css" />',
            f'<script type="text/javascript" src="/{sid}/js/jquery-1.8.3.min.js"></script>',
            f'<script type="text/javascript" src="/{sid}/js/common.js"></script>',
            '<style type="text/css">',
            'body{margin:0;padding:0;font:12px/1.8 "Microsoft YaHei",SimSun,Arial;color:#333}',
            ".top,.nav,.main,.footer{width:1200px;margin:0 auto}.nav ul li{float:left;padding:0 18px}",
            ".list ul li{height:36px;line-height:36px;border-bottom:1px dashed #ddd}",
            ".list ul li span{float:right;color:#999}.right .box ul li{overflow:hidden}",
            "</style>", "</head>", "<body>",
            f'<div class="top"><div class="logo"><a href="/{sid}/"><img src="/{sid}/images/logo.png" '
            f'alt="{owner}" /></a></div>',
            f'<div class="search"><form action="/{sid}/search" method="get"><input type="text" name="q" '
            'value="请输入关键字" /><input type="submit" value="搜索" /></form></div>',
            '<div class="date"><script type="text/javascript">'
            "document.write(new Date().toLocaleDateString());</script></div></div>",
            f'<div class="nav"><ul>\n{nav}\n</ul></div>',
            f'<div class="banner"><img src="/{sid}/images/banner.jpg" alt="{owner}" /></div>',
            '<div class="main">',
            f'<div class="location">当前位置：<a href="/{sid}/">首页</a> &gt; '
            f'<a href="/{sid}/list.html">{column}</a></div>',
            f'<div class="left"><div class="list"><h2>{column}</h2>', "<ul>", ""])
        foot = "\n".join([
            "</ul>",
            f'<div class="page">共20条 <a href="/{sid}/list.html">首页</a> '
            f'<a href="/{sid}/list.html">上一页</a> <a href="/{sid}/list_1.html">下一页</a> '
            f'<a href="/{sid}/list_9.html">尾页</a></div>',
            "</div></div>", '<div class="right">',
            f'<div class="box"><h3>委员风采</h3><ul class="wy">{people}</ul></div>',
            "@@PAD@@",
            '<div class="box"><h3>友情链接</h3><select onchange="window.open(this.value)">'
            f"<option>—— 各地政协 ——</option>{links}</select></div>",
            "</div>", "</div>", '<div class="footer">',
            f'<p><a href="/{sid}/about.html">关于我们</a> | <a href="/{sid}/map.html">网站地图</a> | '
            f'<a href="/{sid}/contact.html">联系我们</a></p>',
            f"<p>主办单位：{owner}办公室 &nbsp; 联系人：{PEOPLE[site.index % len(PEOPLE)]} &nbsp; "
            f"地址：{site.region}{site.city or ''}{site.district or ''}政务服务中心</p>",
            f"<p>网站标识码：{3700000000 + site.index} &nbsp; "
            f'<a href="https://beian.miit.gov.cn/">鲁ICP备{10000000 + site.index}号</a></p>',
            "</div>",
            '<script type="text/javascript">var _hmt=_hmt||[];(function(){'
            'var hm=document.createElement("script");'
            f'hm.src="/{sid}/js/stat.js";var s=document.getElementsByTagName("script")[0];'
            "s.parentNode.insertBefore(hm,s);})();</script>",
            "</body>", "</html>", ""])
        return head, foot

    def _item_html(self, site: Site, e: Entry) -> str:
        href = "." + e.path.removeprefix(f"/{site.id}")
        shown = e.title
        attr = f' title="{e.title}"'
        if site.title_mode != "full" and len(e.title) > 18:
            shown = e.title[:16] + "..."
        if site.title_mode == "cut":
            attr = ""
        return (f'<li><a href="{href}" target="_blank"{attr}>{shown}</a>'
                f"<span>{e.day:%Y-%m-%d}</span></li>\n")

    def _render(self, site: Site) -> bytes:
        head, foot = site.chrome
        items = "".join(self._item_html(site, e) for e in site.entries[:ITEMS_PER_PAGE])
        text = head + items + foot
        if not site.pad:
            bare = len(text.replace("@@PAD@@", "").encode(site.charset))
            site.pad = max(0, PAGE_BYTES - bare)
        return text.replace("@@PAD@@", _padding(site.pad, site)).encode(site.charset)

    def page(self, site: Site, gz: bool) -> bytes:
        key = f"{site.version}:{int(gz)}"
        body = site.cache.get(key)
        if body is None:
            plain = site.cache.get(f"{site.version}:0") or self._render(site)
            site.cache = {f"{site.version}:0": plain}
            body = site.cache[key] = gzip.compress(plain, 6, mtime=0) if gz else plain
        return body

    def article(self, site: Site, entry: Entry) -> bytes:
        owner = site.name.split(" · ")[0]
        rng = random.Random(entry.uid)
        # Each article says something of its own (real bodies differ; a few templates alone
        # would make every pair of articles look like reprints of each other).
        paras = "".join(
            f"<p style=\"text-indent:2em\">{rng.choice(SUBJECTS).format(p=site.place)}{rng.choice(ACTIONS)}"
            f"{rng.choice(TOPICS)}。{_prose(rng)}，{rng.choice(PEOPLE)}委员"
            f"就{rng.choice(TOPICS)}提出意见建议，{_prose(rng)}。</p>\n" for _ in range(24))
        column = site.name.split(" · ")[1]
        sid = site.id
        stamp = f"{entry.day:%Y-%m-%d} 09:30"
        charset = "utf-8" if site.utf8 else "gb2312"
        text = "\n".join([
            "<!DOCTYPE html>", "<html><head>",
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />',
            f'<meta name="SiteName" content="{owner}" />',
            f'<meta name="ColumnName" content="{column}" />',
            f'<meta name="ArticleTitle" content="{entry.title}" />',
            f'<meta name="PubDate" content="{stamp}" />',
            f'<meta name="ContentSource" content="{owner}" />',
            f"<title>{entry.title}_{owner}</title>",
            f'<link rel="stylesheet" type="text/css" href="/{sid}/images/common.css" />',
            "</head><body>",
            f'<div class="top"><a href="/{sid}/"><img src="/{sid}/images/logo.png" alt="{owner}" />'
            "</a></div>",
            f'<div class="location">当前位置：<a href="/{sid}/">首页</a> &gt; '
            f'<a href="/{sid}/list.html">{column}</a></div>',
            f'<div class="article"><h1>{entry.title}</h1>',
            f'<div class="info">发布时间：{stamp} &nbsp; 来源：{owner} &nbsp; '
            '字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a></div>',
            f'<div class="content">{paras}</div></div>',
            f'<div class="right">{_padding(ARTICLE_PAD, site)}</div>',
            f'<div class="footer">主办单位：{owner}办公室 &nbsp; 网站标识码：{3700000000 + site.index}</div>',
            "</body></html>", ""])
        return text.encode(site.charset)

    # -- publishing ---------------------------------------------------------------------------

    def publish(self, indices: list[int], count: int = 1, unique: bool = False) -> list[dict[str, Any]]:
        """Put ``count`` new items at the top of each named site's list; return them.

        ``unique`` titles cannot match another site's story (the latency probes' items).
        """
        out = []
        now = time.time()
        for i in indices:
            if not 1 <= i <= len(self.sites):
                continue
            site = self.sites[i - 1]
            rng = random.Random(f"{self.seed}:publish:{i}:{site.version}")
            seen = {e.title for e in site.entries}
            for _ in range(count):
                entry = self._new_entry(site, rng, self.today, seen)
                if unique:
                    entry.title += f"（编号{entry.uid}）"
                site.entries.insert(0, entry)
                out.append({"site": site.id, "title": entry.title, "url": self.url(site, entry.path)})
            site.version += 1
            site.modified = max(now, site.modified + 1)  # Last-Modified has 1 s resolution
            site.cache = {}
        return out

    def url(self, site: Site, path: str) -> str:
        return f"http://{site.host}:{self.port}{path}"

    def describe(self) -> list[dict[str, Any]]:
        return [{"site": s.index, "id": s.id, "url": self.url(s, f"/{s.id}/list.html"), "host": s.host,
                 "name": s.name, "region": s.region, "city": s.city, "district": s.district,
                 "level": s.level, "charset": s.charset, "header_charset": s.header_charset,
                 "etag": s.etag, "last_modified": s.last_modified, "gzip": s.gzip,
                 "title_mode": s.title_mode} for s in self.sites]

    def truth(self, indices: list[int]) -> dict[str, list[tuple[str, str]]]:
        return {s.id: [(self.url(s, e.path), e.title) for e in s.entries]
                for s in (self.sites[i - 1] for i in indices if 1 <= i <= len(self.sites))}

    def stats(self) -> dict[str, Any]:
        ru = resource.getrusage(resource.RUSAGE_SELF)
        return {"cpu": {"user": ru.ru_utime, "system": ru.ru_stime, "total": ru.ru_utime + ru.ru_stime},
                "maxrss_mb": ru.ru_maxrss / 1024, "requests": dict(self.counters),
                "bytes_sent": self.bytes_sent, "connections": self.connections,
                "max_open_connections": self.max_open_connections,
                "lateness_max": self.lateness_max,
                "lateness_mean": self.lateness_sum / self.delayed if self.delayed else 0.0,
                "uptime": time.monotonic() - self.started, "sites": len(self.sites),
                "mail": {"count": self.mail_count, "port": self.smtp_port}}

    def accept_mail(self, rcpts: list[str], raw: bytes) -> None:
        self.mail_count += 1
        self.mail.append((time.monotonic(), rcpts, raw))
        if len(self.mail) > MAIL_KEPT:
            del self.mail[: len(self.mail) - MAIL_KEPT]

    def mail_since(self, since: int) -> list[dict[str, Any]]:
        """Messages accepted after the first ``since``, decoded (subject and text parts)."""
        first = self.mail_count - len(self.mail)
        out = []
        for k, (t, rcpts, raw) in enumerate(self.mail[max(0, since - first):], start=max(since, first)):
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            texts = []
            for part in msg.walk():
                if part.get_content_maintype() == "text":
                    with contextlib.suppress(LookupError, ValueError):
                        texts.append(str(part.get_content()))
            out.append({"i": k, "t": t, "rcpt": rcpts, "subject": str(msg.get("subject", "")),
                        "text": "\n".join(texts), "size": len(raw)})
        return out

    # -- HTTP ---------------------------------------------------------------------------------

    def _count(self, key: str) -> None:
        self.counters[key] = self.counters.get(key, 0) + 1

    def _delay(self, site: Site) -> float:
        site.requests += 1
        lo, hi = self.latency
        return random.Random(f"{self.seed}:lat:{site.index}:{site.requests}").uniform(lo, hi)

    def handle(self, method: str, target: str, headers: dict[str, str]
               ) -> tuple[int, list[tuple[str, str]], bytes, float]:
        """One request → (status, headers, body, delay in seconds)."""
        parts = urlsplit(target)
        path = parts.path
        if path.startswith("/_ctl/"):
            return self._control(path, parse_qs(parts.query))
        seg = path.split("/", 2)
        site = None
        if len(seg) > 1 and seg[1].startswith("s") and seg[1][1:].isdigit():
            idx = int(seg[1][1:])
            if 1 <= idx <= len(self.sites):
                site = self.sites[idx - 1]
        if site is None and self.hosts == "many":  # e.g. /robots.txt: the site is the host
            site = self.by_host.get(headers.get("host", "").rpartition(":")[0])
        if path == "/robots.txt":
            self._count("robots")
            return 200, [("Content-Type", "text/plain")], ROBOTS, self._delay(site) if site else 0.0
        if site is None:
            self._count("404")
            return 404, [("Content-Type", "text/plain")], b"not found\n", 0.0
        delay = self._delay(site)
        ctype = "text/html" + ("; charset=utf-8" if site.utf8 else
                               ("; charset=gb2312" if site.header_charset else ""))
        rest = path[len(site.id) + 1:]
        if rest in ("/list.html", "/", "/index.html"):
            return self._list(site, headers, ctype, delay)
        for e in site.entries:
            if e.path == path:
                self._count("article")
                return 200, [("Content-Type", ctype)], self.article(site, e), delay
        self._count("404")
        return 404, [("Content-Type", "text/html")], b"<html><body>404</body></html>", delay

    def _list(self, site: Site, headers: dict[str, str], ctype: str, delay: float
              ) -> tuple[int, list[tuple[str, str]], bytes, float]:
        validators = []
        etag = f'"{hashlib.md5(f"{site.id}:{site.version}".encode()).hexdigest()[:16]}"'
        last_mod = formatdate(int(site.modified), usegmt=True)
        if site.etag:
            validators.append(("ETag", etag))
        if site.last_modified:
            validators.append(("Last-Modified", last_mod))
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        fresh = False
        if site.etag and inm is not None:
            fresh = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif site.last_modified and ims:
            try:
                fresh = ims == last_mod or parsedate_to_datetime(ims).timestamp() >= int(site.modified)
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            self._count("list_304")
            return 304, validators, b"", delay
        gz = site.gzip and "gzip" in headers.get("accept-encoding", "")
        body = self.page(site, gz)
        hdrs = [("Content-Type", ctype), *validators]
        if gz:
            hdrs.append(("Content-Encoding", "gzip"))
            hdrs.append(("Vary", "Accept-Encoding"))
        self._count("list_200")
        return 200, hdrs, body, delay

    def _control(self, path: str, query: dict[str, list[str]]
                 ) -> tuple[int, list[tuple[str, str]], bytes, float]:
        self._count("control")
        all_sites = f"1-{len(self.sites)}"
        which = parse_ranges(query.get("sites", [all_sites])[0])
        if path == "/_ctl/stats":
            data: Any = self.stats()
        elif path == "/_ctl/sites":
            data = self.describe()
        elif path == "/_ctl/publish":
            data = self.publish(which, int(query.get("count", ["1"])[0]),
                                unique=query.get("unique", ["0"])[0] == "1")
        elif path == "/_ctl/truth":
            data = self.truth(which)
        elif path == "/_ctl/mail":
            data = self.mail_since(int(query.get("since", ["0"])[0]))
        else:
            return 404, [("Content-Type", "text/plain")], b"unknown control\n", 0.0
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        return 200, [("Content-Type", "application/json; charset=utf-8")], body, 0.0

    async def serve(self, ready: asyncio.Future[int] | None = None) -> None:
        """Listen on every site's address (same port) and on 127.0.0.1; run until cancelled."""
        with contextlib.suppress(ValueError, OSError):
            _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        loop = asyncio.get_running_loop()
        first = await loop.create_server(lambda: _Conn(self), CONTROL_HOST, self.port, backlog=1024,
                                         reuse_address=True)
        self.port = first.sockets[0].getsockname()[1]
        servers = [first]
        hosts = sorted({s.host for s in self.sites} - {CONTROL_HOST})
        for host in hosts:
            servers.append(await loop.create_server(lambda: _Conn(self), host, self.port, backlog=256,
                                                    reuse_address=True))
        smtp = await loop.create_server(lambda: _Smtp(self), CONTROL_HOST, self.smtp_port or 0)
        self.smtp_port = smtp.sockets[0].getsockname()[1]
        servers.append(smtp)
        for site in self.sites:  # render once up front so the first cycle measures the client
            self.page(site, False)
        if ready is not None:
            ready.set_result(self.port)
        try:
            await asyncio.Event().wait()
        finally:
            for s in servers:
                s.close()


_COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
           "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
           "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数"
           "正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题"
           "党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手"
           "角期根论运农指几九区强放决西被干做必战先回则任取据处府研质信走改")


def _prose(rng: random.Random) -> str:
    return "".join(rng.choice(_COMMON) for _ in range(rng.randint(12, 24)))


def _padding(size: int, site: Site) -> str:
    """Sidebar boxes of undated links (专题, 推荐, 热点) of about ``size`` encoded bytes."""
    rng = random.Random(f"pad:{site.index}")
    out: list[str] = []
    total = 0
    k = 0
    while total < size:
        heading = rng.choice(["热点推荐", "专题专栏", "图片新闻", "委员建言", "学习园地", "政协知识"])
        lis = "".join(
            f'<li><a href="/{site.id}/tj/{k}_{j}/index.html" title="{t}" target="_blank">{t}</a></li>'
            for j, t in enumerate(rng.sample(TOPICS, 6)))
        block = (f'<div class="box box-{k}"><h3><a href="/{site.id}/tj/{k}/">{heading}</a></h3>'
                 f"<ul>{lis}</ul></div>\n")
        out.append(block)
        total += len(block.encode(site.charset))
        k += 1
    return "".join(out)


class _Conn(asyncio.Protocol):
    """One client connection: HTTP/1.1 keep-alive, one request at a time, latency via the loop."""

    def __init__(self, web: FakeWeb) -> None:
        self.web = web
        self.buf = bytearray()
        self.busy = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        w = self.web
        w.connections += 1
        w.open_connections += 1
        w.max_open_connections = max(w.max_open_connections, w.open_connections)

    def connection_lost(self, exc: Exception | None) -> None:
        self.web.open_connections -= 1
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if len(self.buf) > MAX_HEADER_BYTES and b"\r\n\r\n" not in self.buf:
            self._close()
            return
        self._next()

    def _close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _next(self) -> None:
        if self.busy or self.transport is None:
            return
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[: end + 4]
        lines = head.split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            self._close()
            return
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        conn = headers.get("connection", "").lower()
        keep = conn != "close" and (version == "HTTP/1.1" or conn == "keep-alive")
        self.busy = True
        status, hdrs, body, delay = self.web.handle(method, target, headers)
        body_out = b"" if method == "HEAD" else body
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}.get(status, "OK")
        out = [f"HTTP/1.1 {status} {reason}", "Server: nginx", f"Date: {formatdate(usegmt=True)}"]
        out += [f"{k}: {v}" for k, v in hdrs]
        if status != 304:
            out.append(f"Content-Length: {len(body)}")
        out.append("Connection: keep-alive" if keep else "Connection: close")
        payload = ("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body_out
        if delay > 0:
            loop = asyncio.get_running_loop()
            due = loop.time() + delay
            loop.call_at(due, self._send, payload, keep, due)
        else:
            self._send(payload, keep, None)

    def _send(self, payload: bytes, keep: bool, due: float | None) -> None:
        w = self.web
        if due is not None:
            late = asyncio.get_running_loop().time() - due
            w.lateness_max = max(w.lateness_max, late)
            w.lateness_sum += late
            w.delayed += 1
        self.busy = False
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(payload)
        w.bytes_sent += len(payload)
        if keep:
            self._next()
        else:
            self.transport.close()


class _Smtp(asyncio.Protocol):
    """A minimal SMTP sink (RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)."""

    def __init__(self, web: FakeWeb) -> None:
        self.web = web
        self.buf = bytearray()
        self.rcpts: list[str] = []
        self.data: list[bytes] | None = None
        self.size = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 fakeweb ESMTP sink\r\n")

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def _reply(self, line: str) -> None:
        if self.transport is not None:
            self.transport.write(line.encode("ascii") + b"\r\n")

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while self.transport is not None:
            end = self.buf.find(b"\r\n")
            if end < 0:
                if len(self.buf) > MAX_HEADER_BYTES and self.data is None:
                    self.transport.close()
                return
            line = bytes(self.buf[:end])
            del self.buf[: end + 2]
            if self.data is not None:
                self._data_line(line)
            else:
                self._command(line)

    def _data_line(self, line: bytes) -> None:
        assert self.data is not None
        if line == b".":
            self.web.accept_mail(self.rcpts, b"\r\n".join(self.data) + b"\r\n")
            self.data, self.rcpts = None, []
            self._reply("250 2.0.0 OK queued")
            return
        self.size += len(line) + 2
        if self.size <= MAX_MAIL_BYTES:
            self.data.append(line[1:] if line.startswith(b"..") else line)

    def _command(self, line: bytes) -> None:
        verb, _, arg = line.decode("utf-8", "replace").partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            self._reply("250-fakeweb")
            self._reply("250-8BITMIME")
            self._reply("250-SMTPUTF8")
            self._reply(f"250 SIZE {MAX_MAIL_BYTES}")
        elif verb in ("HELO", "NOOP"):
            self._reply("250 OK")
        elif verb == "MAIL":
            self.rcpts = []
            self._reply("250 2.1.0 OK")
        elif verb == "RCPT":
            self.rcpts.append(arg.partition(":")[2].strip().strip("<>").split(">")[0])
            self._reply("250 2.1.5 OK")
        elif verb == "DATA":
            if not self.rcpts:
                self._reply("503 5.5.1 RCPT first")
                return
            self.data, self.size = [], 0
            self._reply("354 End data with <CR><LF>.<CR><LF>")
        elif verb == "RSET":
            self.rcpts, self.data = [], None
            self._reply("250 OK")
        elif verb == "QUIT":
            self._reply("221 Bye")
            if self.transport is not None:
                self.transport.close()
        else:
            self._reply("502 5.5.2 command not implemented")


# ---------------------------------------------------------------------------------------------
# Running it: in this process (serve) or as a child process (FakeWebProcess)
# ---------------------------------------------------------------------------------------------


class FakeWebProcess:
    """The fake web in a child process, driven over its control endpoints (used by run.py)."""

    def __init__(self, sites: int, *, seed: int = 1, hosts: str = "many",
                 latency: tuple[float, float] = (0.05, 0.30), cut_share: float = 0.05,
                 startup_timeout: float = 120.0) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--sites", str(sites), "--seed", str(seed),
               "--hosts", hosts, "--latency", f"{latency[0]},{latency[1]}", "--cut-share", str(cut_share),
               "--ready-line"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + startup_timeout
        line = ""
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("READY ") or not line:
                break
        if not line.startswith("READY "):
            self.close()
            raise RuntimeError(f"fake web did not start: {line!r}")
        self.port = int(line.split()[1])
        self.base = f"http://{CONTROL_HOST}:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def control(self, what: str, timeout: float = 60.0, **params: object) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        url = f"{self.base}/_ctl/{what}" + (f"?{query}" if query else "")
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # loopback only
            return json.loads(resp.read().decode("utf-8"))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> FakeWebProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def control(base: str, what: str, timeout: float = 60.0, **params: object) -> Any:
    """Call a control endpoint of a fake web at ``base`` (``http://127.0.0.1:PORT``)."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    with urllib.request.urlopen(f"{base}/_ctl/{what}" + (f"?{query}" if query else ""),
                                timeout=timeout) as resp:
        return json.loads(resp.read().decode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--hosts", choices=["many", "one"], default="many",
                    help="'many': one loopback address per site (127.1.x.y); 'one': all on 127.0.0.1")
    ap.add_argument("--latency", default="0.05,0.30", help="min,max seconds per request (uniform)")
    ap.add_argument("--cut-share", type=float, default=0.05,
                    help="share of sites whose cut titles have no title attribute")
    ap.add_argument("--seconds", type=float, default=0, help="stop after this long (0: until signalled)")
    ap.add_argument("--ready-line", action="store_true", help="print 'READY <port>' when listening")
    args = ap.parse_args(argv)
    lo, hi = (float(x) for x in args.latency.split(","))
    web = FakeWeb(args.sites, seed=args.seed, hosts=args.hosts, latency=(lo, hi),
                  cut_share=args.cut_share, port=args.port)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[int] = loop.create_future()
        task = asyncio.create_task(web.serve(ready))
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        done, _ = await asyncio.wait([ready, task], return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            return
        port = ready.result()
        if args.ready_line:
            print(f"READY {port}", flush=True)
        else:
            print(f"{len(web.sites)} sites; control: http://{CONTROL_HOST}:{port}/_ctl/stats", flush=True)
            for d in web.describe()[:10]:
                print(f"  {d['url']}  {d['charset']:5} etag={d['etag']!s:5} lm={d['last_modified']!s:5} "
                      f"gzip={d['gzip']!s:5} titles={d['title_mode']}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), args.seconds or None)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
