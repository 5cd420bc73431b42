"""HTML reader details that its faster code paths must keep exactly (chrome, hidden
elements, spans): the hidden-style test is the old selector's case-sensitive substrings
("none", "NONE", "None", "idden", "IDDEN") and the display/visibility regex together."""
from __future__ import annotations

from nianbao.readers.document import TableBlock, TextBlock
from nianbao.readers.html import read_html

HTML = (
    "<html><body><main><header>标题</header><header hidden>隐1</header></main>"
    '<p style="display:nOne">可见1</p><p style="DISPLAY: NONE">隐2</p>'
    '<p style="display:&#110;one">隐3</p><p style="visibility:hiDDen">可见2</p>'
    '<p style="visibility:HIDDEN">隐4</p><div HIDDEN>隐5<footer>隐6</footer></div>'
    "<article><div><footer>可见3</footer></div></article><footer>隐7</footer>"
    '<table><tr><td COLSPAN="2">甲</td><td colspan>乙</td><td rowspan="0">丙</td></tr>'
    '<tr><td colspan="1">1</td><td rowspan=" 2x">2</td><td>3 4</td></tr><tr><td>5</td></tr></table>'
    "</body></html>"
)


def test_hidden_chrome_and_spans():
    doc = read_html(HTML.encode())
    assert [type(b) for b in doc.blocks] == [TextBlock, TableBlock]
    assert doc.blocks[0].lines == ["标题", "可见1", "可见2", "可见3"]
    assert doc.blocks[1].rows == [
        ["甲", None, "乙", "丙"],
        ["1", "2", "3 4", None],
        ["5", None, None, None],
    ]
