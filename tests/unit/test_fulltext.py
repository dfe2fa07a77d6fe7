"""Full text: the body extractor scored on article pages, the sanitizer, and the entry as served."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import html

from conftest import CORPUS
from support.webserver import SITES
from zxfeed.extract.article import parse_article
from zxfeed.extract.encoding import decode
from zxfeed.extract.sanitize import clean_html

NOW = datetime(2026, 12, 1, tzinfo=UTC)
REAL = CORPUS / "rmzxb_article_2023-02-27_3299508.html"
# Words of page furniture that must never reach a reader's body text.
FURNITURE = ("分享到", "上一篇", "下一篇", "打印", "关闭", "当前位置", "您的位置", "友情链接", "网站地图",
             "设为首页")
_SPACE = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACE.sub("", text).replace("\u3000", "")


def _score(content: str, truth: list[str]) -> tuple[float, float]:
    """Body recall (truth characters found) and noise (content characters not in the truth)."""
    got = _squash(html.fromstring(f"<div>{content}</div>").text_content())
    want = [_squash(p) for p in truth]
    found = sum(len(p) for p in want if p in got)
    truth_text = "".join(want)
    rest = got
    for p in want:
        rest = rest.replace(p, "")
    return found / max(1, len(truth_text)), len(rest) / max(1, len(got))


def _fixture_articles() -> list[Path]:
    """Article pages of the fixture sites: those with several long paragraphs."""
    out = []
    for path in sorted(SITES.rglob("*.htm*")):
        if path.name in ("index.html", "list.html") or "list" in path.stem:
            continue
        root = html.fromstring(decode(path.read_bytes(), None).text)
        if len([p for p in root.iter("p") if len(p.text_content().strip()) >= 40]) >= 3:
            out.append(path)
    return out


def _truth(page_text: str) -> list[str]:
    """What a person reads as the article on a fixture page: its long paragraphs, not the imprint."""
    root = html.fromstring(page_text)
    return [p.text_content().strip() for p in root.iter("p")
            if len(p.text_content().strip()) >= 40 and p.find(".//a") is None
            and not _IMPRINT.search(p.text_content())]


_IMPRINT = re.compile(r"主办：|承办：|主办单位|地址：|版权|备案|ICP|技术支持|联系电话")


def test_body_recall_and_noise_on_fixture_articles() -> None:
    pages = _fixture_articles()
    assert len(pages) >= 20
    recalls, noises = [], []
    for path in pages:
        text = decode(path.read_bytes(), None).text
        url = "http://127.0.0.1/" + path.relative_to(SITES).as_posix()
        art = parse_article(text, "", NOW, url)
        assert art.content, path
        recall, noise = _score(art.content, _truth(text))
        recalls.append(recall)
        noises.append(noise)
        body_text = html.fromstring(f"<div>{art.content}</div>").text_content()
        assert not [w for w in FURNITURE if w in body_text], (path, body_text[:200])
    assert min(recalls) >= 0.95, min(recalls)
    assert sum(recalls) / len(recalls) >= 0.99
    # Subheadings and 来源 lines of a body are short (not "truth" paragraphs) but belong there.
    assert max(noises) <= 0.1 and sum(noises) / len(noises) <= 0.01, max(noises)


def test_body_recall_and_noise_on_real_rmzxb_article() -> None:
    if not REAL.exists():
        pytest.skip(f"real page not available: {REAL} (../shared/corpus is not part of the repo)")
    text = decode(REAL.read_bytes(), None).text
    art = parse_article(text, "十年两会·温暖记忆丨“种下石榴树", NOW,
                        "http://www.rmzxb.com.cn/c/2023-02-27/3299508.shtml")
    # The truth is the page's own article block, named here (the extractor never sees the name).
    truth = [p.text_content().strip() for p in html.fromstring(text).cssselect("div.text_box p")
             if p.text_content().strip()]
    recall, noise = _score(art.content or "", truth)
    assert recall >= 0.99 and noise <= 0.02, (recall, noise)
    assert "style=" not in art.content and "编辑：" not in art.content
    # The summary is plain text and starts with the body, not the title again.
    assert art.summary and art.summary.startswith("新华社乌鲁木齐2月26日电")


RELATED = """<html><head><meta charset="utf-8"><title>x</title></head><body>
<div class="a1"><h1>市政协召开党组会议</h1>
<p>会议传达学习了全国政协十四届常委会有关会议精神，研究部署近期重点工作。</p>
<p>会议强调，要把学习成果转化为推动政协工作高质量发展的具体行动。</p>
<p>会议还研究了其他事项。</p></div>
<div class="a2"><h3>相关阅读</h3>
""" + "".join(f'<p><a href="/a/{i}.html">市政协召开第{i}次专题协商会议围绕黄河流域生态保护和高质量发展建言</a></p>'
              for i in range(12)) + """</div></body></html>"""


def test_a_list_of_links_is_not_the_body_even_when_longer() -> None:
    art = parse_article(RELATED, "", NOW, "http://zx.example.gov.cn/a/100.html")
    text = html.fromstring(f"<div>{art.content}</div>").text_content()
    assert "会议传达学习了" in text and "黄河流域" not in text


SOUP = """<html><head><base href="http://zx.example.gov.cn/xwzx/2024/"><title>x</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/a/">要闻</a><a href="/b/">提案</a></div>
<div id="zoom"><div class="TRS_Editor"><style>.TRS_Editor P{{line-height:2}}</style>
<script>var counter = 1;</script>
<font face="宋体" color="#333333" size="3"><p style="TEXT-INDENT: 2em; FONT-FAMILY: 仿宋_GB2312" onclick="x()">
市政协召开专题协商会，围绕推进黄河流域生态保护和高质量发展协商议政，委员们踊跃发言。</p>
<p align="justify"><span style="color:#ff0000"><b>会议强调</b></span>，要坚持以人民为中心的发展思想，把协商成果转化为具体举措。</p></font>
<p><span></span></p><div><span>&nbsp;</span></div>
<p><img src="../../images/meeting.jpg" alt="会议现场" style="width:600px" onerror="alert(1)"></p>
<p>详见<a href="./t20240205_1.html" onmouseover="evil()">相关报道</a>和<a href="javascript:void(0)">打开</a>。
委员们结合调研实际，从加强湿地保护修复等方面提出意见建议。</p>
<img src="http://stat.example.com/count.gif?id=1" width="1" height="1">
<img src="/pixel.gif" style="width:0px;height:0px">
<iframe src="http://ads.example.com/"></iframe>
<p><a href="/uploadfile/2024/附件1.pdf">附件1：协商计划</a></p>
</div></div>
<div class="footer">主办：政协某某市委员会 网站地图</div>
</body></html>"""


def test_sanitized_body_keeps_text_and_drops_soup() -> None:
    art = parse_article(SOUP.format(), "", NOW, "http://zx.example.gov.cn/xwzx/2024/t20240205_2.html")
    content = art.content or ""
    tree = html.fromstring(f"<div>{content}</div>")
    tags = {el.tag for el in tree.iter()} - {"div"}
    assert tags <= {"p", "b", "img", "a", "ul", "li"}, tags
    for el in tree.iter():
        if el.tag != "div":
            assert set(el.attrib) <= {"href", "src", "alt", "title", "width", "height"}, el.attrib
    assert "counter" not in content and "line-height" not in content and "iframe" not in content
    assert "onclick" not in content and "onerror" not in content and "javascript" not in content
    srcs = [img.get("src") for img in tree.iter("img")]
    assert srcs == ["http://zx.example.gov.cn/images/meeting.jpg"]  # pixels gone, path absolute
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert "http://zx.example.gov.cn/xwzx/2024/t20240205_1.html" in hrefs
    assert "打开" in tree.text_content()  # a script link loses its href, not its words
    assert "http://zx.example.gov.cn/uploadfile/2024/附件1.pdf" in hrefs
    assert "附件：" in tree.text_content() or "附件1" in tree.text_content()
    assert not [p for p in tree.iter("p") if not p.text_content().strip() and p.find("img") is None]
    assert "会议强调" in tree.text_content() and "首页" not in tree.text_content()
    assert art.attachments and art.attachments[0][2] == "application/pdf"


def test_attachments_are_listed_with_absolute_links() -> None:
    out = clean_html("<p>通知全文如下，请各单位认真学习并贯彻落实。</p>", "http://zx.example.org/tzgg/",
                     attachments=[("http://zx.example.org/files/a.docx", "报名表", "application/msword")])
    tree = html.fromstring(f"<div>{out}</div>")
    assert [a.get("href") for a in tree.iter("a")] == ["http://zx.example.org/files/a.docx"]
    assert "报名表" in tree.text_content()
