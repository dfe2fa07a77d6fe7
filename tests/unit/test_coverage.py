"""Catalog, discovery, article enrichment and reprint stories on a local test web."""

from __future__ import annotations

from conftest import corpus_file


def test_rmzxb_article_layout_enriched() -> None:
    from datetime import datetime

    from zxfeed.extract.article import parse_article
    from zxfeed.extract.dates import SHANGHAI
    a = parse_article(corpus_file("rmzxb_article_2023-02-27_3299508.html").read_text("utf-8"), "十年两会",
                      datetime(2023, 3, 1, tzinfo=SHANGHAI), "http://www.rmzxb.com.cn/c/2023-02-27/3299508.shtml")
    assert a.source == "新华社" and a.original_url is None  # the 来源 link is a search, not an original
    assert a.summary.startswith("新华社乌鲁木齐2月26日电")
    assert "分享到" not in a.summary and len(a.summary) <= 201
