import codecs

from zxfeed.extract.encoding import decode
from zxfeed.extract.page import parse_html

GBK_ONLY = "朱镕基 王喆 李堃 陈珺 刘昇"


def _page(charset: str) -> str:
    return f"<html><head><meta charset='{charset}'><title>t</title></head><body><p>{GBK_ONLY}</p></body></html>"


def test_gb2312_declared_gbk_bytes_decode_without_loss() -> None:
    body = _page("gb2312").encode("gbk")
    try:
        body.decode("gb2312")
        raise AssertionError("fixture must contain GBK-only characters")
    except UnicodeDecodeError:
        pass
    for ctype in (None, "text/html", "text/html; charset=gb2312", "text/html; charset=GBK"):
        out = decode(body, ctype)
        assert GBK_ONLY in out.text and out.replacements == 0 and out.encoding == "gb18030"


def test_header_wrong_document_right() -> None:
    body = _page("gbk").encode("gbk")
    out = decode(body, "text/html; charset=utf-8")
    assert GBK_ONLY in out.text


def test_bom_and_undeclared_utf8() -> None:
    assert decode(codecs.BOM_UTF8 + "<p>政协</p>".encode()).text == "<p>政协</p>"
    assert decode("<p>人民政协</p>".encode()).encoding == "utf-8"


def test_undeclared_gbk_detected() -> None:
    body = ("<html><body>" + "市政协召开常委会议，审议通过关于加强基层社会治理的建议案。" * 5
            + "</body></html>").encode("gbk")
    out = decode(body)
    assert "市政协召开常委会议" in out.text


def test_garbage_reports_replacements() -> None:
    body = bytes(range(256)) * 20
    out = decode(body, "text/html; charset=utf-8")
    assert out.replacements > 0


def test_xml_declaration_and_nul_do_not_break_parser() -> None:
    page = parse_html("<?xml version='1.0' encoding='gb2312'?><html><body><a href='/x'>政协\x00要闻</a></body></html>", "http://h/")
    assert [a.text for a in page.root.iter("a")] == ["政协要闻"]
