"""Catalog, discovery, article enrichment and reprint stories on a local test web."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from email.policy import default
from pathlib import Path

import feedparser

from conftest import ROOT, write_config, zxfeed
from support.pages import dated_items, list_page
from support.webserver import TestWeb

TODAY = date.today()
BODY = ("<p>本报讯 2月5日，市政协召开专题协商会，围绕“推进黄河流域生态保护和高质量发展”协商议政。"
        "会议听取了市发展改革委关于有关情况的通报，委员们结合调研实际，从加强湿地保护修复、"
        "推进水资源节约集约利用、发展沿黄特色产业等方面提出意见建议。</p>"
        "<p>会议指出，要坚持生态优先、绿色发展，聚焦重点领域和关键环节，深入调查研究，"
        "广泛凝聚共识，为推动黄河流域生态保护和高质量发展贡献政协智慧和力量。</p>")
TITLE = "市政协召开专题协商会聚焦黄河流域生态保护和高质量发展"


def _article(title: str, body: str, head: str = "", before: str = "", after: str = "") -> str:
    return (f"<html><head><meta charset='utf-8'>{head}<title>{title}_政协网</title></head><body>"
            "<div class='nav'><a href='/'>首页</a><a href='/zxyw/'>政协要闻</a></div>"
            f"<div class='main'><h1>{title}</h1>{before}<div class='article-content'>{body}</div>{after}</div>"
            "<div class='side'><ul><li><a href='/x/1.html'>其他新闻一</a></li></ul></div></body></html>")


def _story_sites(web: TestWeb) -> None:
    base = web.base
    web.set("/sd/art/1.html", _article(TITLE, BODY, head=(
        f"<meta name='ArticleTitle' content='{TITLE}'><meta name='PubDate' content='{TODAY:%Y-%m-%d} 10:30'>"
        "<meta name='ContentSource' content='山东政协'><meta name='author' content='李明'>"),
        after="<p>附件：<a href='/sd/files/jianyi.pdf'>协商建议汇编.pdf</a> <a href='/sd/files/biao.xlsx'>统计表</a></p>"))
    web.set("/agg/a/9.html", _article(TITLE, BODY + f"<p>原文链接:{base}/sd/art/1.html</p>"
                                      "<p>[免责声明] 本文来源于网络转载，仅供学习交流使用。</p>"))
    web.set("/city/a/3.html", _article(TITLE, "<p>市政协召开专题协商会，委员们就湿地保护建言。</p>"
                                       "<p>这是一篇内容不同但标题相同的报道，篇幅较短，但足以说明问题。</p>",
                                       before=f"<div class='info'>发布时间：{TODAY:%Y-%m-%d} 11:00 来源：菏泽日报</div>"))
    web.set("/county/a/7.html", _article("黄河流域生态保护专题协商会召开（转载）", BODY))


def _lists(web: TestWeb, with_story: bool) -> None:
    for site, path in (("sd", "/sd/art/1.html"), ("agg", "/agg/a/9.html"), ("city", "/city/a/3.html"),
                       ("county", "/county/a/7.html")):
        rows = [(k, f"{site}站 {t}", d) for k, t, d in dated_items(2, start=10)]
        html = list_page(rows)
        if with_story:
            title = "黄河流域生态保护专题协商会召开（转载）" if site == "county" else TITLE
            html = html.replace("<ul class='list'>", f"<ul class='list'><li><a href='{path}'>{title}</a>"
                                f"<span>{TODAY:%Y-%m-%d}</span></li>")
        web.set(f"/{site}/list.html", html)
        for k, t, _ in rows:
            web.set(f"/{site}/art/{k}.html", _article(f"{site}站 {t}", f"<p>{site}站 {t} 的正文内容。</p>" * 3))


def test_enrichment_reprints_merged_feed_and_one_mail_per_story(tmp_path: Path, web: TestWeb) -> None:
    _story_sites(web)
    _lists(web, with_story=False)
    sources = "".join(f'[[sources]]\nid = "{s}"\nname = "{s}政协"\nurl = "{web.url(f"/{s}/list.html")}"\n'
                      f'region = "{r}"\n' for s, r in (("sd", "山东省"), ("agg", "全国"), ("city", "山东省"),
                                                        ("county", "山东省")))
    cfg = write_config(tmp_path, sources + '[[subscribers]]\nemail = "r@example.org"\n')
    assert zxfeed("poll", config=cfg).returncode == 0  # baseline
    _lists(web, with_story=True)
    proc = zxfeed("poll", config=cfg)
    assert proc.returncode == 0, proc.stderr

    merged = feedparser.parse((tmp_path / "data/feeds/all.atom").read_bytes())
    story = [e for e in merged.entries if "黄河" in e.title]
    assert len(story) == 1, [e.title for e in story]
    entry = story[0]
    assert entry.link == web.url("/sd/art/1.html")  # the original heads its story
    related = {lk.href for lk in entry.links if lk.rel == "related"}
    assert related == {web.url("/agg/a/9.html"), web.url("/city/a/3.html"), web.url("/county/a/7.html")}
    enclosures = {lk.href: lk.type for lk in entry.links if lk.rel == "enclosure"}
    assert enclosures == {web.url("/sd/files/jianyi.pdf"): "application/pdf",
                          web.url("/sd/files/biao.xlsx"):
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    assert entry.summary.startswith("本报讯 2月5日，市政协召开专题协商会") and len(entry.summary) <= 201
    assert entry.published.startswith(f"{TODAY - timedelta(days=0):%Y-%m-%d}T02:30:00")  # 10:30 +08:00
    # Region and source feeds keep their own copies.
    for site in ("agg", "city", "county"):
        own = feedparser.parse((tmp_path / f"data/feeds/source/{site}.atom").read_bytes())
        assert any("黄河" in e.title for e in own.entries), site

    mails = list((tmp_path / "data/outbox").glob("*.eml"))
    assert len(mails) == 1
    text = email.message_from_bytes(mails[0].read_bytes(), policy=default).get_body(("plain",)).get_content()
    assert "1 条新信息" in text and text.count(TITLE) == 1, text  # the story once, not four times
    assert "本报讯" in text  # the summary travels with it

    import sqlite3
    db = sqlite3.connect(tmp_path / "data/zxfeed.db")
    rows = {r[0]: r[1:] for r in db.execute("SELECT link, origin, author, story_id FROM items WHERE title LIKE '%黄河%'")}
    assert rows[web.url("/sd/art/1.html")][:2] == ("山东政协", "李明")
    assert rows[web.url("/city/a/3.html")][0] == "菏泽日报"
    assert len({r[2] for r in rows.values()}) == 1


def test_discover_ranks_columns(web: TestWeb) -> None:
    home = ("<html><head><meta charset='utf-8'><title>菏泽市政协_首页</title>"
            "<link rel='alternate' type='application/rss+xml' title='政协要闻' href='/dsc/rss.xml'></head><body>"
            "<ul class='nav'><li><a href='/dsc/'>首页</a></li><li><a href='/dsc/zxyw/'>政协要闻</a></li>"
            "<li><a href='/dsc/gzdt/index.html'>工作动态</a></li><li><a href='/dsc/tzgg/'>通知公告</a></li>"
            "<li><a href='/dsc/jgsz/'>机构设置</a></li><li><a href='/dsc/lxwm/'>联系我们</a></li>"
            "<li><a href='http://www.other.gov.cn/xw/'>新闻中心</a></li></ul>"
            + list_page(dated_items(4, start=200)) + "</body></html>")
    web.set("/dsc/", home)
    web.set("/dsc/rss.xml", "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>t</title>"
            + "".join(f"<item><title>政协要闻{i}号</title><link>/dsc/r/{i}.html</link></item>" for i in range(3))
            + "</channel></rss>", content_type="application/rss+xml")
    web.set("/dsc/zxyw/", list_page(dated_items(8, start=300)))
    calls = "".join(f"a[{i}]=new title_array('/dsc/gzdt/{i}.html','{t}','2024-02-0{i + 1}');"
                    for i, (_, t, _) in enumerate(dated_items(5, start=400)))
    web.set("/dsc/gzdt/index.html", f"<html><body><script>{calls}</script></body></html>")
    web.set("/dsc/tzgg/", "<html><body><ul>" + "".join(
        f"<li><a href='/dsc/t/{i}.html'>关于召开第{i}次会议的通知</a></li>" for i in range(5)) + "</ul></body></html>")
    web.set("/dsc/jgsz/", "<html><body><p>机构设置</p></body></html>")
    proc = zxfeed("discover", web.url("/dsc/"))
    assert proc.returncode == 0, proc.stderr
    urls = [line.split('"')[1] for line in proc.stdout.splitlines() if line.startswith("url = ")]
    assert urls == [web.url("/dsc/rss.xml"), web.url("/dsc/zxyw/"), web.url("/dsc/gzdt/index.html"),
                    web.url("/dsc/")]
    assert 'region = "菏泽市"' in proc.stdout and 'kind = "feed"' in proc.stdout
    assert not any("/lxwm/" in u or "/jgsz/" in u or "other.gov.cn" in u for u in urls)
    assert not web.requests_to("/dsc/lxwm/")  # 联系我们 is not a column worth a request


def test_catalog_loads_and_filters() -> None:
    proc = zxfeed("sources", "--json", "--level", "provincial")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 31 and {r["level"] for r in rows} == {"provincial"}
    assert {"北京市", "山东省", "广西壮族自治区", "新疆维吾尔自治区"} <= {r["region"] for r in rows}
    sd = json.loads(zxfeed("sources", "--json", "--region", "山东省").stdout)
    assert sd and all(r["region"] == "山东省" for r in sd)
    text = (ROOT / "config" / "sources" / "provincial.toml").read_text("utf-8")
    assert text.count("note = ") == 31  # every entry says what is confirmed


def test_opml_lists_every_feed(tmp_path: Path, web: TestWeb) -> None:
    cfg = write_config(tmp_path, f'[[sources]]\nid = "o1"\nname = "一"\nurl = "{web.url("/o/1")}"\n'
                       'region = "山东省"\ncity = "济南市"\n')
    proc = zxfeed("opml", config=cfg)
    from lxml import etree
    root = etree.fromstring(proc.stdout.encode("utf-8"))
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert urls[0].endswith("/feeds/all.atom")
    assert any(u.endswith("/feeds/source/o1.atom") for u in urls)
    assert any("%E6%B5%8E%E5%8D%97%E5%B8%82.atom" in u for u in urls)  # 济南市


def test_discover_true_polls_found_pages(tmp_path: Path, web: TestWeb) -> None:
    import time

    from zxfeed.config.settings import load_config
    from zxfeed.daemon.wiring import Daemon
    web.set("/dsc2/", "<html><head><meta charset='utf-8'><title>潍坊市政协</title></head><body>"
            "<a href='/dsc2/zxyw/'>政协要闻</a><a href='/dsc2/tagz/'>提案工作</a></body></html>")
    web.set("/dsc2/zxyw/", list_page(dated_items(6, start=500)))
    web.set("/dsc2/tagz/", list_page(dated_items(4, start=600)))
    cfg = load_config(write_config(tmp_path, f'[server]\nenabled = false\n[[sources]]\nid = "wf"\nname = "潍坊"\n'
                                   f'url = "{web.url("/dsc2/")}"\nregion = "山东省"\ndiscover = true\n'))
    daemon = Daemon(cfg)
    daemon.start()
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end and daemon.store.item_count() < 10:
            time.sleep(0.1)
        ids = {s.id for s in daemon.store.sources() if s.polls}
        assert {"wf--1", "wf--2"} <= ids and daemon.store.item_count() == 10
        assert daemon.scheduler.get_job("poll:wf--1") is not None
    finally:
        daemon.stop()
