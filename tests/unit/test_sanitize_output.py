"""Cleaned article HTML, byte for byte: stored items and feeds must not change their bytes.

The cases pin what the beautifulsoup4 (html.parser) cleaner writes: blank runs, attribute
order, unwrapped soup, dropped scripts with their tails kept, empty wrappers.
"""

from __future__ import annotations

import pytest

from zxfeed.extract.sanitize import clean_html

BASE = "http://zx.example.org/a/b.html"
FILES = [("/f.doc", "报名表", "application/msword")]
LISTED = '<p>附件：</p><ul><li><a href="http://zx.example.org/f.doc">报名表</a></li></ul>'

CASES = [
    # blank runs become one newline or space (not inside <pre>); attributes sorted; <br/>
    ('<div class="c">\n   <p style="x" title=\'say "hi"\' >一 &amp; 二 &lt;三&gt;</p>\n\n  '
     '<p><span></span></p>\n<pre>  a\n   b  </pre> <br> <img src="p.png" width="1">'
     '<img alt="图" src="/i/a.png" onclick="x()" height="20"></div>',
     '<p>一 &amp; 二 &lt;三&gt;</p>\n\n<pre>  a\n   b  </pre> <br/> '
     '<img alt="图" height="20" src="http://zx.example.org/i/a.png"/>'),
    # font soup unwrapped with the text around it; comments and scripts go, their tails stay
    ('<div>正文<font color=red>红<b>粗</b></font>尾<!-- c --> 后 <script>x()</script>文</div>',
     '<p>正文红<b>粗</b>尾 后 文</p>'),
    # a script link keeps its words; quotes inside attribute values
    ('<section><a href="javascript:void(0)">打开</a> <a href="/f.pdf" title="a\'b&quot;c">附件</a>'
     '<iframe src="/x"></iframe>末</section>',
     '<p>打开 <a href="http://zx.example.org/f.pdf" title="a\'b&quot;c">附件</a>末</p>'),
    # empty cells stay, a paragraph of a no-break space goes, an ideographic space stays
    ('<table><tr><td colspan="2" class="x"> </td><td></td></tr></table><p>\xa0</p><p>\u3000文</p>',
     '<table><tr><td colspan="2"> </td><td></td></tr></table><p>\u3000文</p>'),
    # empty wrappers innermost first; Word's <o:p> unwrapped
    ('<div><h1>标题</h1><div><span>  </span></div><ul><li>一</li><li> </li></ul>\t\t<o:p></o:p></div>',
     '<p>标题</p> <ul><li>一</li></ul>'),
]


@pytest.mark.parametrize(("fragment", "expected"), CASES)
def test_output_as_beautifulsoup4_wrote_it(fragment: str, expected: str) -> None:
    assert clean_html(fragment, BASE, attachments=FILES) == expected + LISTED


def test_nothing_left_is_an_empty_string() -> None:
    assert clean_html("<div><span> </span><script>x</script></div>", BASE) == ""


@pytest.mark.parametrize(("fragment", "expected"), [
    # bs4 types ruby text apart from body text: the <b> inside <rt> counts as empty, and so
    # then does the <rt> (wrappers are judged after their empty insides are gone)
    ('<div><ruby>汉<rt><b>han</b></rt></ruby></div>', '汉'),
    ('<div>文<span><rt> x </rt></span><p> <b> </b><img src="/a.png"></p></div>',
     '<p>文 x <p> <img src="http://zx.example.org/a.png"/></p></p>'),
])
def test_empty_wrappers_as_get_text_sees_them(fragment: str, expected: str) -> None:
    assert clean_html(fragment, BASE) == expected
