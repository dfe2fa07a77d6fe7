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
        return absolute[len(ORIGIN) :]
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

# Shared article-page chrome (font size, print, share, hit counter): every CMS has some.
ARTICLE_TOOLS = """
<div class="art-tools">
  <span class="share">分享到：<a href="javascript:void(0)" onclick="shareTo('weixin')">微信</a> <a href="javascript:void(0)" onclick="shareTo('weibo')">微博</a> <a href="javascript:void(0)" onclick="shareTo('qzone')">QQ空间</a></span>
  <span class="tools"><a href="javascript:void(0)" onclick="doZoom(18)">大</a> <a href="javascript:void(0)" onclick="doZoom(16)">中</a> <a href="javascript:void(0)" onclick="doZoom(14)">小</a> <a href="javascript:window.print()">打印</a> <a href="javascript:window.close()">关闭</a></span>
</div>
<script type="text/javascript">
function doZoom(size) {
  var box = document.getElementById("zoom") || document.body;
  box.style.fontSize = size + "px";
  var ps = box.getElementsByTagName("p");
  for (var i = 0; i < ps.length; i++) { ps[i].style.fontSize = size + "px"; ps[i].style.lineHeight = (size * 1.9) + "px"; }
}
function shareTo(target) {
  var url = encodeURIComponent(location.href), title = encodeURIComponent(document.title);
  if (target == "weibo") { window.open("https://service.weibo.com/share/share.php?url=" + url + "&title=" + title); }
  else if (target == "qzone") { window.open("https://sns.qzone.qq.com/cgi-bin/qzshare/cgi_qzshare_onekey?url=" + url + "&title=" + title); }
  else { alert("请使用微信“扫一扫”分享本页"); }
}
(function () {
  var img = new Image();
  img.src = "/stat/count?u=" + encodeURIComponent(location.pathname) + "&r=" + encodeURIComponent(document.referrer) + "&t=" + new Date().getTime();
})();
</script>
"""

PARTIES = ["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"]


def body_paragraphs(key: str, count: int | None = None) -> list[str]:
    rng = random.Random(key)
    n = count or rng.randint(6, 10)
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
    hhmm: str = ""  # known time of day; otherwise a deterministic one is made up

    @property
    def time(self) -> str:
        return self.hhmm or clock(self.url)


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
    # Items of a column page's side boxes: taken only when a source asks (lists = "all").
    side_items: dict[str, list[dict]] = field(default_factory=dict)
    noise_hrefs: list[tuple[str, str]] = field(default_factory=list)  # (page, raw href)
    repairs: list[dict] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=dict)

    # ---- files ---------------------------------------------------------
    def write(
        self,
        rel: str,
        text: str,
        *,
        encoding: str | None = None,
        newline: str | None = None,
        bom: bool = False,
    ) -> None:
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
        return path[len(prefix) :]

    # ---- truth ---------------------------------------------------------
    def item(self, page: str, title: str, url: str, date: str, side: bool = False, **extra) -> None:
        items = (self.side_items if side else self.pages).setdefault(page, [])
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
        self.repairs.append({"page": page, "shown": display, "title": art.title, "url": art.url, "how": how})

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
            json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        truth = {
            "site": self.name,
            "now": NOW,
            "encoding": self.encoding,
            "pages": self.pages,
            "not_items": self.not_items,
        }
        if self.side_items:
            truth["side_items"] = self.side_items
        TRUTH_DIR.mkdir(parents=True, exist_ok=True)
        (TRUTH_DIR / f"{self.name}.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def add_listed(
    site: Site, page: str, art: Article, display: str, has_attr: bool, date: str | None = None,
    side: bool = False, **extra
) -> None:
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
    site.item(page, art.title, art.url, date or art.date, side=side, **extra)


def title_bits(art: Article, site_name: str, generic: str) -> tuple[str, str, str]:
    """(text for <title>, extra <meta> lines, heading text or '') for a mode.

    full : everything (ArticleTitle meta, h1, '<title>TITLE<sep>SITE')
    meta : only <meta name=ArticleTitle> (+PubDate, ContentSource); <title> generic
    h1   : only <h1>; <title> generic
    title: only <title>TITLE<sep>SITE; no meta, no h1"""
    title = art.title.replace("<br>", "")
    metas = ""
    if art.mode in ("full", "meta"):
        metas = (
            f'<meta name="ArticleTitle" content="{esc(title)}">\n'
            f'<meta name="PubDate" content="{art.date} {art.time}">\n'
            f'<meta name="ContentSource" content="{esc(art.source or site_name)}">\n'
        )
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
2024-01-23 | attr | 政协第十二届江西省委员会第二次会议　在南昌开幕
2024-01-18 | attr | 省政协召开十二届十二次常委会议\u00a0\u00a0审议有关文件
2024-01-12 | attr | 省政协召开全省市县政协主席座谈会
2024-01-10 | - | 省政协机关党组理论学习中心组<br>举行专题学习
2024-01-05 | attr | 省政协经济委员会召开委员工作室建设推进会
2023-12-28 | meta | 省政协社会和法制委员会赴吉安市开展“法治化营商环境建设”民主监督调研
2023-12-20 | title | 省政协召开“深入推进鄱阳湖流域综合治理”月度协商座谈会
2023-12-15 | attr,ent | 省政协文化文史和学习委员会开展“赣鄱文化传承发展”专题调研
"""

TRS_NAV = [
    ("首页", "./"),
    ("政协要闻", "./zxyw/"),
    ("工作动态", "./gzdt/"),
    ("协商议政", "./xsyz/"),
    ("提案工作", "./tagz/"),
    ("民主监督", "./mzjd/"),
    ("社情民意", "./sqmy/"),
    ("委员之窗", "./wyzc/"),
    ("理论研究", "./llyj/"),
    ("文史天地", "./wstd/"),
    ("机关建设", "./jgjs/"),
]

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
    metas = metas + (
        '<meta name="ColumnName" content="工作动态">\n'
        '<meta name="ColumnType" content="工作动态">\n'
        f'<meta name="Url" content="{esc(urlsplit(art.url).path.split("/", 2)[2])}">\n'
    )
    paras = "\n".join(f'<p style="text-indent: 2em;">{p}</p>' for p in body_paragraphs(art.url))
    if heading:
        head_html = f'<div class="xl_tit"><h1>{esc(heading)}</h1></div>'
    elif art.mode == "meta":
        # visible title rendered client side from the meta tag (TRS "xl_title" widget)
        head_html = (
            '<div class="xl_tit"><script type="text/javascript">'
            'document.write(document.getElementsByName("ArticleTitle")[0].content);</script></div>'
        )
    else:
        head_html = '<div class="xl_tit"></div>'
    return (
        TRS_HEAD.format(title=esc(page_title), metas=metas, column="工作动态", up=up)
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
{ARTICLE_TOOLS}"""
        + TRS_FOOT.format(up=up)
    )


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
        lis.append(
            f'        <li><a href="{href}" target="_blank"{attr}>{text}</a>{after}<span>{date}</span></li>'
        )
        add_listed(site, page, art, display, "attr" in f)
        site.write(site.file_for(url), trs_article_html(art))

    up = "./"
    for text, href in TRS_NAV[1:4]:
        site.noise(page, href)
    side = [
        ("工作动态", "./gzdt/"),
        ("市县政协", "./sxzx/"),
        ("专委会动态", "./zwhdt/"),
        ("机关党建", "./jgdj/"),
        ("图片新闻", "./tpxw/"),
        ("视频新闻", "./spxw/"),
    ]
    side_html = "\n".join(f'          <li><a href="{h}">{t}</a></li>' for t, h in side)
    zt = [
        ("学习贯彻习近平新时代中国特色社会主义思想主题教育", "./ztzl/ztjy/", "zt1.jpg"),
        ("有事好商量", "./ztzl/ysshsl/", "zt2.jpg"),
        ("省政协十二届二次会议", "./ztzl/2024lh/", "zt3.jpg"),
    ]
    zt_html = "\n".join(
        f'        <a href="{h}" target="_blank"><img src="./images/{img}" alt="{t}" /></a>'
        for t, h, img in zt
    )
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
    metas = (
        '<meta name="ColumnName" content="工作动态">\n<meta name="ColumnType" content="工作动态">\n'
        '<meta name="ColumnDescription" content="省政协及各专门委员会、全省各级政协工作动态">\n'
    )
    text = (
        TRS_HEAD.format(title="工作动态_江西省政协", metas=metas, column="工作动态", up=up)
        + TRS_TOP.format(up=up, nav=trs_nav(up, "工作动态"))
        + body
        + TRS_FOOT.format(up=up)
    )
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

GBK_MENU = [
    ("本站首页", "index.asp"),
    ("政协概况", "list.asp?classid=1"),
    ("领导简介", "list.asp?classid=2"),
    ("机构设置", "list.asp?classid=3"),
    ("政协要闻", "list.asp?classid=4"),
    ("工作动态", "list.html"),
    ("提案工作", "list.asp?classid=6"),
    ("社情民意", "list.asp?classid=7"),
    ("委员风采", "list.asp?classid=8"),
    ("文史资料", "list.asp?classid=9"),
    ("理论研究", "list.asp?classid=10"),
    ("县区政协", "list.asp?classid=11"),
]

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
    return (
        GBK_HEAD.format(title=esc(page_title), nav=gbk_nav())
        + f"""<TABLE cellSpacing=0 cellPadding=0 width=980 align=center border=0>
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
{ARTICLE_TOOLS}"""
        + GBK_FOOT
    )


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
        cells = (
            f"      <TD width=20 align=center><IMG src=/gbk-table/images/dot.gif width=5 height=5></TD>\r\n"
            f"      <TD><A href={href} target=_blank{attr}>{shown(display)}</A></TD>\r\n"
            f"      <TD class=date width=60 align=right>{shown_date}"
        )
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
        # A side box of a column page (with a pager): not the column's items.
        add_listed(site, page, art, display, False, side=True)
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

    menu = "\r\n".join(
        f'        <TR><TD height=28 background=/gbk-table/images/menubg.gif>&nbsp;&nbsp;<A href="/gbk-table/{h}">{t}</A></TD></TR>'
        for t, h in GBK_MENU
    )
    for _t, h in GBK_MENU[1:4]:
        site.noise(page, f"/gbk-table/{h}")
    site.noise(page, "list.html?page=2")
    site.noise(page, "/gbk-table/index.asp")
    pics = [
        ("市政协机关干部参观廉政教育基地", "/gbk-table/pic.asp?id=311", "p311.jpg"),
        ("委员视察大运河邢台段文化遗产保护", "/gbk-table/pic.asp?id=309", "p309.jpg"),
    ]
    pics_html = "".join(
        f'<A href="{h}" target=_blank><IMG src="/gbk-table/uploadfile/{img}" width=180 height=120 border=0 alt="{t}"></A><BR>{t}<BR>'
        for t, h, img in pics
    )
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
    site.write(
        "show.asp",
        gbk_article_html(
            "市政协召开十五届十六次主席会议",
            "2024-3-1 9:12:45",
            312,
            "邢台政协网--市政协召开十五届十六次主席会议",
            "show1874",
        ),
    )
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

SIDEBAR_MENU = [
    ("首页", "/sidebar/"),
    ("要闻", "/sidebar/yw/"),
    ("全国政协", "/sidebar/qgzx/"),
    ("地方政协", "/sidebar/dfzx/"),
    ("委员风采", "/sidebar/wyfc/"),
    ("提案之窗", "/sidebar/tazc/"),
    ("理论研究", "/sidebar/llyj/"),
    ("统战聚焦", "/sidebar/tzjj/"),
    ("视频", "/sidebar/video/"),
]

SIDEBAR_SOURCES = ["人民政协网", "人民政协报", "山东政协", "宁夏政协", "广西政协", "湖南政协", "中国政协网"]

SIDEBAR_TAGS = [
    "有事好商量",
    "提案办理",
    "委员履职",
    "专题协商",
    "社情民意",
    "民主监督",
    "界别活动",
    "文史资料",
]


def _sidebar_rows(table: str) -> list[dict]:
    out = []
    for shown_date, url, style, how, title in rows(table):
        mode, sep = (how.split(":", 1)[0], how.split(":", 1)[1]) if ":" in how else (how, "")
        sep = sep.strip()
        sep = {"-": " - "}.get(sep, sep)
        date = ("20" + shown_date) if len(shown_date) == 8 else shown_date
        out.append(
            {
                "shown": shown_date,
                "date": date,
                "url": url,
                "style": style,
                "mode": mode,
                "sep": sep,
                "title": title,
            }
        )
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
            lis.append(
                f'        <li><a href="{href}" target="_blank">{esc(display)}</a><span>{r["shown"]}</span></li>'
            )
            if site is not None:
                art = Article(
                    r["url"],
                    r["title"],
                    r["date"],
                    mode=r["mode"],
                    sep=r["sep"] or "_",
                    source=SIDEBAR_SOURCES[stable_int(r["url"], 0, len(SIDEBAR_SOURCES) - 1)],
                )
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


def sidebar_page(
    page: str,
    *,
    page_title: str,
    metas: str,
    heading: str,
    info: str,
    paragraphs: list[str],
    extra: str,
    prev_next: tuple[str, str] | None,
) -> str:
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
{extra}{pn}{ARTICLE_TOOLS}  </div>
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

    disclaimer = (
        '      <p class="ywlj">原文链接:<a href="'
        + SIDEBAR_ORIGIN
        + '" target="_blank">'
        + SIDEBAR_ORIGIN
        + "</a></p>\n"
        '      <div class="mzsm">[免责声明] 本文来源于网络转载,仅供学习交流使用,不构成商业目的。'
        "版权归原作者所有,如涉及作品内容、版权和其它问题,请在30日内与本网联系,我们将在第一时间处理。</div>\n"
    )
    body = list(SIDEBAR_MAIN_BODY)
    body.insert(1, '（来源：<a href="http://www.sdzx.gov.cn/" target="_blank">山东政协</a>）')
    metas = (
        '<meta name="ArticleTitle" content="' + esc(SIDEBAR_MAIN_TITLE) + '">\n'
        '<meta name="PubDate" content="2024-02-26 09:12">\n<meta name="ContentSource" content="山东政协">\n'
    )
    text = sidebar_page(
        page,
        page_title=SIDEBAR_MAIN_TITLE + " - 政协资讯网",
        metas=metas,
        heading=SIDEBAR_MAIN_TITLE,
        info='来源：山东政协&nbsp;&nbsp;&nbsp;发布时间：2024-02-26 09:12&nbsp;&nbsp;&nbsp;浏览：<span id="hits">1327</span>',
        paragraphs=body,
        extra=disclaimer,
        prev_next=("/sidebar/a/2402/1186.html", "/sidebar/a/2402/1188.html"),
    )
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
        n = stable_int(art.url, 1300, 1400)
        text = sidebar_page(
            art.url,
            page_title=page_title,
            metas=metas,
            heading=heading,
            info=info,
            paragraphs=body_paragraphs(art.url),
            extra="",
            prev_next=(f"/sidebar/a/2402/{n - 1}.html", f"/sidebar/a/2402/{n + 1}.html"),
        )
        site.write(site.file_for(art.url), text)
    return site


# =============================================================================
# Site 4: div-base — 成都市武侯区政协, <base href>, date-first div lists, UTF-8
# =============================================================================

DIVBASE_GZDT = """
# date | href (relative to <base href="/div-base/xwzx/">) | flags | title
# flags: js = href="javascript:void(0)" (NOT an item); onclick = onclick + real href (an item);
#        meta/title = where the article carries the full title if the list truncates it
2024-02-29 | ../gzdt/2024/0229/1466.html | - | 区政协召开十届十五次主席会议
2024-02-27 | ../gzdt/2024/0227/1462.html | - | 区政协党组传达学习省市两会精神
2024-02-26 | javascript:void(0) | js | 区政协机关2024年度绩效目标公示
2024-02-23 | ../gzdt/2024/0223/1457.html | onclick | 区政协开展“请你来协商”助推社区商业提档升级
2024-02-21 | https://www.cdcppcc.gov.cn/cdzx/c112233/2024-02/21/content_8f3a21c7.shtml | - | 成都市政协召开十五届二十次主席会议
2024-02-20 | ../gzdt/2024/0220/1450.html | title | 区政协委员视察武侯区“15分钟社区生活圈”建设和老旧小区改造工作
2024-02-06 | ../gzdt/2024/0206/1441.html | - | 区政协领导春节前夕走访慰问界别群众
2024-02-02 | ../gzdt/2024/0202/1436.html | - | 区政协召开“推进夜间经济高质量发展”专题协商会
2024-01-22 | ../gzdt/2024/0122/1425.html | - | 区政协十届三次会议开幕
2024-01-25 | ../gzdt/2024/0125/1429.html | - | 区政协十届三次会议圆满完成各项议程胜利闭幕
2024-01-16 | ../gzdt/2024/0116/1418.html | - | 区政协召开十届十二次常委会议
2024-01-09 | ../gzdt/2024/0109/1412.html | meta | 区政协社会法制和民族宗教委员会开展基层社会治理调研
2023-12-26 | ../gzdt/2023/1226/1401.html | - | 区政协召开2023年度民主评议会
"""

DIVBASE_TZGG = """
2024-02-28 | ./tzgg/202402/t20240228_96.html | 关于召开区政协十届十六次主席会议的通知
2024-02-22 | ./tzgg/202402/t20240222_95.html | 2024年度区政协重点协商议题征集公告
2024-02-05 | ./tzgg/202402/t20240205_93.html | 关于春节期间值班安排的通知
2024-01-18 | ./tzgg/202401/t20240118_90.html | 政协成都市武侯区第十届委员会第三次会议日程安排
2024-01-08 | ./tzgg/202401/t20240108_88.html | 关于报送2023年度委员履职情况的通知
2023-12-29 | ./tzgg/202312/t20231229_85.html | 区政协关于2023年度优秀提案的通报
2023-12-12 | ./tzgg/202312/t20231212_82.html | 区政协机关2024年部门预算公开
"""

DIVBASE_WYFC = """
2024-02-18 | /div-base/wyfc/2024/0218/301.html | 委员张晓燕：扎根社区十五年的“知心大姐”
2024-01-31 | /div-base/wyfc/2024/0131/298.html | 委员王志刚：让非遗蜀锦走进更多年轻人的生活
2024-01-12 | /div-base/wyfc/2024/0112/295.html | 委员刘洋：为“一老一小”奔走呼吁的基层医生
2023-12-19 | /div-base/wyfc/2023/1219/290.html | 委员陈静：用好委员工作室 架起连心桥
2023-11-28 | /div-base/wyfc/2023/1128/286.html | 委员赵磊：深耕数字经济 助力武侯产业建圈强链
"""

DIVBASE_NAV = [
    ("首页", "../index.html"),
    ("新闻中心", "./index.html"),
    ("履职动态", "../lzdt/index.html"),
    ("协商议政", "../xsyz/index.html"),
    ("提案工作", "../tagz/index.html"),
    ("委员风采", "../wyfc/index.html"),
    ("文史资料", "../wszl/index.html"),
    ("政协知识", "../zxzs/index.html"),
]

DIVBASE_CSS = """
    :root { --main: #c8161d; }
    body { margin: 0; font-family: "PingFang SC", "Microsoft YaHei", sans-serif; color: #333; background: #fff; }
    a { color: inherit; text-decoration: none; } a:hover { color: var(--main); }
    .container { width: 1200px; margin: 0 auto; }
    .site-header { background: linear-gradient(#c8161d, #a50f15); height: 120px; }
    .site-nav { background: #fff; box-shadow: 0 2px 6px rgba(0,0,0,.08); }
    .site-nav a { display: inline-block; padding: 0 26px; line-height: 52px; font-size: 17px; }
    .swiper-container { height: 360px; overflow: hidden; margin: 20px 0; }
    .col-box { float: left; width: 590px; margin-right: 20px; }
    .col-box .hd { border-bottom: 2px solid var(--main); height: 42px; }
    .col-box .hd h2 { float: left; margin: 0; font-size: 20px; line-height: 42px; color: var(--main); }
    .col-box .hd .more { float: right; line-height: 42px; font-size: 13px; color: #999; }
    .news-item { height: 40px; line-height: 40px; border-bottom: 1px dashed #e6e6e6; white-space: nowrap; overflow: hidden; }
    .news-item .time { display: inline-block; width: 120px; color: #999; font-size: 14px; }
    .tzgg-list li { line-height: 38px; list-style: none; } .tzgg-list em { float: right; font-style: normal; color: #aaa; }
    .wy-item i { font-style: normal; color: #aaa; margin-left: 6px; }
    .ldzc a { display: inline-block; width: 135px; height: 44px; line-height: 44px; text-align: center; background: #fdf1f1; margin: 6px; }
    .site-footer { clear: both; background: #2b2b2b; color: #aaa; padding: 30px 0; font-size: 13px; text-align: center; }
"""


def divbase_frame(title: str, metas: str, main: str) -> str:
    nav = "\n".join(f'      <a href="{h}">{t}</a>' for t, h in DIVBASE_NAV)
    return f"""<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <base href="/div-base/xwzx/">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
{metas}  <meta name="keywords" content="武侯政协,成都市武侯区政协,协商议政,委员风采">
  <meta name="description" content="中国人民政治协商会议成都市武侯区委员会">
  <link rel="stylesheet" href="../static/css/swiper.min.css">
  <link rel="stylesheet" href="../static/css/main.css?v=20231108">
  <style>{DIVBASE_CSS}  </style>
</head>
<body>
  <header class="site-header">
    <div class="container"><a class="logo" href="../index.html"><img src="../static/img/logo.png" alt="成都市武侯区政协"></a></div>
  </header>
  <nav class="site-nav">
    <div class="container">
{nav}
    </div>
  </nav>
  <main class="container">
{main}
  </main>
  <footer class="site-footer">
    <div class="container">
      <p>主办：中国人民政治协商会议成都市武侯区委员会办公室　　地址：成都市武侯区武侯祠大街266号</p>
      <p>网站标识码：5101070012　　<a href="https://beian.miit.gov.cn/" target="_blank">蜀ICP备12034567号-1</a>　　<a href="http://www.beian.gov.cn/portal/registerSystemInfo?recordcode=51010702001234" target="_blank">川公网安备 51010702001234号</a></p>
    </div>
  </footer>
  <script src="../static/js/jquery-3.6.0.min.js"></script>
  <script src="../static/js/swiper.min.js"></script>
  <script>new Swiper('.swiper-container', {{ autoplay: {{ delay: 4000 }}, loop: true, pagination: {{ el: '.swiper-pagination' }} }});</script>
</body>
</html>
"""


def divbase_article_html(art: Article) -> str:
    page_title, metas, heading = title_bits(art, "武侯政协", "武侯政协")
    metas = "".join("  " + m + "\n" for m in metas.splitlines())
    paras = "\n".join(f"        <p>{p}</p>" for p in body_paragraphs(art.url))
    h1 = f'      <h1 class="art-title">{esc(heading)}</h1>\n' if heading else ""
    main = f"""    <div class="breadcrumb">您的位置：<a href="../index.html">首页</a> &gt; <a href="./index.html">新闻中心</a> &gt; 正文</div>
    <article class="article">
{h1}      <div class="art-meta"><span>发布时间：{art.date} {art.time}</span><span>来源：{esc(art.source)}</span></div>
      <div class="art-body">
{paras}
      </div>
    </article>
{ARTICLE_TOOLS}"""
    return divbase_frame(esc(page_title), metas, main)


def build_div_base() -> Site:
    site = Site("div-base", "utf-8", "text/html; charset=utf-8", etag=False)
    page = "/div-base/list.html"
    base = "/div-base/xwzx/"

    def add(href: str, title: str, date: str, mode: str, display: str, column: str) -> None:
        url = resolve(page, href, base)
        if url.startswith("http"):  # another host: no article file, never truncated
            assert display == title
            site.item(page, title, url, date)
            return
        art = Article(url, title, date, mode=mode, sep="-", source="武侯区政协办公室", column=column)
        add_listed(site, page, art, display, False)
        site.write(site.file_for(url), divbase_article_html(art))

    gz = []
    for date, href, fl, title in rows(DIVBASE_GZDT):
        f = flags(fl)
        y, m, d = (int(x) for x in date.split("-"))
        display = cut(title, 24, "…")
        extra = ' onclick="return addHits(this)"' if "onclick" in f else ""
        if "js" in f:
            extra = " onclick=\"layer.msg('该信息已过期')\""
        gz.append(
            f'        <div class="news-item"><span class="time">{y}年{m}月{d}日</span>'
            f'<a href="{href}" target="_blank"{extra}>{esc(display)}</a></div>'
        )
        if "js" in f:
            site.noise(page, href)
            continue
        mode = next((x for x in ("meta", "title") if x in f), "full")
        add(href, title, date, mode, display, "工作动态")

    tz = []
    for date, href, title in rows(DIVBASE_TZGG):
        tz.append(
            f'        <li><a href="{href}" target="_blank" title="{esc(title)}">{esc(cut(title, 20, "…"))}</a>'
            f"<em>{date.replace('-', '/')}</em></li>"
        )
        url = resolve(page, href, base)
        art = Article(url, title, date, mode="full", sep="-", source="武侯区政协办公室", column="通知公告")
        add_listed(site, page, art, cut(title, 20, "…"), True)
        site.write(site.file_for(url), divbase_article_html(art))

    wy = []
    for date, href, title in rows(DIVBASE_WYFC):
        wy.append(
            f'        <p class="wy-item">· <a href="{href}" target="_blank">{esc(title)}</a><i>({date})</i></p>'
        )
        add(href, title, date, "full", title, "委员风采")

    banners = [
        ("../ztzl/2024lh/index.html", "banner1.jpg", "聚焦区政协十届三次会议"),
        ("../ztzl/ysshsl/index.html", "banner2.jpg", "有事好商量"),
        ("http://www.cppcc.gov.cn/", "banner3.jpg", "中国政协网"),
    ]
    slides = "\n".join(
        f'        <div class="swiper-slide"><a href="{h}" target="_blank"><img src="../static/upload/{img}" alt="{t}"></a></div>'
        for h, img, t in banners
    )
    leaders = [
        ("主席", "../ldzc/zx/index.html"),
        ("副主席", "../ldzc/fzx/index.html"),
        ("秘书长", "../ldzc/msz/index.html"),
        ("常委", "../ldzc/cw/index.html"),
    ]
    ldzc = "\n".join(f'        <a href="{h}">{t}</a>' for t, h in leaders)
    for h in ("../ztzl/2024lh/index.html", "../ldzc/zx/index.html", "../index.html", "./gzdt/index.html"):
        site.noise(page, h, base)
    main = f"""    <div class="breadcrumb">您的位置：<a href="../index.html">首页</a> &gt; <a href="./index.html">新闻中心</a></div>
    <div class="swiper-container">
      <div class="swiper-wrapper">
{slides}
      </div>
      <div class="swiper-pagination"></div>
    </div>
    <section class="col-box">
      <div class="hd"><h2>工作动态</h2><a class="more" href="./gzdt/index.html">更多 &gt;</a></div>
      <div class="bd">
{chr(10).join(gz)}
      </div>
    </section>
    <section class="col-box" style="margin-right:0">
      <div class="hd"><h2>通知公告</h2><a class="more" href="./tzgg/index.html">更多 &gt;</a></div>
      <ul class="tzgg-list">
{chr(10).join(tz)}
      </ul>
      <div class="hd"><h2>领导之窗</h2></div>
      <div class="ldzc">
{ldzc}
      </div>
    </section>
    <section class="col-box" style="margin-right:0">
      <div class="hd"><h2>专题专栏</h2></div>
      <ul class="zt-list">
        <li><a href="../ztzl/ztjy/index.html" target="_blank"><img src="../static/upload/zt-ztjy.jpg" alt="学习贯彻习近平新时代中国特色社会主义思想主题教育"></a></li>
        <li><a href="../ztzl/ysshsl/index.html" target="_blank"><img src="../static/upload/zt-ysshsl.jpg" alt="有事好商量"></a></li>
        <li><a href="../ztzl/wyzjt/index.html" target="_blank"><img src="../static/upload/zt-wyzjt.jpg" alt="委员之家"></a></li>
      </ul>
      <div class="hd"><h2>快速通道</h2></div>
      <div class="quick">
        <a href="https://www.cdcppcc.gov.cn/" target="_blank">成都政协</a>
        <a href="http://www.sczx.gov.cn/" target="_blank">四川政协</a>
        <a href="../wsta/index.html">网上提案</a>
        <a href="../sqmy/submit.html">社情民意直通车</a>
        <a href="../wyly/index.html">委员履职平台</a>
        <a href="../lxwm/index.html">联系我们</a>
      </div>
    </section>
    <section class="col-box">
      <div class="hd"><h2>委员风采</h2><a class="more" href="../wyfc/index.html">更多 &gt;</a></div>
      <div class="wyfc">
{chr(10).join(wy)}
      </div>
    </section>"""
    metas = '  <meta name="ColumnName" content="新闻中心">\n'
    site.write("list.html", divbase_frame("新闻中心-武侯政协", metas, main), bom=True)
    return site


# =============================================================================
# Site 5: flat-links — 安吉县政协, items not wrapped per item, broken markup,
# UTF-8 declared only by a <meta> that comes after 1 KB of <head>.
# =============================================================================

FLAT_DT = """
# date | href | flags | title     (box 1: <a>Title</a>&nbsp;<span>date</span><br>)
# flags: font = title wrapped in <font color>; title = full title only in the article's <title>
2024-02-29 | /flat-links/info/2024/0229/2311.html | - | 县政协召开十届二十一次主席会议
2024-02-27 | /flat-links/info/2024/0227/2305.html | font | 县政协开展“两山”理念转化成果专题视察
2024-02-26 | /flat-links/info/2024/0226/2302.html | - | 县政协党组理论学习中心组专题学习会召开
2024-02-21 | /flat-links/info/2024/0221/2296.html | - | 县政协召开“竹产业转型升级”专题协商会
@comment
2024-02-19 | /flat-links/info/2024/0219/2291.html | title | 县政协委员深入乡镇开展“助力共同富裕 委员在行动”主题履职活动
2024-02-07 | ./info/2024/0207/2280.html | - | 县政协领导走访慰问困难群众和老委员
@script
2024-01-31 | /flat-links/info/2024/0131/2272.html | font | 县政协十届三次会议提案交办会召开
2024-01-26 | /flat-links/info/2024/0126/2265.html | - | 政协安吉县第十届委员会第三次会议闭幕
2024-01-23 | /flat-links/info/2024/0123/2259.html | - | 政协安吉县第十届委员会第三次会议开幕
@p
2024-01-15 | info/2024/0115/2250.html | - | 县政协召开十届十次常委会议
2024-01-04 | /flat-links/info/2024/0104/2241.html | - | 县政协机关召开2023年度民主生活会
2023-12-20 | /flat-links/info/2023/1220/2230.html | - | 县政协“民生议事堂”聚焦农村养老服务
"""

FLAT_TA = """
# date | href | flags | title     (box 2: date&nbsp;<a>Title</a><br>, date FIRST)
2024-02-28 | /flat-links/tagz/2024/0228/611.html | - | 关于加快推进县域医共体建设的提案
2024-02-22 | /flat-links/tagz/2024/0222/608.html | - | 关于完善竹林碳汇交易机制的建议
2024-02-09 | /flat-links/tagz/2024/0209/603.html | - | 关于提升农村客运服务水平的提案
2024-02-01 | /flat-links/tagz/2024/0201/598.html | - | 关于加强中小学生心理健康教育的建议
2024-01-29 | /flat-links/tagz/2024/0129/595.html | - | 关于推动白茶产业品牌化发展的提案
2024-01-19 | /flat-links/tagz/2024/0119/590.html | h1 | 关于优化老旧小区加装电梯审批流程的建议
2024-01-11 | /flat-links/tagz/2024/0111/586.html | - | 关于打造“安吉游子”回归平台的提案
2023-12-27 | /flat-links/tagz/2023/1227/580.html | - | 关于规范民宿行业消防安全管理的建议
2023-12-14 | /flat-links/tagz/2023/1214/574.html | h1 | 关于加快推进城乡公交一体化改革试点工作的提案
2023-11-30 | /flat-links/tagz/2023/1130/569.html | - | 关于建设县级应急物资储备中心的建议
"""

FLAT_FRIENDS = [
    ("中国政协网", "http://www.cppcc.gov.cn/"),
    ("浙江政协", "http://www.zjzx.gov.cn/"),
    ("湖州政协", "http://www.hzzx.gov.cn/"),
    ("安吉县人民政府", "http://www.anji.gov.cn/"),
    ("德清县政协", "http://www.deqing.gov.cn/zx/"),
    ("长兴县政协", "http://www.zjcx.gov.cn/zx/"),
    ("吴兴区政协", "http://www.wuxing.gov.cn/zx/"),
    ("南浔区政协", "http://www.nanxun.gov.cn/zx/"),
]

FLAT_HEAD_STYLE = """<style type="text/css">
<!--
body { margin:0px; font-size:12px; color:#333333; background:#ffffff url(/flat-links/images/bg.jpg) repeat-x; }
td, div, p { font-size:12px; line-height:24px; }
a:link, a:visited { color:#333333; text-decoration:none; }
a:hover { color:#FF0000; text-decoration:underline; }
#top { width:1000px; height:160px; margin:0 auto; background:url(/flat-links/images/top.jpg) no-repeat; }
#menu { width:1000px; height:36px; margin:0 auto; background:#B5121B; text-align:center; }
#menu a { color:#FFFFFF; font-size:14px; font-weight:bold; line-height:36px; padding:0px 14px; }
#main { width:1000px; margin:8px auto 0 auto; overflow:hidden; }
.box { width:485px; float:left; border:1px solid #E0C8C8; margin:0 5px 10px 0; padding:6px 10px; min-height:330px; }
.box .title { height:30px; line-height:30px; border-bottom:2px solid #B5121B; font-size:14px; font-weight:bold; color:#B5121B; margin-bottom:6px; }
.box .title a.more { float:right; font-size:12px; font-weight:normal; color:#999999; }
.box span { color:#999999; font-family:Arial; }
.yqlj { width:980px; margin:0 auto; padding:8px 10px; border:1px solid #E0C8C8; clear:both; }
#foot { width:1000px; margin:10px auto; text-align:center; color:#666666; border-top:3px solid #B5121B; padding-top:10px; }
.wz_title { font-size:22px; font-weight:bold; color:#B5121B; text-align:center; line-height:40px; padding-top:20px; }
.wz_info { text-align:center; color:#999999; border-bottom:1px dashed #CCCCCC; padding-bottom:6px; }
.wz_content { font-size:14px; line-height:28px; padding:10px 30px; }
-->
</style>
"""


def flat_frame(title: str, metas: str, inner: str) -> str:
    menu = " ".join(
        f'<a href="{h}">{t}</a>'
        for t, h in [
            ("网站首页", "/flat-links/"),
            ("政协动态", "/flat-links/list.html"),
            ("提案工作", "/flat-links/tagz/"),
            ("委员风采", "/flat-links/wyfc/"),
            ("文史天地", "/flat-links/wstd/"),
            ("政协知识", "/flat-links/zxzs/"),
        ]
    )
    # NB: the charset <meta> deliberately comes after more than 1 KB of <head>.
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html>
<head>
<title>{title}</title>
{FLAT_HEAD_STYLE}<script language="javascript" type="text/javascript" src="/flat-links/js/common.js"></script>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{metas}<meta name="keywords" content="安吉政协,安吉县政协,政协安吉县委员会">
</head>
<body>
<div id="top"></div>
<div id="menu">{menu}</div>
<div id="main">
{inner}
<div id="foot">
版权所有：政协安吉县委员会办公室　地址：浙江省湖州市安吉县递铺街道昌硕东路1号<br>
<a href="https://beian.miit.gov.cn/" target="_blank">浙ICP备09012345号</a>　网站标识码：3305230003
</div>
</body>
</html>
"""


def flat_article_html(art: Article) -> str:
    page_title, metas, heading = title_bits(art, "安吉县政协", "安吉县政协")
    paras = "".join(f"<p>　　{p}</p>\n" for p in body_paragraphs(art.url))
    h1 = f'<h1 class="wz_title">{esc(heading)}</h1>\n' if heading else ""
    inner = f"""<div style="width:1000px">
<div style="padding:6px 10px">当前位置：<a href="/flat-links/">首页</a> &gt;&gt; <a href="/flat-links/list.html">{art.column}</a></div>
{h1}<div class="wz_info">日期：{art.date}　来源：{esc(art.source)}　【字体：<a href="javascript:fontZoom(16)">大</a> <a href="javascript:fontZoom(14)">中</a> <a href="javascript:fontZoom(12)">小</a>】</div>
<div class="wz_content">
{paras}</div>
{ARTICLE_TOOLS}
</div>"""
    return flat_frame(esc(page_title), metas, inner)


def build_flat_links() -> Site:
    site = Site("flat-links", "utf-8", "text/html", etag=False)
    page = "/flat-links/list.html"

    def register(href: str, title: str, date: str, mode: str, display: str, column: str) -> None:
        url = resolve(page, href)
        art = Article(url, title, date, mode=mode, sep="——", source="县政协办公室", column=column)
        add_listed(site, page, art, display, False)
        site.write(site.file_for(url), flat_article_html(art))

    box1 = []
    for r in rows(FLAT_DT):
        if r[0] == "@comment":
            box1.append(
                '<!-- 2024.2.20 下线 <a href="/flat-links/info/2023/0105/1999.html" target="_blank">县政协2022年工作总结</a>&nbsp;<span>2023-01-05</span><br> -->'
            )
            site.noise(page, "/flat-links/info/2023/0105/1999.html")
            continue
        if r[0] == "@script":
            box1.append(
                '<script type="text/javascript">\nif (window.showZt) { document.write(\'<a href="/flat-links/zt/2024lh.html" target="_blank"><font color="red">【专题】聚焦县政协十届三次会议</font></a>&nbsp;<span>2024-01-20</span><br>\'); }\n</script>'
            )
            site.noise(page, "/flat-links/zt/2024lh.html")
            continue
        if r[0] == "@p":
            box1.append("</p>")
            continue
        date, href, fl, title = r
        f = flags(fl)
        display = cut(title, 22, "...")
        text = esc(display)
        if "font" in f:
            text = f'<font color="#B5121B">{text}</font>'
        box1.append(f'<a href="{href}" target="_blank">{text}</a>&nbsp;<span>{date}</span><br>')
        register(href, title, date, "title" if "title" in f else "full", display, "政协动态")

    box2 = []
    for date, href, fl, title in rows(FLAT_TA):
        display = cut(title, 18, "..")
        box2.append(
            f'<font color="#999999">{date}</font>&nbsp;<a href="{href}" target="_blank">{esc(display)}</a><br>'
        )
        register(href, title, date, "h1" if "h1" in flags(fl) else "full", display, "提案选登")

    friends = " | ".join(f'<a href="{h}" target="_blank">{t}</a>' for t, h in FLAT_FRIENDS)
    site.noise(page, FLAT_FRIENDS[0][1])
    site.noise(page, "/flat-links/tagz/")
    site.noise(page, "/flat-links/more.asp?lm=1")
    pics = "".join(
        f'<td align="center"><a href="/flat-links/pic/{n}.html" target="_blank"><img src="/flat-links/upload/{n}.jpg" width="150" height="105" border="0"></a><br>{t}</td>'
        for n, t in [
            (88, "县政协视察美丽乡村建设"),
            (87, "委员走访竹产业企业"),
            (86, "十届三次会议开幕"),
            (85, "“民生议事堂”现场"),
        ]
    )
    leaders = " ".join(
        f'<a href="/flat-links/ld/{i}.html">{t}</a>'
        for i, t in enumerate(["主席", "副主席", "副主席", "副主席", "秘书长"], 1)
    )
    site.noise(page, "/flat-links/pic/88.html")
    site.noise(page, "/flat-links/ld/1.html")
    intro = PARAS[0] + PARAS[11] + PARAS[14]
    inner = f"""<script type="text/javascript">
// 飘窗
var xPos = 20, yPos = 200, step = 1, delay = 30, yon = 0, xon = 0, pause = true, interval;
function changePos() {{
  var width = document.body.clientWidth, height = document.body.clientHeight;
  var Hoffset = document.getElementById("piao").offsetHeight, Woffset = document.getElementById("piao").offsetWidth;
  document.getElementById("piao").style.left = xPos + document.body.scrollLeft + "px";
  document.getElementById("piao").style.top = yPos + document.body.scrollTop + "px";
  if (yon) {{ yPos = yPos + step; }} else {{ yPos = yPos - step; }}
  if (yPos < 0) {{ yon = 1; yPos = 0; }}
  if (yPos >= (height - Hoffset)) {{ yon = 0; yPos = (height - Hoffset); }}
  if (xon) {{ xPos = xPos + step; }} else {{ xPos = xPos - step; }}
  if (xPos < 0) {{ xon = 1; xPos = 0; }}
  if (xPos >= (width - Woffset)) {{ xon = 0; xPos = (width - Woffset); }}
}}
function start() {{ document.getElementById("piao").style.visibility = "visible"; interval = setInterval("changePos()", delay); }}
</script>
<div id="piao" style="position:absolute;z-index:99;visibility:hidden;"><a href="/flat-links/zt/ysshsl.html" target="_blank"><img src="/flat-links/upload/piao.gif" border="0" alt="有事好商量"></a><br><a href="javascript:void(0)" onclick="document.getElementById('piao').style.display='none'">关闭</a></div>
<script type="text/javascript">start();</script>
<table width="1000" border="0" cellspacing="0" cellpadding="0" style="margin-bottom:8px">
<tr><td width="300" valign="top" style="padding:8px;border:1px solid #E0C8C8"><b style="color:#B5121B">政协概况</b><br>　　{intro}<a href="/flat-links/zxgk.html">[详细]</a></td>
<td valign="top" style="padding:8px"><b style="color:#B5121B">图片新闻</b><table width="100%"><tr>{pics}</tr></table>
<div style="padding-top:6px"><b style="color:#B5121B">县政协领导：</b>{leaders}</div></td></tr>
</table>
<div class="box">
<div class="title"><a class="more" href="/flat-links/more.asp?lm=1">更多&gt;&gt;</a>政协动态</div>
{chr(10).join(box1)}
<div class="box">
<div class="title"><a class="more" href="/flat-links/more.asp?lm=2">更多&gt;&gt;</a>提案选登</div>
<p>
{chr(10).join(box2)}
</p></p>
</div>
<div class="yqlj"><b>友情链接：</b>{friends}</div>
<div class="yqlj"><form action="/flat-links/vote.asp" method="post" target="_blank"><b>网上调查：</b>您最关注的县政协年度协商议题是？
<input type="radio" name="v" value="1">竹产业转型升级 <input type="radio" name="v" value="2">农村养老服务 <input type="radio" name="v" value="3">城乡公交一体化 <input type="radio" name="v" value="4">民宿消防安全
<input type="submit" value="投票"> <a href="/flat-links/vote.asp?act=view" target="_blank">查看结果</a></form></div>
<div class="yqlj"><b>热门标签：</b><a href="/flat-links/search.asp?k=提案">提案</a> <a href="/flat-links/search.asp?k=协商">协商</a> <a href="/flat-links/search.asp?k=两山">两山</a> <a href="/flat-links/search.asp?k=委员">委员</a></div>
</div>"""
    site.write("list.html", flat_frame("安吉县政协-政协动态", "", inner))
    return site


# =============================================================================
# Site 6: rss-gb2312 — 绍兴市政协 feeds: RSS 2.0 in GBK declaring gb2312 with
# "2024-02-05 10:30:00" pubDates, and an Atom 1.0 feed (UTF-8, RFC 3339).
# =============================================================================

RSS_ITEMS = """
# pubDate as written | local time (+08:00) | id | guid? | title
2024-02-29 16:20:00 | 2024-02-29T16:20:00 | 101 | guid | 市政协召开十届十九次主席会议
2024-02-28 09:45:00 | 2024-02-28T09:45:00 | 100 | guid | 市政协副主席孙镕带队督办“推进古城保护利用”重点提案
2024-02-27 15:10:00 | 2024-02-27T15:10:00 | 98 | - | 委员风采｜王喆：守护黄酒非遗技艺的“匠心人”
2024-02-23 08:55:00 | 2024-02-23T08:55:00 | 95 | guid | 市政协召开“擦亮‘枫桥经验’金名片”专题协商会
2024-02-26 10:30:00 | 2024-02-26T10:30:00 | 97 | guid | 市政协开展“越商回归”专题调研
2024-02-21 14:00:00 | 2024-02-21T14:00:00 | 94 | - | 市政协机关召开2024年工作会议
2024-02-18 11:20:00 | 2024-02-18T11:20:00 | 92 | guid | 李珺委员：让更多老年人共享数字生活便利
Thu, 08 Feb 2024 09:00:00 +0800 | 2024-02-08T09:00:00 | 90 | guid | 市政协领导走访看望老同志和困难委员
2024-02-05 10:30:00 | 2024-02-05T10:30:00 | 88 | - | 市政协党组理论学习中心组举行专题学习
2024-01-29 16:45:00 | 2024-01-29T16:45:00 | 85 | guid | 市政协十届三次会议提案审查工作完成
2024-01-26 11:00:00 | 2024-01-26T11:00:00 | 83 | guid | 政协绍兴市第十届委员会第三次会议胜利闭幕
2024-1-23 9:05:00 | 2024-01-23T09:05:00 | 81 | - | 政协绍兴市第十届委员会第三次会议隆重开幕
2024-01-16 15:30:00 | 2024-01-16T15:30:00 | 78 | guid | 周昇等委员视察市区公共文化设施建设情况
2024-01-09 10:00:00 | 2024-01-09T10:00:00 | 75 | guid | 市政协召开十届十二次常委会议
2023-12-27 14:20:00 | 2023-12-27T14:20:00 | 71 | - | 张堃委员工作室举办“委员会客厅”协商活动
"""

ATOM_ITEMS = """
# published (as written; "-" = none, use updated) | updated | local time (+08:00) | id | title
2024-02-28T17:05:00+08:00 | 2024-02-29T08:00:00+08:00 | 2024-02-28T17:05:00 | 131 | 关于加快推进绍兴古城保护与有机更新的提案办理情况
2024-02-26T09:20:00+08:00 | 2024-02-26T09:20:00+08:00 | 2024-02-26T09:20:00 | 129 | 市政协召开2024年度重点提案督办工作部署会
2024-02-22T02:30:00Z | 2024-02-22T02:30:00Z | 2024-02-22T10:30:00 | 127 | 关于支持绍兴黄酒产业高质量发展的提案获市政府采纳
2024-02-04T18:30:00Z | 2024-02-04T18:30:00Z | 2024-02-05T02:30:00 | 124 | 市政协十届三次会议提案立案情况通报
2024-01-30T15:00:00+08:00 | 2024-01-30T15:00:00+08:00 | 2024-01-30T15:00:00 | 121 | 市政协召开提案审查委员会第二次会议
2024-01-25T10:00:00.000+08:00 | 2024-01-25T10:00:00.000+08:00 | 2024-01-25T10:00:00 | 118 | 市政协十届三次会议共收到提案562件
- | 2024-01-12T08:00:00+08:00 | 2024-01-12T08:00:00 | 115 | 关于征集市政协十届三次会议提案的通知
2023-12-28T16:40:00+08:00 | 2023-12-28T16:40:00+08:00 | 2023-12-28T16:40:00 | 110 | 市政协2023年度优秀提案评选结果揭晓
2023-12-14T11:15:00+08:00 | 2023-12-14T11:15:00+08:00 | 2023-12-14T11:15:00 | 106 | 市政协开展提案办理“回头看”视察活动
2023-11-23T09:30:00+08:00 | 2023-11-23T09:30:00+08:00 | 2023-11-23T09:30:00 | 101 | 市政协召开提案工作座谈会
"""


SX_CSS = """<style type="text/css">
body { margin: 0; font: 14px/1.8 "Microsoft YaHei", SimSun; color: #333; background: #f5f1ea; }
a { color: #333; text-decoration: none; } a:hover { color: #9b1c1f; }
.top { width: 1100px; height: 110px; margin: 0 auto; background: url(/rss-gb2312/images/top.jpg) no-repeat; }
.nav { width: 1100px; margin: 0 auto; height: 44px; background: #9b1c1f; }
.nav a { float: left; color: #fff; font-size: 16px; line-height: 44px; padding: 0 24px; }
.article { float: left; width: 780px; margin: 16px 0 0 calc(50% - 550px); background: #fff; padding: 24px 36px; box-sizing: border-box; }
.article h1 { font-size: 24px; text-align: center; color: #9b1c1f; line-height: 36px; }
.article .info { text-align: center; color: #999; border-bottom: 1px solid #eee; padding-bottom: 8px; }
.article .content p { font-size: 16px; line-height: 30px; margin: 12px 0; }
.art-tools { clear: both; width: 1100px; margin: 0 auto; text-align: right; color: #999; }
.side { float: right; width: 300px; margin: 16px calc(50% - 550px) 0 0; background: #fff; padding: 16px; box-sizing: border-box; }
.side h3 { font-size: 16px; border-left: 4px solid #9b1c1f; padding-left: 8px; }
.footer { clear: both; background: #9b1c1f; color: #f3d7d7; text-align: center; padding: 20px 0; font-size: 12px; }
.footer a { color: #f3d7d7; }
</style>"""


def sx_article_html(art: Article) -> str:
    page_title, metas, heading = title_bits(art, "绍兴市政协", "绍兴市政协")
    paras = "\n".join(f"<p>　　{p}</p>" for p in body_paragraphs(art.url))
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>{esc(page_title)}</title>
{metas}<meta name="keywords" content="绍兴政协,{esc(art.column)}" />
<link rel="alternate" type="application/rss+xml" title="绍兴市政协-工作动态" href="/rss-gb2312/feed.xml" />
<link rel="alternate" type="application/atom+xml" title="绍兴市政协-提案工作" href="/rss-gb2312/atom.xml" />
<link href="/rss-gb2312/css/article.css" rel="stylesheet" type="text/css" />
{SX_CSS}
</head>
<body>
<div class="top"><img src="/rss-gb2312/images/logo.gif" alt="绍兴市政协" /></div>
<div class="nav"><a href="/rss-gb2312/">首页</a><a href="/rss-gb2312/gzdt/">工作动态</a><a href="/rss-gb2312/tagz/">提案工作</a><a href="/rss-gb2312/wyfc/">委员风采</a><a href="/rss-gb2312/feed.xml">RSS订阅</a></div>
<div class="article">
  <h1>{esc(heading)}</h1>
  <div class="info">发布日期：{art.date} {art.time}　　来源：{esc(art.source)}　　栏目：{esc(art.column)}</div>
  <div class="content">
{paras}
  </div>
</div>
{ARTICLE_TOOLS}
<div class="side">
  <h3>绍兴政协微信公众号</h3>
  <img src="/rss-gb2312/images/qrcode.jpg" width="160" height="160" alt="绍兴政协" />
  <h3>快速链接</h3>
  <ul>
    <li><a href="/rss-gb2312/wsta/">网上提案</a></li>
    <li><a href="/rss-gb2312/sqmy/">社情民意</a></li>
    <li><a href="/rss-gb2312/wyzj/">委员之家</a></li>
    <li><a href="/rss-gb2312/wszl/">文史资料</a></li>
  </ul>
</div>
<div class="footer">政协绍兴市委员会办公室 主办　地址：绍兴市越城区洋江西路589号　邮编：312000<br />
<a href="https://beian.miit.gov.cn/">浙ICP备05001234号</a>　网站标识码：3306000021　<a href="/rss-gb2312/feed.xml">RSS</a></div>
</body>
</html>
"""


def build_rss() -> Site:
    site = Site("rss-gb2312", "gbk", "text/html; charset=gb2312", etag=True)
    site.overrides["feed.xml"] = {"content_type": "application/rss+xml"}
    site.overrides["atom.xml"] = {"content_type": "application/atom+xml"}

    page = "/rss-gb2312/feed.xml"
    items = []
    for written, local, num, guid, title in rows(RSS_ITEMS):
        url = f"/rss-gb2312/art/{num}.html"
        art = Article(url, title, local[:10], source="绍兴市政协办公室", column="工作动态", hhmm=local[11:16])
        site.article(art)
        site.item(page, title, url, local[:10], time=local + "+08:00")
        site.write(site.file_for(url), sx_article_html(art))
        desc = "".join(f"<p>{p}</p>" for p in body_paragraphs(url, 2))
        g = f'\n    <guid isPermaLink="false">sxzx-gzdt-{num}</guid>' if guid == "guid" else ""
        items.append(f"""  <item>
    <title>{esc(title)}</title>
    <link>{url}</link>
    <description><![CDATA[{desc}]]></description>
    <author>绍兴市政协办公室</author>
    <category>工作动态</category>
    <pubDate>{written}</pubDate>{g}
  </item>""")
    rss = f"""<?xml version="1.0" encoding="gb2312"?>
<rss version="2.0">
<channel>
  <title>绍兴市政协-工作动态</title>
  <link>/rss-gb2312/gzdt/</link>
  <description>政协绍兴市委员会门户网站 工作动态</description>
  <language>zh-cn</language>
  <copyright>Copyright 2024 政协绍兴市委员会办公室</copyright>
  <generator>SiteFactory RSS 3.2</generator>
  <lastBuildDate>2024-02-29 16:30:00</lastBuildDate>
  <ttl>60</ttl>
  <image>
    <url>/rss-gb2312/images/logo.gif</url>
    <title>绍兴市政协</title>
    <link>/rss-gb2312/</link>
  </image>
{chr(10).join(items)}
</channel>
</rss>
"""
    site.write("feed.xml", rss)
    site.noise(page, "/rss-gb2312/gzdt/")

    page = "/rss-gb2312/atom.xml"
    entries = []
    for published, updated, local, num, title in rows(ATOM_ITEMS):
        url = f"/rss-gb2312/tagz/{num}.html"
        art = Article(url, title, local[:10], source="市政协提案委员会", column="提案工作", hhmm=local[11:16])
        site.article(art)
        site.item(page, title, url, local[:10], time=local + "+08:00")
        site.write(site.file_for(url), sx_article_html(art))
        pub = f"\n    <published>{published}</published>" if published != "-" else ""
        summary = esc(body_paragraphs(url, 1)[0])
        content = esc("".join(f"<p>{p}</p>" for p in body_paragraphs(url, 3)))
        entries.append(f"""  <entry>
    <title>{esc(title)}</title>
    <link rel="alternate" type="text/html" href="tagz/{num}.html"/>
    <id>tag:www.sxzx.gov.cn,2023:tagz/{num}</id>{pub}
    <updated>{updated}</updated>
    <category term="提案工作"/>
    <summary type="html">&lt;p&gt;{summary}&lt;/p&gt;</summary>
    <content type="html">{content}</content>
  </entry>""")
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN" xml:base="/rss-gb2312/">
  <title>绍兴市政协 · 提案工作</title>
  <subtitle>政协绍兴市委员会提案委员会</subtitle>
  <id>tag:www.sxzx.gov.cn,2023:tagz</id>
  <updated>2024-02-29T08:00:00+08:00</updated>
  <link rel="self" type="application/atom+xml" href="atom.xml"/>
  <link rel="alternate" type="text/html" href="tagz/"/>
  <author><name>绍兴市政协提案委员会</name></author>
  <generator uri="https://www.sxzx.gov.cn/">sxzx-cms</generator>
{chr(10).join(entries)}
</feed>
"""
    site.write("atom.xml", atom, encoding="utf-8")
    site.noise(page, "tagz/", base="/rss-gb2312/")
    return site


# =============================================================================
# Site 7: portal — 泉州市政协 homepage, several dated lists at once, GBK bytes,
# HTTP and <meta> both say gb2312.
# =============================================================================

PORTAL_YW = """
# MM-DD | href | title    (要闻: <span class="fr">date</span> BEFORE the link; title attribute)
02-28 | html/yw/2024/0228/3521.html | 市政协召开十三届十九次主席会议 研究部署全年重点工作
02-27 | html/yw/2024/0227/3517.html | 市政协党组传达学习全国政协有关会议精神
02-23 | html/yw/2024/0223/3509.html | 市政协主席黄镕率队调研“晋江经验”传承发展工作
02-20 | /portal/html/yw/2024/0220/3501.html | 市政协召开“海丝名城”建设专题协商会
02-06 | html/yw/2024/0206/3490.html | 市政协领导春节前走访慰问台胞台属和归侨侨眷
01-22 | html/yw/2024/0122/3465.html | 政协泉州市第十三届委员会第三次会议开幕
01-25 | html/yw/2024/0125/3472.html | 政协泉州市第十三届委员会第三次会议闭幕
12-28 | html/yw/2023/1228/3440.html | 市政协召开2023年度机关工作总结会
12-19 | /portal/html/yw/2023/1219/3431.html | 市政协与台湾地区有关社团举行视频交流会
11-30 | html/yw/2023/1130/3420.html | 市政协召开“推进泉州民营经济高质量发展”月度协商会
"""

PORTAL_GZDT = """
2024-02-29 | html/gzdt/2024/0229/3526.html | 市政协提案委员会召开重点提案督办协商会
2024-02-26 | html/gzdt/2024/0226/3514.html | 市政协文史委赴德化开展陶瓷文化传承调研
2024-02-21 | html/gzdt/2024/0221/3505.html | 委员林昇：推动泉州南音进校园
2024-02-19 | html/gzdt/2024/0219/3499.html | 市政协机关开展“学雷锋”志愿服务进社区活动
2024-02-05 | html/gzdt/2024/0205/3485.html | 市政协经济委召开委员工作室建设推进会
2024-01-31 | html/gzdt/2024/0131/3479.html | 市政协召开全市县级政协主席联席会议
2024-01-17 | html/gzdt/2024/0117/3460.html | 市政协十三届三次会议提案审查委员会召开会议
2023-12-25 | html/gzdt/2023/1225/3436.html | 市政协社法委开展“平安泉州建设”民主监督
"""

PORTAL_SQMY = """
# date | href | where the article carries the full title | title   (no title attribute)
2024-02-27 | html/sqmy/2024/0227/3516.html | title | 关于加快推进泉州中心城区“口袋公园”建设的建议
2024-02-22 | html/sqmy/2024/0222/3507.html | full | 关于规范电动自行车充电设施建设的建议
2024-02-08 | html/sqmy/2024/0208/3493.html | meta | 关于加大闽南文化生态保护区非遗传承人扶持力度的建议
2024-01-30 | html/sqmy/2024/0130/3477.html | full | 关于提升农村寄递物流服务水平的建议
2024-01-11 | html/sqmy/2024/0111/3455.html | h1 | 委员陈珺：关于完善社区嵌入式托育服务的建议
2023-12-21 | html/sqmy/2023/1221/3433.html | full | 关于推动泉州港口物流降本增效的建议
"""

PORTAL_TZGG = """
2024-02-28 | html/tzgg/2024/0228/3520.html | 关于召开市政协十三届二十次主席会议的通知
2024-02-20 | html/tzgg/2024/0220/3502.html | 2024年度市政协协商工作计划
2024-02-02 | html/tzgg/2024/0202/3482.html | 关于2024年春节放假安排的通知
2024-01-15 | html/tzgg/2024/0115/3458.html | 市政协十三届三次会议大会发言人员名单公示
2024-01-03 | html/tzgg/2024/0103/3449.html | 关于报送2023年度委员履职档案的通知
2023-12-15 | html/tzgg/2023/1215/3428.html | 泉州市政协机关2023年度公开招聘编外人员公告
"""

PROVINCES = [
    ("北京市政协", "http://www.bjzx.gov.cn/"),
    ("天津市政协", "http://www.tjszx.gov.cn/"),
    ("河北省政协", "http://www.hebzx.gov.cn/"),
    ("山西省政协", "http://www.sxzx.gov.cn/"),
    ("内蒙古自治区政协", "http://www.nmgzx.gov.cn/"),
    ("辽宁省政协", "http://www.lnzx.gov.cn/"),
    ("吉林省政协", "http://www.jlzx.gov.cn/"),
    ("黑龙江省政协", "http://www.hljzx.gov.cn/"),
    ("上海市政协", "http://www.shszx.gov.cn/"),
    ("江苏省政协", "http://www.jszx.gov.cn/"),
    ("浙江省政协", "http://www.zjzx.gov.cn/"),
    ("安徽省政协", "http://www.ahzx.gov.cn/"),
    ("福建省政协", "http://www.fjzx.gov.cn/"),
    ("江西省政协", "http://www.jxzx.gov.cn/"),
    ("山东省政协", "http://www.sdzx.gov.cn/"),
    ("河南省政协", "http://www.hnzx.gov.cn/"),
    ("湖北省政协", "http://www.hbzx.gov.cn/"),
    ("湖南省政协", "http://www.hnszx.gov.cn/"),
    ("广东省政协", "http://www.gdszx.gov.cn/"),
    ("广西壮族自治区政协", "http://www.gxzx.gov.cn/"),
    ("海南省政协", "http://www.hainanzx.gov.cn/"),
    ("重庆市政协", "http://www.cqzx.gov.cn/"),
    ("四川省政协", "http://www.sczx.gov.cn/"),
    ("贵州省政协", "http://www.gzszx.gov.cn/"),
    ("云南省政协", "http://www.ynzx.gov.cn/"),
    ("西藏自治区政协", "http://www.xzzx.gov.cn/"),
    ("陕西省政协", "http://www.sxzx.org.cn/"),
    ("甘肃省政协", "http://www.gszx.gov.cn/"),
    ("青海省政协", "http://www.qhzx.gov.cn/"),
    ("宁夏回族自治区政协", "http://www.nxzx.gov.cn/"),
    ("新疆维吾尔自治区政协", "http://www.xjzx.gov.cn/"),
]

PORTAL_COUNTIES = [
    "鲤城区政协",
    "丰泽区政协",
    "洛江区政协",
    "泉港区政协",
    "石狮市政协",
    "晋江市政协",
    "南安市政协",
    "惠安县政协",
    "安溪县政协",
    "永春县政协",
    "德化县政协",
]

PORTAL_COLUMNS = {"yw": "政协要闻", "gzdt": "工作动态", "sqmy": "社情民意", "tzgg": "通知公告"}

PORTAL_HOTWORDS = [
    "有事好商量",
    "提案办理",
    "海丝名城",
    "晋江经验",
    "委员履职",
    "社情民意",
    "民营经济",
    "南音",
]

PORTAL_CSS = """<style type="text/css">
body,div,ul,li,p,h2,h3,dl,dt,dd,form{margin:0;padding:0}body{font:12px/1.6 "宋体",SimSun;color:#333;background:#f3f3f3}
ul,li{list-style:none}img{border:0}a{color:#333;text-decoration:none}a:hover{color:#c00;text-decoration:underline}
.fl{float:left}.fr{float:right}.clear{clear:both;height:0;overflow:hidden}.w1000{width:1000px;margin:0 auto;background:#fff}
.topbar{height:30px;line-height:30px;background:#f7f7f7;border-bottom:1px solid #e5e5e5}.header{height:130px;background:url(/portal/statics/images/head.jpg)}
.nav{height:40px;background:#a60000}.nav a{float:left;color:#fff;font:bold 14px/40px "微软雅黑";padding:0 16px}
.toutiao{padding:14px 20px;text-align:center;border-bottom:1px dashed #ddd}.toutiao h2{font:bold 24px/40px "微软雅黑"}.toutiao h2 a{color:#a60000}
.focus{width:380px;height:280px;overflow:hidden}.col{width:295px;padding:0 8px}.col h3,.box h3{height:32px;border-bottom:2px solid #a60000;font:bold 15px/32px "微软雅黑"}
.list-a li,.list-c li{height:26px;line-height:26px;overflow:hidden;background:url(/portal/statics/images/dot.gif) no-repeat 0 11px;padding-left:9px}
.list-a li span.fr{color:#999}.list-b p{height:26px;line-height:26px}.list-b p em{float:right;font-style:normal;color:#999}
.list-c li i{float:right;font-style:normal;color:#999}.box{border:1px solid #e2e2e2;padding:0 8px 8px;margin-bottom:10px}
.marq li{height:26px;line-height:26px}.marq li span{color:#999;margin-left:4px}
.dfzx a{display:inline-block;width:118px;line-height:24px}.hotwords a{display:inline-block;padding:0 8px;margin:3px;background:#f1f1f1}
.yqlj select{width:180px;margin-right:10px}.footer{padding:16px 0;text-align:center;line-height:24px;border-top:3px solid #a60000}
</style>"""


def portal_frame(title: str, metas: str, inner: str) -> str:
    nav = "".join(
        f'<a href="{h}">{t}</a>'
        for t, h in [
            ("首页", "/portal/index.html"),
            ("政协要闻", "/portal/html/yw/"),
            ("工作动态", "/portal/html/gzdt/"),
            ("协商议政", "/portal/html/xsyz/"),
            ("提案工作", "/portal/html/tagz/"),
            ("社情民意", "/portal/html/sqmy/"),
            ("委员风采", "/portal/html/wyfc/"),
            ("文史资料", "/portal/html/wszl/"),
            ("理论研究", "/portal/html/llyj/"),
            ("机关建设", "/portal/html/jgjs/"),
        ]
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=7" />
<title>{title}</title>
{metas}<meta name="keywords" content="泉州政协,泉州市政协,政协泉州市委员会,海丝名城,有事好商量" />
<meta name="description" content="政协泉州市委员会官方网站" />
<link href="/portal/statics/css/reset.css" rel="stylesheet" type="text/css" />
{PORTAL_CSS}
<script type="text/javascript" src="/portal/statics/js/jquery.min.js"></script>
<script type="text/javascript" src="/portal/statics/js/jquery.sgallery.js"></script>
</head>
<body>
<div class="topbar"><div class="w1000" style="background:none">
  <span class="fl">&nbsp;欢迎访问政协泉州市委员会网站！</span>
  <span class="fr"><a href="javascript:void(0)" onclick="this.style.behavior='url(#default#homepage)';this.setHomePage('http://www.qzszx.gov.cn/');">设为首页</a> | <a href="javascript:void(0)" onclick="window.external.addFavorite(location.href, document.title)">加入收藏</a> | <a href="/portal/m/">手机版</a>&nbsp;</span>
</div></div>
<div class="w1000">
<div class="header"><a href="/portal/index.html"><img src="/portal/statics/images/logo.png" alt="泉州市政协" /></a></div>
<div class="nav">{nav}</div>
{inner}
<div class="footer">
  主办：政协泉州市委员会办公室　承办：泉州市政协信息中心　地址：泉州市丰泽区东海街道行政中心<br />
  网站标识码：3505000017　<a href="https://beian.miit.gov.cn/" target="_blank">闽ICP备05012345号-1</a>　<a href="http://www.beian.gov.cn/" target="_blank">闽公网安备 35050302000123号</a><br />
  <a href="http://bszs.conac.cn/sitename?method=show&amp;id=5F6E7D8C9B0A" target="_blank"><img src="/portal/statics/images/dzjg.png" alt="党政机关" /></a>
</div>
</div>
<script type="text/javascript">
$(function(){{ $("#focus").sGallery({{ titleObj:"#focus-title", thumbObj:"#focus-num li", time:4000 }}); }});
</script>
</body>
</html>
"""


def portal_article_html(art: Article) -> str:
    page_title, metas, heading = title_bits(art, "泉州市政协", "泉州市政协")
    paras = "".join(f"<p>　　{p}</p>\n" for p in body_paragraphs(art.url))
    h1 = (
        f'  <h1 style="font:bold 22px/40px 微软雅黑;text-align:center;color:#a60000">{esc(heading)}</h1>\n'
        if heading
        else ""
    )
    inner = f"""<div style="padding:10px 20px">当前位置：<a href="/portal/index.html">首页</a> &gt; <a href="/portal/html/{art.column}/">{PORTAL_COLUMNS[art.column]}</a> &gt; 正文</div>
<div style="padding:10px 40px 30px">
{h1}  <div style="text-align:center;color:#999;border-bottom:1px dashed #ccc;line-height:30px">时间：{art.date} {art.time}　来源：{esc(art.source)}　点击：<span id="hits"></span></div>
  <div class="content" style="font-size:14px;line-height:28px">
{paras}  </div>
</div>
{ARTICLE_TOOLS}"""
    return portal_frame(esc(page_title), metas, inner)


def build_portal() -> Site:
    site = Site("portal", "gbk", "text/html; charset=gb2312", etag=True, newline="\r\n")
    page = "/portal/index.html"

    def register(href: str, title: str, date: str, mode: str, display: str, has_attr: bool, col: str) -> None:
        url = resolve(page, href)
        art = Article(url, title, date, mode=mode, sep="_", source="泉州市政协办公室", column=col)
        add_listed(site, page, art, display, has_attr)
        site.write(site.file_for(url), portal_article_html(art))

    # 头条 headline: same article as the first 要闻 entry (one truth item)
    head_title, head_href = (
        "市政协召开十三届十九次主席会议 研究部署全年重点工作",
        "html/yw/2024/0228/3521.html",
    )
    toutiao = f"""<div class="toutiao">
  <h2><a href="{head_href}" target="_blank">{head_title}</a></h2>
  <p>2月28日，市政协主席黄镕主持召开十三届十九次主席会议，研究部署市政协2024年重点工作，审议通过年度协商工作计划和重点提案督办方案……<a href="{head_href}" target="_blank" style="color:#c00">[详细]</a></p>
</div>"""

    yw = []
    for md, href, title in rows(PORTAL_YW):
        m, d = md.split("-")
        date = f"{2024 if (m, d) <= ('03', '01') else 2023}-{md}"
        display = cut(title, 22, "…")
        yw.append(
            f'      <li><span class="fr">{md}</span><a href="{href}" target="_blank" title="{esc(title)}">{esc(display)}</a></li>'
        )
        register(href, title, date, "full", display, True, "yw")
    gz = []
    for date, href, title in rows(PORTAL_GZDT):
        display = cut(title, 22, "…")
        gz.append(f'      <p><a href="{href}" target="_blank">{esc(display)}</a><em>{date}</em></p>')
        register(href, title, date, "full", display, False, "gzdt")
    sq = []
    for date, href, mode, title in rows(PORTAL_SQMY):
        y, m, d = date.split("-")
        display = cut(title, 18, "…")
        sq.append(f'      <li><i>{y}年{m}月{d}日</i><a href="{href}" target="_blank">{esc(display)}</a></li>')
        register(href, title, date, mode, display, False, "sqmy")
    tz = []
    for date, href, title in rows(PORTAL_TZGG):
        display = cut(title, 16, "…")
        tz.append(
            f'        <li>·<a href="{href}" target="_blank" title="{esc(title)}">{esc(display)}</a><span>[{date}]</span></li>'
        )
        register(href, title, date, "full", display, True, "tzgg")

    focus = [
        ("市政协机关干部职工开展植树活动", "html/tpxw/2024/0226/3512.html", "f1.jpg"),
        ("委员视察泉州湾跨海大桥建设", "html/tpxw/2024/0219/3498.html", "f2.jpg"),
        ("十三届三次会议隆重开幕", "html/tpxw/2024/0122/3466.html", "f3.jpg"),
    ]
    focus_html = "\n".join(
        f'      <li><a href="{h}" target="_blank"><img src="/portal/uploadfile/2024/{img}" width="380" height="250" alt="{t}" /></a></li>'
        for t, h, img in focus
    )
    dfzx = "\n".join(f'    <a href="{h}" target="_blank">{t}</a>' for t, h in PROVINCES)
    counties = "".join(
        f'<option value="http://www.qz{i:02d}zx.gov.cn/">{t}</option>' for i, t in enumerate(PORTAL_COUNTIES)
    )
    hot = " ".join(f'<a href="/portal/index.php?m=search&amp;q={w}">{w}</a>' for w in PORTAL_HOTWORDS)
    for h in (
        focus[0][1],
        "/portal/html/yw/",
        "/portal/html/gzdt/",
        PROVINCES[0][1],
        PROVINCES[30][1],
        "/portal/html/zt/2024lh/",
        "https://beian.miit.gov.cn/",
    ):
        site.noise(page, h)

    inner = f"""{toutiao}
<div class="fl focus" id="focus">
  <ul>
{focus_html}
  </ul>
  <div id="focus-title"></div>
  <ul id="focus-num"><li>1</li><li>2</li><li>3</li></ul>
</div>
<div class="fl col" style="width:580px">
  <h3><a class="fr" href="/portal/html/yw/" style="font:12px/32px 宋体;color:#999">更多&gt;&gt;</a>政协要闻</h3>
  <ul class="list-a">
{chr(10).join(yw)}
  </ul>
</div>
<div class="clear"></div>
<div style="padding:8px 0"><a href="/portal/html/zt/2024lh/" target="_blank"><img src="/portal/uploadfile/zt/2024lh.jpg" width="1000" height="80" alt="聚焦市政协十三届三次会议" /></a></div>
<div class="fl col">
  <h3><a class="fr" href="/portal/html/gzdt/" style="font:12px/32px 宋体;color:#999">更多&gt;&gt;</a>工作动态</h3>
  <div class="list-b">
{chr(10).join(gz)}
  </div>
</div>
<div class="fl col">
  <h3><a class="fr" href="/portal/html/sqmy/" style="font:12px/32px 宋体;color:#999">更多&gt;&gt;</a>社情民意</h3>
  <ul class="list-c">
{chr(10).join(sq)}
  </ul>
</div>
<div class="fl col" style="width:330px">
  <div class="box">
    <h3>通知公告</h3>
    <marquee class="marq" direction="up" scrollamount="2" height="200" onmouseover="this.stop()" onmouseout="this.start()">
      <ul>
{chr(10).join(tz)}
      </ul>
    </marquee>
  </div>
  <div class="box">
    <h3>热点关注</h3>
    <div class="hotwords">{hot}</div>
  </div>
</div>
<div class="clear"></div>
<div class="box dfzx">
  <h3>地方政协</h3>
{dfzx}
</div>
<div class="box yqlj">
  <h3>友情链接</h3>
  <select onchange="if(this.value!='')window.open(this.value)"><option value="">---泉州市县（市、区）政协---</option>{counties}</select>
  <select onchange="if(this.value!='')window.open(this.value)"><option value="">---相关网站---</option><option value="http://www.cppcc.gov.cn/">中国政协网</option><option value="http://www.rmzxb.com.cn/">人民政协网</option><option value="http://www.fjzx.gov.cn/">福建政协</option></select>
  <a href="http://www.cppcc.gov.cn/" target="_blank"><img src="/portal/uploadfile/link/cppcc.gif" width="150" height="40" alt="中国政协网" /></a>
  <a href="http://www.fjzx.gov.cn/" target="_blank"><img src="/portal/uploadfile/link/fjzx.gif" width="150" height="40" alt="福建政协" /></a>
</div>"""
    site.write("index.html", portal_frame("泉州市政协", "", inner))
    return site


# =============================================================================
# Self-check (runs on the files on disk, driven by the truth files)
# =============================================================================


class LinkCollector(HTMLParser):
    """Every <a href> as (resolved url, text, title attribute), honouring <base>."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.base: str | None = None
        self.links: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag == "a":
            # an unclosed <a> is closed by the next one (as browsers do)
            self._open.clear()
            href = (a.get("href") or "").strip()
            link = {
                "raw": href,
                "title": a.get("title"),
                "text": "",
                "url": href
                if href.startswith("javascript:") or not href
                else resolve(self.page, href, self.base),
            }
            self.links.append(link)
            self._open.append(link)
        elif tag == "br" and self._open:
            self._open[-1]["text"] += "<br>"

    def handle_endtag(self, tag):
        if tag == "a":
            self._open.clear()

    def handle_data(self, data):
        if self._open:
            self._open[-1]["text"] += data


def feed_links(page: str, text: str) -> list[dict]:
    import xml.etree.ElementTree as ET

    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    root = ET.fromstring(text)
    out = []
    if root.tag == "rss":
        for it in root.iter("item"):
            out.append(
                {
                    "url": resolve(page, it.findtext("link").strip()),
                    "title": None,
                    "text": it.findtext("title"),
                }
            )
    else:
        ns = "{http://www.w3.org/2005/Atom}"
        xml_base = "{http://www.w3.org/XML/1998/namespace}base"  # an XML name, not a fetch
        base = root.get(xml_base)
        for e in root.iter(ns + "entry"):
            href = e.find(ns + "link").get("href")
            out.append({"url": resolve(page, href, base), "title": None, "text": e.findtext(ns + "title")})
    return out


def article_titles(text: str) -> dict[str, str | None]:
    def clean(s: str | None) -> str | None:
        if s is None:
            return None
        return ws(html.unescape(re.sub(r"<[^>]+>", "", s)))

    meta = re.search(r'<meta\s+name="ArticleTitle"\s+content="([^"]*)"', text, re.I)
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
    title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
    return {
        "meta": clean(meta and meta.group(1)),
        "h1": clean(h1 and h1.group(1)),
        "title": clean(title and title.group(1)),
    }


SEPARATORS = ("_", " - ", "-", "|", "——")


def decode(data: bytes, encoding: str) -> str:
    """Decode a fixture file; an XML declaration overrides the site's encoding."""
    decl = re.match(rb'<\?xml[^>]*encoding="([^"]+)"', data)
    if decl:
        encoding = "utf-8" if decl.group(1).lower() == b"utf-8" else "gbk"
    if encoding == "utf-8":
        return data.decode("utf-8-sig")
    return data.decode("gb18030")


def self_check() -> list[str]:
    errors: list[str] = []

    def err(msg: str) -> None:
        errors.append(msg)

    marker = re.compile(r"^(\[置顶\]|置顶)|NEW$")
    for truth_path in sorted(TRUTH_DIR.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        name, enc = truth["site"], truth["encoding"]
        root = SITES_DIR / name
        json.loads((root / "_site.json").read_text(encoding="utf-8"))
        truth_urls: set[str] = set()

        def file_of(url: str, root: Path = root, name: str = name) -> Path:
            return root / unquote(urlsplit(url).path)[len(name) + 2 :]

        for page, items in truth["pages"].items():
            page_file = file_of(page)
            if not page_file.is_file():
                err(f"{name}: list page {page} missing")
                continue
            raw = page_file.read_bytes()
            text = decode(raw, enc)
            is_feed = page.endswith(".xml")
            if not is_feed and not 10_000 <= len(raw) <= 60_000:
                err(f"{name}: {page} is {len(raw)} bytes (want 10-60 KB)")
            if is_feed:
                links = feed_links(page, text)
            else:
                collector = LinkCollector(page)
                collector.feed(text)
                links = collector.links
            by_url: dict[str, list[dict]] = {}
            for link in links:
                by_url.setdefault(link["url"], []).append(link)
            titles, urls = set(), set()
            for it in items:
                url, title, date = it["url"], it["title"], it["date"]
                truth_urls.add(url)
                if title in titles or url in urls:
                    err(f"{name}: duplicate title/url {title} {url}")
                titles.add(title)
                urls.add(url)
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) or date > NOW:
                    err(f"{name}: bad date {date} for {url}")
                if is_feed != ("time" in it):
                    err(f"{name}: 'time' must be given exactly for feed items ({url})")
                if url not in by_url:
                    err(f"{name}: {url} not linked from {page}")
                    continue
                ok = False
                for link in by_url[url]:
                    if link["title"] is not None and ws(link["title"]) == title:
                        ok = True
                    text_ws = marker.sub("", ws(link["text"] or "")).strip()
                    if text_ws == title:
                        ok = True
                    for ell in ("...", "..", "…"):
                        if (
                            text_ws.endswith(ell)
                            and title.startswith(text_ws[: -len(ell)])
                            and it.get("repair")
                        ):
                            ok = True
                if not ok:
                    err(f"{name}: no link on {page} shows/carries the title of {url}: {title}")
                if not url.startswith("http") and not file_of(url).is_file():
                    err(f"{name}: truth url {url} has no file")
                how = it.get("repair")
                if how in ("meta", "h1", "title"):
                    if url.startswith("http"):
                        err(f"{name}: title repair from another host: {url}")
                        continue
                    if any(link["title"] is not None for link in by_url[url]):
                        err(f"{name}: {url} marked '{how}' but has a title attribute")
                    found = article_titles(decode(file_of(url).read_bytes(), enc))
                    if how == "title":
                        page_title = found["title"] or ""
                        rest = page_title[len(title) :]
                        good = page_title.startswith(title) and rest.startswith(SEPARATORS) and len(rest) > 1
                    else:
                        good = found[how] == title
                    others = [k for k, v in found.items() if k != how and v and title in v]
                    if not good or others:
                        err(f"{name}: {url} should carry its full title only in {how}: {found}")
            for bad in truth.get("not_items", []):
                if bad in urls:
                    err(f"{name}: not_item {bad} is in the truth for {page}")
        for bad in truth.get("not_items", []):
            if bad in truth_urls:
                err(f"{name}: not_item {bad} is also a truth item")

        # encodings: every file decodes strictly; GBK sites really need GBK
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name == "_site.json":
                continue
            data = path.read_bytes()
            file_enc = "utf-8" if path.name == "atom.xml" else enc
            try:
                data.decode("utf-8-sig" if file_enc == "utf-8" else "gbk")
                data.decode("utf-8-sig" if file_enc == "utf-8" else "gb18030")
            except UnicodeDecodeError as exc:
                err(f"{name}: {path.relative_to(root)} does not decode as {file_enc}: {exc}")
        if enc == "gbk":
            for page in truth["pages"]:
                data = file_of(page).read_bytes()
                if page.endswith("atom.xml"):
                    continue
                try:
                    data.decode("gb2312")
                    err(f"{name}: {page} decodes as plain gb2312 (no GBK-only characters)")
                except UnicodeDecodeError:
                    pass
    return errors


# =============================================================================
# main
# =============================================================================

BUILDERS = [
    build_trs_ul,
    build_gbk_table,
    build_sidebar,
    build_div_base,
    build_flat_links,
    build_rss,
    build_portal,
]


def main(argv: list[str]) -> int:
    if "--check" not in argv:
        for d in (SITES_DIR, TRUTH_DIR):
            if d.exists():
                shutil.rmtree(d)
        for build in BUILDERS:
            site = build()
            site.save()
            n = sum(len(v) for v in site.pages.values())
            print(
                f"{site.name:12s} {n:3d} items  {len(site.files):3d} files  "
                f"pages: {', '.join(f'{p} ({len(v)})' for p, v in site.pages.items())}"
            )
    errors = self_check()
    for e in errors:
        print("SELF-CHECK:", e, file=sys.stderr)
    print("self-check:", "FAILED" if errors else "ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
