#!/usr/bin/env python3
# ruff: noqa: E501
# (E501 is off for this file only: it is mostly tables of Chinese titles, and
#  ruff counts every CJK character as two columns.)
"""Build the list-page fixture sites under tests/web/sites and their ground
truth under tests/web/truth.  Standard library only; deterministic.

    python tests/web/build_fixtures.py          # rebuild everything + self-check
    python tests/web/build_fixtures.py --check  # self-check the files on disk only

The fixture world's "today" is 2024-03-01 (Asia/Shanghai).  See README.md for
what each site tests and for the truth file format.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

HERE = Path(__file__).resolve().parent
SITES_DIR = HERE / "sites"
TRUTH_DIR = HERE / "truth"
NOW = "2024-03-01"
ORIGIN = "http://fixture.test"  # stand-in for http://127.0.0.1:PORT while resolving links

# =============================================================================
# Small helpers
# =============================================================================


def ws(text: str) -> str:
    """Whitespace-normalize a title the way the truth files store it.

    nbsp, U+3000 and newlines collapse to one ASCII space; a <br> inside a
    title joins the two halves with nothing (Chinese needs no space)."""
    text = text.replace("<br>", "")
    return " ".join(text.split())


def cut(title: str, n: int, ell: str = "...") -> str:
    """Truncate the way CMS list templates do: first n characters + ellipsis."""
    return title if len(title) <= n else title[:n] + ell


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def shown(text: str) -> str:
    """Escape a title for the list page; keep the planted <br> and write
    non-breaking spaces as &nbsp; (GBK has no U+00A0)."""
    out = esc(text).replace("&lt;br&gt;", "<br>")
    return out.replace("\u00a0", "&nbsp;")


def rows(table: str) -> list[list[str]]:
    """Parse a ' | '-separated data table (one row a line, '#' comments)."""
    out = []
    for line in table.strip("\n").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append([cell.strip() for cell in line.split(" | ")])
    return out


def flags(cell: str) -> set[str]:
    return {f.strip() for f in cell.split(",") if f.strip() and f.strip() != "-"}


def stable_int(key: str, lo: int, hi: int) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return lo + int.from_bytes(digest[:4], "big") % (hi - lo + 1)


def clock(key: str) -> str:
    """A deterministic publication time of day (HH:MM) for an article."""
    return f"{stable_int(key + 'h', 8, 17):02d}:{stable_int(key + 'm', 0, 59):02d}"


def resolve(page: str, href: str, base: str | None = None) -> str:
    """Resolve href as a browser would on ORIGIN+page (with optional <base>).
    On-site results come back as root-relative paths, off-site as full URLs."""
    doc = urljoin(ORIGIN + page, base) if base else ORIGIN + page
    absolute = urljoin(doc, href)
    if absolute.startswith(ORIGIN + "/"):
        return absolute[len(ORIGIN):]
    return absolute


# =============================================================================
# Body text pool (articles are assembled from these, deterministically)
# =============================================================================

PARAS = [
    "会议指出，过去一年，在党的坚强领导下，政协各参加单位和广大委员坚持团结和民主两大主题，紧扣中心大局履职尽责，协商议政质量不断提高，民主监督实效持续增强，为推动经济社会高质量发展贡献了政协智慧和力量。",
    "会议强调，要坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实中央政协工作会议精神，把加强思想政治引领、广泛凝聚共识作为中心环节，不断提升建言资政和凝聚共识的能力水平。",
    "会议审议通过了《2024年度协商工作计划》《2024年度重点提案督办方案》和《关于加强委员履职管理的实施办法》，研究了近期人事事项，听取了有关专门委员会的工作汇报。",
    "调研组一行先后深入企业车间、产业园区和社区服务中心，实地察看项目建设进展，详细了解企业生产经营、科技创新和用工用地等情况，并与企业负责人和基层干部群众面对面交流，认真听取意见建议。",
    "座谈会上，相关部门负责同志介绍了工作推进情况，政协委员和专家学者围绕体制机制创新、要素保障、人才引育、营商环境优化等方面踊跃发言，提出了许多具有针对性和可操作性的意见建议。",
    "提案办理是政府工作与政协履职的重要结合点。今年以来，承办单位坚持把提案办理作为倾听民声、汇聚民智的重要渠道，做到件件有回音、事事有着落，提案办复率和委员满意率均达到100%。",
    "委员们表示，将以此次活动为契机，进一步增强责任感和使命感，把履职重心放在深入调查研究上，多到基层一线去，多到群众中间去，真正把情况摸清、把问题找准、把对策提实。",
    "社情民意信息工作是政协履行职能的重要方式。下一步，要进一步畅通信息报送渠道，健全信息采编、报送、反馈工作机制，鼓励委员围绕群众急难愁盼问题撰写高质量信息，及时反映基层声音。",
    "专题协商会采取“线上+线下”相结合的方式进行，部分委员通过网络议政平台远程参会发言。与会人员聚焦主题、深入协商，在坦诚交流中增进了共识，在互动协商中形成了合力。",
    "会议要求，各专门委员会要强化对口联系，加强与党委政府有关部门的沟通协作，精心组织好年度重点协商议题的调研论证，确保协商成果转化为推动发展的具体举措。",
    "视察组认为，近年来相关部门认真落实决策部署，工作取得了阶段性成效，但也存在规划衔接不够紧密、资金投入渠道单一、长效管护机制不健全等问题，需要进一步研究解决。",
    "主席会议强调，要持续深化“有事好商量”协商平台建设，推动协商向基层延伸，把协商议事室打造成为倾听民声、化解民忧、凝聚民心的重要阵地，让群众身边的事情有地方商量、有人来商量。",
    "常委会议听取并审议了关于提案办理工作情况的通报，表决通过了关于召开下一次全体会议的决定，协商通过了全体会议议程草案、日程草案以及大会秘书长、副秘书长名单草案。",
    "民主监督组采取明察暗访、座谈交流、问卷调查等方式，对重点民生实事项目推进情况开展了为期两个月的跟踪监督，形成监督报告1份，提出意见建议16条。",
    "委员工作室自成立以来，坚持每月开展一次主题接待活动，共收集群众意见建议87条，推动解决了老旧小区停车难、背街小巷路灯不亮、农贸市场环境脏乱等一批具体问题。",
    "学习会上，与会同志结合各自工作实际作了交流发言。大家一致认为，要把学习成果转化为推动政协工作高质量发展的实际成效，在履职实践中践行初心使命、彰显责任担当。",
    "会议要求，机关各部门要围绕年度重点任务，细化工作措施，压实工作责任，持续加强机关党的建设和干部队伍建设，锻造一支政治过硬、作风优良、业务精湛的政协干部队伍。",
    "据悉，本次会议共收到委员提案、大会发言和社情民意信息共计600余件，内容涵盖经济发展、科技创新、乡村振兴、生态环保、教育医疗、社会治理等多个领域。",
    "文史资料工作是人民政协的一项特色工作。近年来，政协文史工作坚持“亲历、亲见、亲闻”原则，陆续编辑出版了多部文史资料专辑，为存史、资政、团结、育人发挥了积极作用。",
    "调研中，委员们建议，要坚持规划引领，统筹产业布局和基础设施建设；要加强要素保障，在资金、土地、人才等方面给予更多倾斜；要优化服务供给，切实解决企业发展中的难点堵点问题。",
    "活动现场，政协委员与社区居民围坐在一起，围绕加装电梯、垃圾分类、养老服务等群众关心的问题开展“微协商”，相关部门负责人现场回应群众关切，气氛热烈融洽。",
    "会议通报了全年委员履职情况，对表现突出的委员和委员活动组进行了表扬，并对新一年的委员履职工作作出安排部署，要求广大委员珍惜政治身份，认真履职尽责，展示良好形象。",
    "下一步，将进一步完善提案办理协商机制，推动提案办理由“重答复”向“重落实”转变，加强对重点提案办理的跟踪督办，切实以提案办理实效回应群众期盼。",
    "与会人员一致表示，要以更加饱满的热情、更加务实的作风，积极投身到全面建设社会主义现代化国家的火热实践中，在协商议政中展现新作为，在服务大局中作出新贡献。",
]

PARTIES = ["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"]


def body_paragraphs(key: str, count: int | None = None) -> list[str]:
    rng = random.Random(key)
    n = count or rng.randint(4, 7)
    return rng.sample(PARAS, n)


# =============================================================================
# Site container, truth bookkeeping
# =============================================================================


@dataclass
class Article:
    url: str  # root-relative path (may have a ?query for ASP sites)
    title: str  # full title as the CMS stores it (may hold U+3000 / nbsp)
    date: str  # YYYY-MM-DD
    mode: str = "full"  # full | meta | h1 | title : where the page carries the title
    sep: str = "_"  # separator before the site name in <title> (mode title/full)
    source: str = ""
    column: str = ""

    @property
    def time(self) -> str:
        return clock(self.url)


@dataclass
class Site:
    name: str
    encoding: str  # "utf-8" or "gbk"
    content_type: str
    etag: bool | None = None
    site_title: str = ""
    newline: str = "\n"
    files: dict[str, bytes] = field(default_factory=dict)
    overrides: dict[str, dict] = field(default_factory=dict)
    pages: dict[str, list[dict]] = field(default_factory=dict)
    not_items: list[str] = field(default_factory=list)
    noise_hrefs: list[tuple[str, str]] = field(default_factory=list)  # (page, raw href)
    repairs: list[dict] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=dict)

    # ---- files ---------------------------------------------------------
    def write(self, rel: str, text: str, *, encoding: str | None = None,
              newline: str | None = None, bom: bool = False) -> None:
        nl = self.newline if newline is None else newline
        if nl != "\n":
            text = text.replace("\r\n", "\n").replace("\n", nl)
        data = text.encode(encoding or self.encoding)  # strict: fail loudly
        if bom:
            data = b"\xef\xbb\xbf" + data
        self.files[rel] = data

    def file_for(self, url: str) -> str:
        """Relative file name under the site folder that serves a URL path."""
        path = unquote(urlsplit(url).path)
        prefix = f"/{self.name}/"
        assert path.startswith(prefix), (self.name, url)
        return path[len(prefix):]

    # ---- truth ---------------------------------------------------------
    def item(self, page: str, title: str, url: str, date: str, **extra) -> None:
        items = self.pages.setdefault(page, [])
        for old in items:
            if old["url"] == url:  # same link in two blocks: one item
                assert old["title"] == ws(title) and old["date"] == date, (url, title)
                return
        entry = {"title": ws(title), "url": url, "date": date}
        entry.update(extra)
        items.append(entry)

    def noise(self, page: str, href: str, base: str | None = None) -> None:
        url = href if href.startswith("javascript:") else resolve(page, href, base)
        if url not in self.not_items:
            self.not_items.append(url)
        self.noise_hrefs.append((page, href))

    def article(self, art: Article) -> None:
        old = self.articles.get(art.url)
        if old is not None:
            assert old.title == art.title, art.url
            return
        self.articles[art.url] = art

    def repair(self, page: str, display: str, art: Article, how: str) -> None:
        self.repairs.append({"page": page, "shown": display, "title": art.title,
                             "url": art.url, "how": how})

    # ---- output --------------------------------------------------------
    def save(self) -> None:
        root = SITES_DIR / self.name
        if root.exists():
            shutil.rmtree(root)
        for rel, data in sorted(self.files.items()):
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        meta: dict = {"content_type": self.content_type}
        if self.etag is not None:
            meta["etag"] = self.etag
        if self.overrides:
            meta["files"] = self.overrides
        (root / "_site.json").write_text(
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        truth = {"site": self.name, "now": NOW, "encoding": self.encoding,
                 "pages": self.pages, "not_items": self.not_items}
        TRUTH_DIR.mkdir(parents=True, exist_ok=True)
        (TRUTH_DIR / f"{self.name}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def add_listed(site: Site, page: str, art: Article, display: str, has_attr: bool,
               date: str | None = None, **extra) -> None:
    """Register one list entry: the truth item, its article, and (if the list
    shows a truncated title with no title attribute) the repair it needs."""
    site.article(art)
    truncated = ws(display) != ws(art.title)
    if truncated:
        how = "attr" if has_attr else art.mode
        assert how in {"attr", "meta", "h1", "title"}, (site.name, art.title, how)
        extra.setdefault("repair", how)
        if not has_attr:
            site.repair(page, display, art, how)
    site.item(page, art.title, art.url, date or art.date, **extra)


def title_bits(art: Article, site_name: str, generic: str) -> tuple[str, str, str]:
    """(text for <title>, extra <meta> lines, heading text or '') for a mode.

    full : everything (ArticleTitle meta, h1, '<title>TITLE<sep>SITE')
    meta : only <meta name=ArticleTitle> (+PubDate, ContentSource); <title> generic
    h1   : only <h1>; <title> generic
    title: only <title>TITLE<sep>SITE; no meta, no h1"""
    title = art.title.replace("<br>", "")
    metas = ""
    if art.mode in ("full", "meta"):
        metas = (f'<meta name="ArticleTitle" content="{esc(title)}">\n'
                 f'<meta name="PubDate" content="{art.date} {art.time}">\n'
                 f'<meta name="ContentSource" content="{esc(art.source or site_name)}">\n')
    if art.mode in ("full", "title"):
        page_title = f"{title}{art.sep}{site_name}"
    else:
        page_title = generic
    heading = title if art.mode in ("full", "h1") else ""
    return page_title, metas, heading


# =============================================================================
# Site 1: trs-ul — 江西省政协, TRS WCM province template, UTF-8
# =============================================================================

TRS_ITEMS = """
# date | flags | full title
# flags: attr = <a title="FULL">; meta/h1/title = where the article page carries the full
# title (only matters when the list truncates it and there is no title attribute);
# pin-text / pin-span = pinned; new-img / new-font = "new" badge; ent = title attr with &ldquo;
2023-12-01 | attr,pin-text | 关于征集政协第十二届江西省委员会第二次会议提案的公告
2023-10-01 | attr,pin-span | 省政协关于开展“我为高质量发展献一策”建言活动的通知
2024-03-01 | attr,new-img | 省政协机关开展“学雷锋”志愿服务活动
2024-02-28 | attr | 省政协召开十二届十八次主席会议
2024-02-29 | new-font | 省政协主席会议成员分别走访看望各民主党派省委会
2024-02-27 | attr | 省政协党组（扩大）会议传达学习习近平总书记在中央政治局民主生活会上的重要讲话精神
2024-02-26 | attr | 省政协机关召开2024年工作会议暨党风廉政建设工作会议
2024-02-23 | meta | 省政协副主席李红梅率队赴赣州市开展“推进革命老区高质量发展”专题调研
2024-02-22 | attr | 全省政协系统提案工作座谈会在南昌召开
2024-02-19 | h1 | 省政协召开专题协商会　围绕“加快打造全国数字经济发展新高地”建言献策
2024-02-21 | attr | 省政协召开“有事好商量”协商活动推进会
2024-02-20 | attr | 省政协十二届二次会议提案交办会召开
2024-02-08 | attr | 省政协领导春节前走访慰问困难群众和老同志
2024-02-06 | attr | 省政协办公厅召开2023年度民主生活会
2024-01-27 | title | 关于政协第十二届江西省委员会第二次会议提案审查情况的报告
2024-01-26 | attr | 省政协十二届二次会议闭幕 大会通过政治决议和关于常委会工作报告、提案工作情况报告的决议
2024-01-24 | attr | 省政协“委员通道”：聚焦民生实事 讲好履职故事
2024-01-23 | attr | 政协第十二届江西省委员会第二次会议　在南昌隆重开幕
2024-01-18 | attr | 省政协召开十二届十二次常委会议\u00a0\u00a0审议有关文件
2024-01-12 | attr | 省政协召开全省市县政协主席座谈会
2024-01-10 | - | 省政协机关党组理论学习中心组<br>举行专题学习
2024-01-05 | attr | 省政协经济委员会召开委员工作室建设推进会
2023-12-28 | meta | 省政协社会和法制委员会赴吉安市开展“法治化营商环境建设”民主监督调研
2023-12-20 | title | 省政协召开“深入推进鄱阳湖流域综合治理”月度协商座谈会
2023-12-15 | attr,ent | 省政协文化文史和学习委员会开展“赣鄱文化传承发展”专题调研
"""

TRS_NAV = [("首页", "./"), ("政协要闻", "./zxyw/"), ("工作动态", "./gzdt/"), ("协商议政", "./xsyz/"),
           ("提案工作", "./tagz/"), ("民主监督", "./mzjd/"), ("社情民意", "./sqmy/"), ("委员之窗", "./wyzc/"),
           ("理论研究", "./llyj/"), ("文史天地", "./wstd/"), ("机关建设", "./jgjs/")]

TRS_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge,chrome=1" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<title>{title}</title>
<meta name="SiteName" content="江西省政协">
<meta name="SiteDomain" content="www.jxzx.gov.cn">
<meta name="SiteIDCode" content="3600000012">
{metas}<meta name="keywords" content="江西政协,政协江西省委员会,协商议政,提案工作,委员履职,{column}">
<meta name="description" content="政协江西省委员会门户网站，发布省政协工作动态、协商议政、提案工作、民主监督、委员履职等信息。">
<link href="{up}images/common.css" rel="stylesheet" type="text/css" />
<link href="{up}images/style.css" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="{up}images/jquery-1.11.3.min.js"></script>
<script type="text/javascript" src="{up}images/common.js"></script>
<!--[if lt IE 9]><script src="{up}images/html5shiv.min.js"></script><![endif]-->
</head>
"""

TRS_TOP = """<body>
<!--顶部 开始-->
<div class="top">
  <div class="w1200">
    <div class="top_l"><script type="text/javascript">
var d = new Date(); var w = ["日","一","二","三","四","五","六"];
document.write("今天是：" + d.getFullYear() + "年" + (d.getMonth()+1) + "月" + d.getDate() + "日 星期" + w[d.getDay()]);
</script></div>
    <div class="top_r"><a href="javascript:void(0);" id="wza">无障碍</a> | <a href="javascript:void(0);" onclick="zh_tran('t');">繁體</a> | <a href="{up}wzdt/">网站地图</a> | <a href="{up}lxwm/">联系我们</a></div>
  </div>
</div>
<div class="header">
  <div class="w1200">
    <div class="logo"><a href="{up}"><img src="{up}images/logo.png" alt="江西省政协" /></a></div>
    <div class="search">
      <form action="/was5/web/search" method="get" target="_blank" name="searchform">
        <input type="hidden" name="channelid" value="239211" />
        <input type="text" name="searchword" class="sinput" placeholder="请输入关键字" />
        <input type="submit" class="sbtn" value="搜索" />
      </form>
    </div>
  </div>
</div>
<!--导航-->
<div class="nav">
  <ul class="w1200 clearfix">
{nav}
  </ul>
</div>
"""

TRS_FOOT = """<!--底部 开始-->
<div class="footer">
  <div class="w1200">
    <div class="foot_link"><a href="{up}gywm/">关于我们</a> | <a href="{up}wzdt/">网站地图</a> | <a href="{up}lxwm/">联系我们</a> | <a href="{up}sybz/">使用帮助</a></div>
    <div class="foot_l"><span id="_ideConac"><a href="http://bszs.conac.cn/sitename?method=show&amp;id=0A1B2C3D4E5F6A7B" target="_blank"><img src="{up}images/red.png" alt="党政机关" /></a></span></div>
    <div class="foot_c">
      <p>主办单位：政协江西省委员会办公厅&nbsp;&nbsp;&nbsp;&nbsp;承办单位：江西省政协信息中心</p>
      <p>地址：江西省南昌市红谷滩区卧龙路999号&nbsp;&nbsp;邮编：330038&nbsp;&nbsp;联系电话：0791-88912345</p>
      <p>网站标识码：3600000012&nbsp;&nbsp;<a href="https://beian.miit.gov.cn/" target="_blank">赣ICP备05004321号-1</a>&nbsp;&nbsp;<img src="{up}images/ga.png" alt="" /><a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=36010802000123" target="_blank">赣公网安备 36010802000123号</a></p>
    </div>
    <div class="foot_r"><script id="_jiucuo_" sitecode="3600000012" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script></div>
  </div>
</div>
<script type="text/javascript">
$(function(){{ $(".nav li").hover(function(){{ $(this).addClass("on"); }}, function(){{ $(this).removeClass("on"); }}); }});
</script>
</body>
</html>
"""


def trs_nav(up: str, current: str) -> str:
    out = []
    for text, href in TRS_NAV:
        cls = ' class="on"' if text == current else ""
        href = up + href[2:] if href.startswith("./") else href
        out.append(f'    <li{cls}><a href="{href or up}">{text}</a></li>')
    return "\n".join(out)


def trs_article_html(art: Article) -> str:
    up = "../"
    page_title, metas, heading = title_bits(art, "江西省政协", "江西省政协")
    metas = metas + ('<meta name="ColumnName" content="工作动态">\n'
                     '<meta name="ColumnType" content="工作动态">\n'
                     f'<meta name="Url" content="{esc(urlsplit(art.url).path.split("/", 2)[2])}">\n')
    paras = "\n".join(f'<p style="text-indent: 2em;">{p}</p>' for p in body_paragraphs(art.url))
    if heading:
        head_html = f'<div class="xl_tit"><h1>{esc(heading)}</h1></div>'
    elif art.mode == "meta":
        # visible title rendered client side from the meta tag (TRS "xl_title" widget)
        head_html = ('<div class="xl_tit"><script type="text/javascript">'
                     'document.write(document.getElementsByName("ArticleTitle")[0].content);</script></div>')
    else:
        head_html = '<div class="xl_tit"></div>'
    return (TRS_HEAD.format(title=esc(page_title), metas=metas, column="工作动态", up=up)
            + TRS_TOP.format(up=up, nav=trs_nav(up, "工作动态"))
            + f"""<div class="w1200 main">
  <div class="dqwz">当前位置：<a href="{up}">首页</a> &gt; <a href="{up}list.html">工作动态</a> &gt; 正文</div>
  <div class="xl_con">
    {head_html}
    <div class="xl_info">发布时间：{art.date} {art.time}&nbsp;&nbsp;&nbsp;&nbsp;来源：{esc(art.source)}&nbsp;&nbsp;&nbsp;&nbsp;字号：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>]</div>
    <div class="TRS_Editor"><div class="Custom_UnionStyle">
{paras}
    </div></div>
    <div class="xl_bot"><a href="javascript:window.print();">【打印本页】</a> <a href="javascript:window.close();">【关闭窗口】</a></div>
  </div>
</div>
""" + TRS_FOOT.format(up=up))


def build_trs_ul() -> Site:
    site = Site("trs-ul", "utf-8", "text/html; charset=utf-8", etag=True)
    page = "/trs-ul/list.html"
    n_cut = 24
    seq = 4512300
    lis = []
    for date, fl, title in rows(TRS_ITEMS):
        f = flags(fl)
        title = title.replace("\\u00a0", "\u00a0")
        seq += stable_int(title, 3, 97)
        href = f"./{date[:4]}{date[5:7]}/t{date.replace('-', '')}_{seq}.html"
        url = resolve(page, href)
        mode = next((m for m in ("meta", "h1", "title") if m in f), "full")
        art = Article(url, title, date, mode=mode, sep="_", source="江西省政协办公厅", column="工作动态")
        display = cut(title, n_cut)
        text = shown(display)
        if "pin-text" in f:
            text = "[置顶]" + text
        if "pin-span" in f:
            text = '<span class="zd">置顶</span>' + text
        if "new-img" in f:
            text += '<img src="/images/new.gif" border="0" />'
        attr = ""
        if "attr" in f:
            tval = esc(title.replace("<br>", "")).replace("\u00a0", "&nbsp;")
            if "ent" in f:
                tval = tval.replace("“", "&ldquo;").replace("”", "&rdquo;")
            attr = f' title="{tval}"'
        after = ' <font color="red">NEW</font>' if "new-font" in f else ""
        lis.append(f'        <li><a href="{href}" target="_blank"{attr}>{text}</a>{after}<span>{date}</span></li>')
        add_listed(site, page, art, display, "attr" in f)
        site.write(site.file_for(url), trs_article_html(art))

    up = "./"
    for text, href in TRS_NAV[1:4]:
        site.noise(page, href)
    side = [("工作动态", "./gzdt/"), ("市县政协", "./sxzx/"), ("专委会动态", "./zwhdt/"),
            ("机关党建", "./jgdj/"), ("图片新闻", "./tpxw/"), ("视频新闻", "./spxw/")]
    side_html = "\n".join(f'          <li><a href="{h}">{t}</a></li>' for t, h in side)
    zt = [("学习贯彻习近平新时代中国特色社会主义思想主题教育", "./ztzl/ztjy/", "zt1.jpg"),
          ("有事好商量", "./ztzl/ysshsl/", "zt2.jpg"),
          ("省政协十二届二次会议", "./ztzl/2024lh/", "zt3.jpg")]
    zt_html = "\n".join(f'        <a href="{h}" target="_blank"><img src="./images/{img}" alt="{t}" /></a>'
                        for t, h, img in zt)
    site.noise(page, "./ztzl/2024lh/")
    site.noise(page, "list_1.html")
    site.noise(page, "https://beian.miit.gov.cn/")
    body = f"""<div class="w1200 main clearfix">
  <div class="left">
    <div class="lm_tit">工作动态</div>
    <div class="lm_nav">
      <ul>
{side_html}
      </ul>
    </div>
    <div class="zt_box">
      <div class="zt_tit">专题专栏</div>
      <div class="zt_con">
{zt_html}
      </div>
    </div>
  </div>
  <div class="right">
    <div class="dqwz">当前位置：<a href="./">首页</a> &gt; <a href="./list.html">工作动态</a></div>
    <div class="list_con">
      <!--<TRS_DOCUMENTS num="25" orderby="-docorderpri,-docreltime">-->
      <ul class="list_ul">
{chr(10).join(lis)}
      </ul>
      <!--</TRS_DOCUMENTS>-->
      <div class="page" id="page_div">
        <a href="./list.html">首页</a> <a href="javascript:void(0)">上一页</a> <span class="cur">1</span> <a href="./list_1.html">2</a> <a href="./list_2.html">3</a> <a href="./list_3.html">4</a> <a href="./list_1.html">下一页</a> <a href="./list_9.html">尾页</a>
      </div>
      <script type="text/javascript">
        var currentPage = 0;//所在页从0开始
        var countPage = 10//共多少页
        function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){{
          if(_nPageCount == null || _nPageCount<=1){{ return; }}
          var nCurrIndex = _nCurrIndex || 0;
          var html = "共" + _nPageCount + "页 ";
          if(nCurrIndex == 0) html += "<span>首页</span> <span>上一页</span> ";
          else html += "<a href='" + _sPageName + "." + _sPageExt + "'>首页</a> ";
          html += "<a href='" + _sPageName + "_" + (nCurrIndex+1) + "." + _sPageExt + "'>下一页</a> ";
          html += "<a href='" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt + "'>尾页</a>";
          document.getElementById("page_div").innerHTML = html;
        }}
        createPageHTML(countPage, currentPage, "list", "html");
      </script>
    </div>
  </div>
</div>
"""
    metas = ('<meta name="ColumnName" content="工作动态">\n<meta name="ColumnType" content="工作动态">\n'
             '<meta name="ColumnDescription" content="省政协及各专门委员会、全省各级政协工作动态">\n')
    text = (TRS_HEAD.format(title="工作动态_江西省政协", metas=metas, column="工作动态", up=up)
            + TRS_TOP.format(up=up, nav=trs_nav(up, "工作动态")) + body + TRS_FOOT.format(up=up))
    site.write("list.html", text)
    return site


# =============================================================================
# Site 2: gbk-table — 邢台市政协, old ASP table layout, declares gb2312, GBK bytes
# =============================================================================

GBK_MAIN = """
# date | shown date | id | flags | title
# flags: attr = title="..."; uattr = title=... unquoted; open = row left without </TD></TR>;
#        rel = href="show.asp?id=" (page-relative) instead of "/gbk-table/show.asp?id="
2024-03-01 | [03-01] | 1874 | - | 市政协召开十五届十六次主席会议
2024-02-29 | [02-29] | 1873 | open | 王镕副主席带队调研县域特色产业集群
2024-02-28 | [02-28] | 1871 | attr | 市政协党组理论学习中心组举行2024年第二次集体学习暨专题研讨
2024-02-26 | [02-26] | 1870 | rel | 市政协机关召开2024年度工作部署会
2024-02-23 | [02-23] | 1868 | uattr | 市政协委员李堃：让“小切口”提案解决群众“急难愁盼”
2024-02-20 | [02-20] | 1865 | open,rel | 张喆委员工作室开展“委员进社区”活动
2024-02-21 | [02-21] | 1866 | - | 市政协提案委员会召开重点提案督办协商会
2024-02-07 | [02-07] | 1861 | - | 市政协领导走访慰问困难群众和老干部
2024-02-02 | [02-02] | 1858 | attr | 市政协召开“优化营商环境 助力民营经济高质量发展”专题协商会
2024-01-30 | [01-30] | 1855 | - | 十五届三次会议提案审查委员会召开会议
2024-01-24 | [01-24] | 1852 | rel | 市政协十五届三次会议胜利闭幕
2024-01-21 | [01-21] | 1850 | open | 市政协十五届三次会议隆重开幕
2024-01-15 | [01-15] | 1846 | - | 市政协召开十五届十三次常委会议
2024-01-08 | [01-08] | 1842 | uattr | 刘珺委员：关于加快推进城市更新行动的建议被列为重点提案
2023-12-28 | [12-28] | 1838 | - | 市政协召开2023年度委员履职工作总结会
2023-12-22 | [12-22] | 1835 | attr | 市政协社会和法制委员会开展“八五”普法规划实施情况民主监督
2023-12-06 | [12-06] | 1827 | rel | 市政协机关开展“国家宪法日”主题学习活动
2023-12-15 | [12-15] | 1831 | - | 市政协举办文史资料《邢襄记忆》首发式
2023-11-29 | [11-29] | 1824 | open | 市政协调研南和区宠物食品产业发展
2023-11-20 | [11-20] | 1820 | - | 陈昇等委员视察全市农村人居环境整治工作
2023-11-10 | [11-10] | 1816 | attr | 市政协召开“推进太行山区生态保护和乡村振兴”月度协商座谈会
2023-03-04 | [03-04] | 1702 | - | 组织委员收看全国政协十四届一次会议开幕会
"""

GBK_NOTICES = """
# date | shown date | path | title   (all notices are static pages; <TITLE>FULL-邢台市政协</TITLE>)
2024-02-27 | 2024.02.27 | /gbk-table/html/tzgg/20240227/567.html | 关于召开市政协十五届十七次主席会议的通知
2024-02-19 | 2024.02.19 | /gbk-table/html/tzgg/20240219/566.html | 关于征集2024年度市政协协商议题的公告
2024-02-05 | 2024.02.05 | /gbk-table/html/tzgg/20240205/563.html | 春节期间值班安排
2024-01-31 | 2024.01.31 | /gbk-table/html/tzgg/20240131/560.html | 市政协十五届三次会议提案立案情况公示
2024-01-10 | 2024.01.10 | /gbk-table/html/tzgg/20240110/556.html | 关于召开政协邢台市第十五届委员会第三次会议的决定
2023-12-29 | 2023.12.29 | /gbk-table/html/tzgg/20231229/552.html | 2024年元旦放假安排
2023-12-20 | 2023.12.20 | /gbk-table/html/tzgg/20231220/549.html | 关于开展2023年度优秀提案和先进提案承办单位评选工作的通知
2023-11-30 | 2023.11.30 | /gbk-table/html/tzgg/20231130/545.html | 市政协机关2023年公开遴选公务员拟遴选人员公示
"""

GBK_MENU = [("本站首页", "index.asp"), ("政协概况", "list.asp?classid=1"), ("领导简介", "list.asp?classid=2"),
            ("机构设置", "list.asp?classid=3"), ("政协要闻", "list.asp?classid=4"), ("工作动态", "list.html"),
            ("提案工作", "list.asp?classid=6"), ("社情民意", "list.asp?classid=7"), ("委员风采", "list.asp?classid=8"),
            ("文史资料", "list.asp?classid=9"), ("理论研究", "list.asp?classid=10"), ("县区政协", "list.asp?classid=11")]

GBK_HEAD = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<HTML>
<HEAD>
<TITLE>{title}</TITLE>
<META http-equiv=Content-Type content="text/html; charset=gb2312">
<META NAME="Keywords" CONTENT="邢台政协,邢台市政协,政协邢台市委员会,提案,社情民意">
<META NAME="Description" CONTENT="政协邢台市委员会">
<LINK href="/gbk-table/css/style.css" type=text/css rel=stylesheet>
<SCRIPT language=javascript src="/gbk-table/js/menu.js"></SCRIPT>
<STYLE type=text/css>
.date {{ FONT-SIZE: 12px; COLOR: #999999; FONT-FAMILY: 宋体 }}
.title14 {{ FONT-WEIGHT: bold; FONT-SIZE: 14px; COLOR: #b20000 }}
A:link {{ COLOR: #333333; TEXT-DECORATION: none }}
A:visited {{ COLOR: #333333; TEXT-DECORATION: none }}
A:hover {{ COLOR: #cc0000; TEXT-DECORATION: underline }}
TD {{ FONT-SIZE: 12px; LINE-HEIGHT: 22px }}
</STYLE>
</HEAD>
<BODY leftMargin=0 topMargin=0 marginheight=0 marginwidth=0 bgcolor=#ffffff>
<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>
  <TR>
    <TD><OBJECT classid=clsid:D27CDB6E-AE6D-11cf-96B8-444553540000 codebase=http://download.macromedia.com/pub/shockwave/cabs/flash/swflash.cab#version=6,0,29,0 width=980 height=150>
      <PARAM NAME=movie VALUE="/gbk-table/images/top.swf"><PARAM NAME=quality VALUE=high><PARAM NAME=wmode VALUE=transparent>
      <EMBED src="/gbk-table/images/top.swf" quality=high pluginspage=http://www.macromedia.com/go/getflashplayer type=application/x-shockwave-flash width=980 height=150></EMBED></OBJECT></TD>
  </TR>
  <TR>
    <TD background=/gbk-table/images/navbg.gif height=32 align=center>
{nav}
    </TD>
  </TR>
</TABLE>
"""

GBK_FOOT = """<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0 bgcolor=#EEEEEE>
  <TR><TD height=6 background=/gbk-table/images/line.gif></TD></TR>
  <TR>
    <TD align=center height=80>版权所有：政协邢台市委员会办公室&nbsp;&nbsp;地址：邢台市襄都区守敬北路123号&nbsp;&nbsp;邮编：054001<BR>
    电话：0319-3212345&nbsp;&nbsp;传真：0319-3212346&nbsp;&nbsp;<A href="http://beian.miit.gov.cn" target=_blank>冀ICP备05012345号</A>&nbsp;&nbsp;技术支持：<A href="http://www.xtwl.com.cn" target=_blank>邢台网联科技</A><BR>
    您是本站第 <SCRIPT language=javascript src="/gbk-table/count.asp?id=1"></SCRIPT> 位访问者&nbsp;&nbsp;建议使用1024*768分辨率 IE6.0以上版本浏览</TD>
  </TR>
</TABLE>
</BODY>
</HTML>
"""


def gbk_nav() -> str:
    links = [f'<A class=nav href="/gbk-table/{h}">{t}</A>' for t, h in GBK_MENU[:10]]
    return "      " + " | ".join(links)


def gbk_article_html(title: str, date: str, hits: int, page_title: str, body_key: str) -> str:
    paras = "".join(f"<P>　　{p}</P>\n" for p in body_paragraphs(body_key))
    return GBK_HEAD.format(title=esc(page_title), nav=gbk_nav()) + f"""<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>
  <TR>
    <TD height=30>&nbsp;您现在的位置：<A href="/gbk-table/index.asp">邢台政协网</A> &gt;&gt; <A href="/gbk-table/list.html">工作动态</A> &gt;&gt; 正文</TD>
  </TR>
  <TR>
    <TD align=center class=title14 height=50>{esc(title) if title else "&nbsp;"}</TD>
  </TR>
  <TR>
    <TD align=center class=date>发布时间：{date}&nbsp;&nbsp;&nbsp;&nbsp;点击数：{hits}&nbsp;&nbsp;&nbsp;&nbsp;【<A href="javascript:window.close()">关闭窗口</A>】</TD>
  </TR>
  <TR>
    <TD style="PADDING-RIGHT: 20px; PADDING-LEFT: 20px; FONT-SIZE: 14px; LINE-HEIGHT: 28px">
{paras}    </TD>
  </TR>
</TABLE>
""" + GBK_FOOT


def build_gbk_table() -> Site:
    site = Site("gbk-table", "gbk", "text/html", etag=False, newline="\r\n")
    site.overrides["show.asp"] = {"content_type": "text/html"}
    page = "/gbk-table/list.html"
    n_cut = 20
    trs = []
    for date, shown_date, num, fl, title in rows(GBK_MAIN):
        f = flags(fl)
        href = f"show.asp?id={num}" if "rel" in f else f"/gbk-table/show.asp?id={num}"
        url = resolve(page, href)
        art = Article(url, title, date, mode="full")
        display = cut(title, n_cut, "..")
        # every show.asp?id=N is served by the single file show.asp: a truncated
        # title here must therefore carry a title attribute
        assert display == title or f & {"attr", "uattr"}, title
        attr = ""
        if "attr" in f:
            attr = f' title="{esc(title)}"'
        elif "uattr" in f:
            assert " " not in title
            attr = f" title={esc(title)}"
        cells = (f"      <TD width=20 align=center><IMG src=/gbk-table/images/dot.gif width=5 height=5></TD>\r\n"
                 f"      <TD><A href={href} target=_blank{attr}>{shown(display)}</A></TD>\r\n"
                 f"      <TD class=date width=60 align=right>{shown_date}")
        if "open" in f:
            trs.append("    <TR>\r\n" + cells + "\r\n")
        else:
            trs.append("    <TR>\r\n" + cells + "</TD>\r\n    </TR>\r\n")
        trs.append("    <TR><TD colspan=3 background=/gbk-table/images/dotline.gif height=1></TD></TR>\r\n")
        site.articles.setdefault(url, art)
        site.item(page, title, url, date, **({"repair": "attr"} if display != title else {}))

    notices = []
    for date, shown_date, path, title in rows(GBK_NOTICES):
        art = Article(path, title, date, mode="title", sep="-")
        display = cut(title, 16, "…")
        add_listed(site, page, art, display, False)
        notices.append(f"""        <TR>
          <TD width=12><IMG src=/gbk-table/images/arrow.gif></TD>
          <TD><A href="{path}" target=_blank>{shown(display)}</A></TD>
        </TR>
        <TR>
          <TD></TD><TD align=right><FONT color=#999999>{shown_date}</FONT></TD>
        </TR>""")
        # static notice page: the full title lives only in <TITLE>
        hits = stable_int(path, 80, 900)
        text = gbk_article_html("", date, hits, f"{title}-邢台市政协", path)
        site.write(site.file_for(path), text)

    menu = "\r\n".join(f'        <TR><TD height=28 background=/gbk-table/images/menubg.gif>&nbsp;&nbsp;<A href="/gbk-table/{h}">{t}</A></TD></TR>'
                       for t, h in GBK_MENU)
    for _t, h in GBK_MENU[1:4]:
        site.noise(page, f"/gbk-table/{h}")
    site.noise(page, "list.html?page=2")
    site.noise(page, "/gbk-table/index.asp")
    pics = [("市政协机关干部参观廉政教育基地", "/gbk-table/pic.asp?id=311", "p311.jpg"),
            ("委员视察大运河邢台段文化遗产保护", "/gbk-table/pic.asp?id=309", "p309.jpg")]
    pics_html = "".join(f'<A href="{h}" target=_blank><IMG src="/gbk-table/uploadfile/{img}" width=180 height=120 border=0 alt="{t}"></A><BR>{t}<BR>'
                        for t, h, img in pics)
    site.noise(page, pics[0][1])
    body = f"""<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>
  <TR>
    <TD vAlign=top width=200 bgcolor=#F5F5F5>
      <TABLE cellSpacing=0 cellPadding=0 width="100%" border=0>
        <TR><TD height=34 background=/gbk-table/images/menutit.gif align=center><B>栏目导航</B></TD></TR>
{menu}
      </TABLE>
      <TABLE cellSpacing=0 cellPadding=4 width="100%" border=0>
        <TR><TD height=30 background=/gbk-table/images/menutit.gif align=center><B>图片新闻</B></TD></TR>
        <TR><TD align=center>{pics_html}</TD></TR>
      </TABLE>
    </TD>
    <TD width=10></TD>
    <TD vAlign=top width=530>
      <TABLE cellSpacing=0 cellPadding=0 width="100%" border=0>
        <TR><TD height=32 background=/gbk-table/images/tit_bg.gif>&nbsp;&nbsp;<SPAN class=title14>工作动态</SPAN></TD>
        <TD align=right background=/gbk-table/images/tit_bg.gif>您现在的位置：<A href="/gbk-table/index.asp">首页</A> &gt;&gt; 工作动态&nbsp;</TD></TR>
      </TABLE>
      <TABLE cellSpacing=0 cellPadding=0 width="98%" align=center border=0>
{"".join(trs)}      </TABLE>
      <TABLE cellSpacing=0 cellPadding=0 width="98%" align=center border=0>
        <TR><TD height=40 align=center>共 <B>236</B> 条记录&nbsp;&nbsp;页次：<B><FONT color=red>1</FONT>/11</B>&nbsp;&nbsp;每页：22 条&nbsp;&nbsp;
        [首页] [上一页] <A href="list.html?page=2">[下一页]</A> <A href="list.html?page=11">[尾页]</A>
        转到：<SELECT name=page onchange="javascript:location='list.html?page='+this.options[this.selectedIndex].value;"><OPTION value=1 selected>第1页</OPTION><OPTION value=2>第2页</OPTION><OPTION value=3>第3页</OPTION></SELECT></TD></TR>
      </TABLE>
    </TD>
    <TD width=10></TD>
    <TD vAlign=top width=230>
      <TABLE cellSpacing=0 cellPadding=0 width="100%" border=0 style="BORDER: #D8D8D8 1px solid">
        <TR><TD colspan=2 height=32 background=/gbk-table/images/tit_bg2.gif>&nbsp;&nbsp;<SPAN class=title14>通知公告</SPAN></TD></TR>
{chr(10).join(notices)}
        <TR><TD colspan=2 align=right><A href="/gbk-table/list.asp?classid=12">更多&gt;&gt;</A>&nbsp;</TD></TR>
      </TABLE>
      <TABLE cellSpacing=0 cellPadding=0 width="100%" border=0>
        <TR><TD height=10></TD></TR>
        <TR><TD><A href="/gbk-table/tafw.asp" target=_blank><IMG src="/gbk-table/images/tafw.gif" width=230 height=60 border=0 alt="网上提案服务"></A></TD></TR>
        <TR><TD><A href="/gbk-table/sqmy.asp" target=_blank><IMG src="/gbk-table/images/sqmy.gif" width=230 height=60 border=0 alt="社情民意直通车"></A></TD></TR>
      </TABLE>
    </TD>
  </TR>
</TABLE>
"""
    site.noise(page, "/gbk-table/list.asp?classid=12")
    site.write("list.html", GBK_HEAD.format(title="邢台政协网--工作动态", nav=gbk_nav()) + body + GBK_FOOT)
    # show.asp: one ASP script serves every ?id=N; the static copy shows #1874
    site.write("show.asp", gbk_article_html("市政协召开十五届十六次主席会议", "2024-3-1 9:12:45", 312,
                                            "邢台政协网--市政协召开十五届十六次主席会议", "show1874"))
    return site


# =============================================================================
# Site 3: sidebar — 政协资讯网, a CPPCC news aggregator's ARTICLE page whose
# dated sidebars (最新加入, 热门资讯) are the lists.  UTF-8.
# =============================================================================

SIDEBAR_PAGE = "/sidebar/a/2402/1187.html"

SIDEBAR_LATEST = """
# shown date | url | how the href is written | where the article carries its full title | full title
24-02-28 | /sidebar/a/2402/1203.html | root | meta | 以基层之治为“中国之治”夯基垒台——湖州市政协推进基层协商民主建设纪实
24-02-28 | /sidebar/a/2402/1201.html | root | h1 | 把工作做到群众心坎上——记全国政协委员、淄博市张店区马尚街道党工委书记王静
24-02-27 | /sidebar/a/2402/1198.html | rel | title: -  | 凝聚政协力量 爱心汇聚暖冬——青岛市政协开展“送温暖”慰问活动
24-02-27 | /sidebar/a/2402/1196.html | root | meta | 民建宁夏区委会举办2024年新春座谈会
24-02-26 | /sidebar/a/2402/1195.html | rel | title:| | 履职担当践初心 一枝一叶总关情——自治区政协委员走访慰问困难群众侧记
24-02-26 | /sidebar/a/2402/1190.html | root | h1 | 自治区政协党组理论学习中心组举行2024年第一次集体学习
24-02-23 | /sidebar/a/2402/1182.html | root | meta | 李秀英主任率队赴佛山市开展粤港澳大湾区建设专题调研
24-02-22 | /sidebar/a/2402/1176.html | rel | title: -  | 南宁市政协党组理论学习中心组举行专题学习会
24-01-30 | /sidebar/a/2401/1102.html | rel | h1 | 聚焦“有事好商量” 东营市政协打造协商议事新平台
"""

SIDEBAR_HOT = """
20-05-14 | /sidebar/a/2005/312.html | root | h1 | 无名烈士墓修缮整治一新
20-04-23 | /sidebar/a/2004/287.html | root | title:| | 为新时代政协提案工作凝心聚力——全国政协提案工作座谈会综述
20-11-16 | /sidebar/a/2011/655.html | root | title: -  | 陕西省政协文史馆展品及史料征集公告
21-01-07 | /sidebar/a/2101/731.html | root | meta | 政协委员谈基层治理：让“小网格”发挥“大作用”
20-05-14 | /sidebar/a/2005/318.html | root | h1 | 全国政协委员热议民法典：为人民美好生活保驾护航
21-04-27 | /sidebar/a/2104/902.html | root | title:—— | 湖南省郴州市政协开展“委员进社区”履职活动
23-06-15 | /sidebar/a/2306/1011.html | root | title:_ | 辽阳县政协召开十届三次会议提案办理协商会
24-02-28 | /sidebar/a/2402/1201.html | root | h1 | 把工作做到群众心坎上——记全国政协委员、淄博市张店区马尚街道党工委书记王静
23-11-20 | /sidebar/a/2311/1058.html | rel | meta | 怎样当好新时代政协委员？这五个方面要做到
"""

# The real reprint (corpus/real/reprint_page_text_2024.txt), laid out as the aggregator does.
SIDEBAR_MAIN_TITLE = "唱好“牡丹之歌” 书写“履职答卷” 菏泽市牡丹区政协聚焦中心大局践行使命担当"
SIDEBAR_MAIN_BODY = [
    "岁序易,华章新。菏泽市牡丹区政协坚持发扬民主和增进团结相互贯通、建言资政和凝聚共识双向发力,聚焦中心大局,认真履行职能,群策群力共谱经济发展新篇章。",
    "<strong>在筑牢思想政治引领上强根基</strong>",
    "旗帜鲜明讲政治是人民政协的根本要求。牡丹区政协坚定不移加强党的全面领导。严格执行请示报告制度,更加自觉地把党的全面领导落实到政协工作各方面、全过程,坚决做到全区中心工作推进到哪里、政协履职就跟进到哪里。持之以恒强化思想理论武装。认真落实“第一议题”制度,及时跟进、深入学习贯彻习近平总书记系列重要讲话精神与关于加强和改进新时期人民政协工作重要思想,从中汲取信仰的感召、进取的力量、履职的担当。",
    "不折不扣抓实党的建设引领。牡丹区政协探索建立专门委员会功能型党组织,完善“三联结对”制度,实现党的组织对党员委员全覆盖和党员委员联系党外委员全覆盖。扎扎实实推进主题教育。2023年围绕全区大事要事、民生实事难事,开展专题调研9项,提出意见建议53条,为群众办实事解难题110余个。",
    "<strong>在践行政协使命担当上多协商</strong>",
    "聚焦牡丹区高质量发展要求,紧盯群众关心的热点难点问题,牡丹区政协深入协商、广泛议政,建言献策、聚智聚力,以“高言值”展现政协作为。集中力量做精“大协商”。围绕花卉产业专题协商形成的《建议案》,经区委常委会会议通过,出台了《牡丹区花卉产业提质增效三年行动计划(2023—2025年)(征求意见稿)》。协商案例被省政协评为2023年度全省县(市、区)政协“有事多商量”协商活动20大优秀典型案例之一。统筹兼顾做好“全协商”。协商活动各承担委室、各界别活动组深入“一线”直面最基层的相关利益方,形成调研报告24篇,提出意见建议142条。贴近群众做优“微协商”。开展小范围、及时性的“花城商量·月度微协商”活动72次,解决企业融资、公共停车等方面问题21个,与区融媒体中心联合开设的《有事多商量·花城商量》专题栏目单期最高浏览量达到10万次。",
    "<strong>在履职尽责务实高效上找点子</strong>",
    "牡丹区政协坚持把改革创新贯穿于政协履职全过程,不断丰富创新履职载体,完善履职方式,增强履职实效。",
    "提案办理抓常抓长。创新政协提案办理方式,积极推进“带案协商”,2023年合并立案135件提案均已按时办理完毕,答复率、走访率均达100%,委员满意率达到98%。协商监督破题破局。围绕“加大安置房采购和建设力度,完成交付10000套”开展专项民主监督,提出了“推动遗留问题化解、加强建设资金筹集、狠抓工程质量监管”意见建议。社情民意做实做细。全年共向省市政协和区委区政府报送反映社情民意信息491篇,《坚定民营企业发展信心的意见建议》被区委主要负责同志批示,同时被菏泽市政协评为2023年度反映社情民意信息工作表现突出单位。界别工作走深走实。积极申报创建了“牡丹之都·界别同心汇”,是省、市政协首批打造和集中授牌的“界别同心汇”之一。新闻宣传同心同向。全年在省级以上媒体刊发稿件48篇,其中国家级媒体刊发稿件9篇,切实做到了面向社会讲好新时代政协故事、委员故事,形成正面宣传的强大声势。",
    "<strong>在广泛凝聚共识上下功夫</strong>",
    "牡丹区政协注重拓展团结面,画大同心圆,广泛汇聚奋发进取的强大正能量。",
    "建强队伍激活力。完善委员履职工作规则,制定委员履职清单,健全委员履职统计、评价、激励等机制,激发委员参政议政热情。扩大参与增共识。联合党派团体开展调研、协商、监督等活动10余次,组织住牡丹区市政协委员开展视察调研活动4次,住牡丹区委员活动综合组被菏泽市政协评为2023年度政协履职工作表现突出委员活动组。联谊交流聚共识。坚持内增合力、外树形象,积极参加全市政协文史资料、党的建设工作座谈会,黄河流域鲁豫毗邻县区政协主席联席会议等,作交流发言。为民服务凝共识。探索政协委员联系服务界别群众制度机制,扎实开展“五个一”实践活动,把为民履职与解决人民群众难题结合起来,聚力办好民生实事,解决群众“急难愁盼”。",
    "团结凝聚发展合力,奋斗谱写盛世华章。牡丹区政协在区委的坚强领导下,保持勇毅笃行的坚定,凝聚万众一心的伟力,在更高层次、更宽领域发挥政协职能,同心同德、群策群力,团结拼搏、开拓进取,拓展政协“朋友圈”,画大履职“同心圆”。",
]
SIDEBAR_ORIGIN = "http://www.sdzx.gov.cn/articles/ch03167/202402/3960b616-44fc-4239-b54c-7636032728ad.shtml"

SIDEBAR_CSS = """<style type="text/css">
*{margin:0;padding:0}body{font:14px/1.8 "Microsoft YaHei",Arial;color:#333;background:#f4f4f4}
ul,li{list-style:none}a{color:#333;text-decoration:none}a:hover{color:#c00}
.wrap{width:1160px;margin:0 auto}.head{background:#b4000a;height:90px}.head .logo{float:left;padding-top:18px}
.menu{background:#fff;border-bottom:2px solid #b4000a;height:46px}.menu li{float:left}.menu li a{display:block;padding:0 22px;line-height:46px;font-size:16px}
.crumb{padding:12px 0;color:#888}.main{float:left;width:800px;background:#fff;padding:30px 40px;box-sizing:border-box}
.main h1{font-size:26px;line-height:40px;text-align:center;color:#222}.main .info{text-align:center;color:#999;border-bottom:1px dashed #ddd;padding:10px 0;margin-bottom:20px}
.main .content p{text-indent:2em;margin-bottom:14px;font-size:16px;line-height:30px}.ywlj{color:#666;word-break:break-all}
.mzsm{background:#f8f8f8;color:#999;font-size:12px;padding:10px;margin:20px 0}.prenext p{line-height:30px}
.side{float:right;width:340px}.sbox{background:#fff;margin-bottom:16px;padding:14px 18px}.sbox h3{font-size:18px;border-left:4px solid #b4000a;padding-left:10px;margin-bottom:8px}
.sbox li{height:34px;line-height:34px;border-bottom:1px dotted #e5e5e5;overflow:hidden}.sbox li a{float:left;width:250px;overflow:hidden;white-space:nowrap}.sbox li span{float:right;color:#aaa;font-size:12px}
.tags a{display:inline-block;background:#f2f2f2;padding:0 10px;margin:0 6px 8px 0;font-size:12px}
.foot{clear:both;background:#333;color:#aaa;text-align:center;padding:24px 0;font-size:12px;margin-top:20px}.foot a{color:#aaa}
</style>"""

SIDEBAR_MENU = [("首页", "/sidebar/"), ("要闻", "/sidebar/yw/"), ("全国政协", "/sidebar/qgzx/"),
                ("地方政协", "/sidebar/dfzx/"), ("委员风采", "/sidebar/wyfc/"), ("提案之窗", "/sidebar/tazc/"),
                ("理论研究", "/sidebar/llyj/"), ("统战聚焦", "/sidebar/tzjj/"), ("视频", "/sidebar/video/")]

SIDEBAR_SOURCES = ["人民政协网", "人民政协报", "山东政协", "宁夏政协", "广西政协", "湖南政协", "中国政协网"]

SIDEBAR_TAGS = ["有事好商量", "提案办理", "委员履职", "专题协商", "社情民意", "民主监督", "界别活动", "文史资料"]


def _sidebar_rows(table: str) -> list[dict]:
    out = []
    for shown_date, url, style, how, title in rows(table):
        mode, sep = (how.split(":", 1)[0], how.split(":", 1)[1]) if ":" in how else (how, "")
        sep = sep.strip()
        sep = {"-": " - "}.get(sep, sep)
        date = ("20" + shown_date) if len(shown_date) == 8 else shown_date
        out.append({"shown": shown_date, "date": date, "url": url, "style": style,
                    "mode": mode, "sep": sep, "title": title})
    return out


def _rel_href(from_page: str, url: str) -> str:
    from_dir = from_page.rsplit("/", 1)[0].split("/")
    to = url.split("/")
    i = 0
    while i < min(len(from_dir), len(to) - 1) and from_dir[i] == to[i]:
        i += 1
    return "../" * (len(from_dir) - i) + "/".join(to[i:])


def sidebar_boxes(page: str, site: Site | None) -> str:
    out = []
    for head, table in (("最新加入", SIDEBAR_LATEST), ("热门资讯", SIDEBAR_HOT)):
        lis = []
        for r in _sidebar_rows(table):
            href = r["url"] if r["style"] == "root" else _rel_href(page, r["url"])
            assert resolve(page, href) == r["url"]
            display = cut(r["title"], 11)
            lis.append(f'        <li><a href="{href}" target="_blank">{esc(display)}</a><span>{r["shown"]}</span></li>')
            if site is not None:
                art = Article(r["url"], r["title"], r["date"], mode=r["mode"], sep=r["sep"] or "_",
                              source=SIDEBAR_SOURCES[stable_int(r["url"], 0, len(SIDEBAR_SOURCES) - 1)])
                add_listed(site, page, art, display, False)
        out.append(f"""    <div class="sbox">
      <h3>{head}</h3>
      <ul>
{chr(10).join(lis)}
      </ul>
    </div>""")
    tags = " ".join(f'<a href="/sidebar/tag/{i + 1}.html">{t}</a>' for i, t in enumerate(SIDEBAR_TAGS))
    out.append(f"""    <div class="sbox">
      <h3>热门标签</h3>
      <div class="tags">{tags}</div>
    </div>""")
    return "\n".join(out)


def sidebar_page(page: str, *, page_title: str, metas: str, heading: str, info: str,
                 paragraphs: list[str], extra: str, prev_next: tuple[str, str] | None) -> str:
    menu = "".join(f'<li><a href="{h}">{t}</a></li>' for t, h in SIDEBAR_MENU)
    paras = "\n".join(f"        <p>{p}</p>" for p in paragraphs)
    h1 = f"      <h1>{esc(heading)}</h1>\n" if heading else ""
    pn = ""
    if prev_next:
        pn = f"""      <div class="prenext">
        <p>上一篇：<a href="{prev_next[0]}">以“委员之力”助推乡村全面振兴</a></p>
        <p>下一篇：<a href="{prev_next[1]}">政协委员走进社区倾听民声</a></p>
      </div>
"""
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="renderer" content="webkit">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<title>{esc(page_title)}</title>
{metas}<meta name="keywords" content="政协,政协资讯,地方政协,委员履职,协商议政">
<meta name="description" content="政协资讯网汇集全国各级政协工作动态、委员履职风采和协商议政成果。">
<link rel="shortcut icon" href="/sidebar/favicon.ico">
{SIDEBAR_CSS}
<script src="/sidebar/static/js/jquery.min.js"></script>
</head>
<body>
<div class="head"><div class="wrap"><div class="logo"><a href="/sidebar/"><img src="/sidebar/static/img/logo.png" alt="政协资讯网" height="54"></a></div></div></div>
<div class="menu"><div class="wrap"><ul>{menu}</ul></div></div>
<div class="wrap">
  <div class="crumb">当前位置：<a href="/sidebar/">首页</a> &gt; <a href="/sidebar/dfzx/">地方政协</a> &gt; 正文</div>
  <div class="main">
{h1}      <div class="info">{info}</div>
      <div class="content">
{paras}
      </div>
{extra}{pn}  </div>
  <div class="side">
{sidebar_boxes(page, None)}
  </div>
</div>
<div class="foot">
  <p><a href="/sidebar/about.html">关于我们</a> | <a href="/sidebar/contact.html">联系我们</a> | <a href="/sidebar/copyright.html">版权声明</a></p>
  <p>政协资讯网 版权所有 本站信息均来源于公开网络，转载请注明出处</p>
  <p><a href="https://beian.miit.gov.cn/" target="_blank">京ICP备2020012345号-2</a></p>
</div>
<script>
var _hmt = _hmt || [];
(function() {{ var hm = document.createElement("script"); hm.src = "https://hm.baidu.com/hm.js?0a1b2c3d4e5f"; var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); }})();
</script>
</body>
</html>
"""


def build_sidebar() -> Site:
    site = Site("sidebar", "utf-8", "text/html; charset=utf-8", etag=True)
    page = SIDEBAR_PAGE
    # Register the sidebar items (truth) once, from the list page's own markup.
    sidebar_boxes(page, site)

    disclaimer = ('      <p class="ywlj">原文链接:<a href="' + SIDEBAR_ORIGIN + '" target="_blank">'
                  + SIDEBAR_ORIGIN + "</a></p>\n"
                  '      <div class="mzsm">[免责声明] 本文来源于网络转载,仅供学习交流使用,不构成商业目的。'
                  "版权归原作者所有,如涉及作品内容、版权和其它问题,请在30日内与本网联系,我们将在第一时间处理。</div>\n")
    body = list(SIDEBAR_MAIN_BODY)
    body.insert(1, '（来源：<a href="http://www.sdzx.gov.cn/" target="_blank">山东政协</a>）')
    metas = ('<meta name="ArticleTitle" content="' + esc(SIDEBAR_MAIN_TITLE) + '">\n'
             '<meta name="PubDate" content="2024-02-26 09:12">\n<meta name="ContentSource" content="山东政协">\n')
    text = sidebar_page(page, page_title=SIDEBAR_MAIN_TITLE + " - 政协资讯网", metas=metas,
                        heading=SIDEBAR_MAIN_TITLE,
                        info="来源：山东政协&nbsp;&nbsp;&nbsp;发布时间：2024-02-26 09:12&nbsp;&nbsp;&nbsp;浏览：<span id=\"hits\">1327</span>",
                        paragraphs=body, extra=disclaimer,
                        prev_next=("/sidebar/a/2402/1186.html", "/sidebar/a/2402/1188.html"))
    site.write(site.file_for(page), text)
    site.noise(page, SIDEBAR_ORIGIN)
    site.noise(page, "http://www.sdzx.gov.cn/")
    site.noise(page, "/sidebar/a/2402/1186.html")
    site.noise(page, "/sidebar/a/2402/1188.html")
    site.noise(page, "/sidebar/tag/2.html")
    site.noise(page, "/sidebar/dfzx/")

    for art in site.articles.values():
        page_title, metas, heading = title_bits(art, "政协资讯网", "正文 - 政协资讯网")
        info = f"来源：{esc(art.source)}&nbsp;&nbsp;&nbsp;发布时间：{art.date} {art.time}"
        n = stable_int(art.url, 1100, 1300)
        text = sidebar_page(art.url, page_title=page_title, metas=metas, heading=heading, info=info,
                            paragraphs=body_paragraphs(art.url), extra="",
                            prev_next=(f"/sidebar/a/2402/{n - 1}.html", f"/sidebar/a/2402/{n + 1}.html"))
        site.write(site.file_for(art.url), text)
    return site
