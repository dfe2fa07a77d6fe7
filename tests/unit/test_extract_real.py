"""Real pages from real 政协 sites (../shared/corpus/real), read from where CI has them."""

from datetime import datetime

from conftest import corpus_file
from zxfeed.extract import extract_items
from zxfeed.extract.article import parse_article
from zxfeed.extract.dates import SHANGHAI

CPPCC = "cppcc_gov_cn_homepage_2018-03.html"
RMZXB = "rmzxb_article_2023-02-27_3299508.html"


def test_cppcc_homepage_lists_without_navigation_or_link_farms() -> None:
    now = datetime(2018, 3, 20, 12, tzinfo=SHANGHAI)
    result = extract_items(corpus_file(CPPCC).read_bytes(), "http://www.cppcc.gov.cn/", now=now)
    items = {i.url: i for i in result.items}
    assert len(items) == len(result.items) >= 100
    assert all(u.startswith("http://www.cppcc.gov.cn/") and "/ARTI" in u for u in items)
    assert all(i.published is not None and i.published <= now for i in result.items)
    titles = {i.title for i in result.items}
    # <br/> inside a title joins the two lines; "..", cut titles are flagged for repair.
    assert "学习实践永远在路上——十二届全国政协文史和学习委员会学习工作掠影" in titles
    cut = items["http://www.cppcc.gov.cn/zxww/2018/01/19/ARTI1516347068735485.shtml"]
    assert cut.truncated and cut.title == "全国政协社会和法制委员会在京开展"
    assert not any("请配置数据源" in t for t in titles)
    assert not any(h in u for u in items for h in ("bjzx.gov.cn", "sdzx.gov.cn", "newcppcc/zxld"))
    assert items["http://www.cppcc.gov.cn/zxww/2018/03/16/ARTI1521206537891764.shtml"].published.date() \
        == datetime(2018, 3, 16).date()


def test_rmzxb_article_title_and_time() -> None:
    now = datetime(2023, 3, 1, tzinfo=SHANGHAI)
    article = parse_article(corpus_file(RMZXB).read_text("utf-8"), "十年两会·温暖记忆丨“种下", now)
    assert article.title == "十年两会·温暖记忆丨“种下石榴树，开出团结花”"
    assert article.published.when == datetime(2023, 2, 27, 9, 15, tzinfo=SHANGHAI)
    assert article.published.has_time
