"""Readers: encodings, HTML/DOCX grids, the real PDFs, and hostile input.

Every reader must return a Document or raise UnreadableFile — never anything else.
"""
from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao.readers import read_document, sniff_format
from nianbao.readers.decode import decode_bytes
from nianbao.readers.document import Document, TableBlock, TextBlock, UnreadableFile

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
REAL = SHARED / "real-reports"

SIMPLIFIED = (
    "淮安市人民政府2024年政府信息公开工作年度报告\n"
    "一、总体情况\n"
    "（一）主动公开情况。全年主动公开政府信息5500余条，制作政策解读21个。\n"
    "三、收到和处理政府信息公开申请情况\n"
    "一、本年新收政府信息公开申请数量 | 3001 | 53 | 0 | 0 | 61 | 4 | 3119 |\n"
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\n"
    "3.危及“三安全一稳定”；行政事业性收费96171.6万元；行政处罚3985758。\n"
)
TRADITIONAL = (
    "盤錦市營商環境建設局2021年度政府信息公開工作報告\n"
    "一、總體情況\n"
    "（一）主動公開情況。本年制發件數 0 | 本年廢止件數 0 | 現行有效件數 0 |\n"
    "三、收到和處理政府信息公開申請情況\n"
    "商業 企業 | 科研 機構 | 社會公益組織 | 法律服務機構 |\n"
    "（二）部分公開（區分處理的，只計這一情形，不計其他情形）\n"
    "2.其他法律行政法規禁止公開；補正後申請內容仍不明確。\n"
)


def _never_crashes(data: bytes, filename: str) -> Document | None:
    try:
        doc = read_document(data, filename)
    except UnreadableFile as exc:
        assert str(exc), "an UnreadableFile must carry a reason"
        return None
    assert isinstance(doc, Document)
    return doc


# -- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, text, family",
    [
        ("utf-8", SIMPLIFIED, "utf-8"),
        ("utf-8-sig", SIMPLIFIED, "utf-8-sig"),
        ("gb18030", SIMPLIFIED, "gb18030"),
        ("gbk", SIMPLIFIED, "gb18030"),
        ("gb2312", SIMPLIFIED.replace("“", "").replace("”", ""), "gb18030"),
        ("big5", TRADITIONAL, "big5"),
        ("cp950", TRADITIONAL, "big5"),
        ("gb18030", TRADITIONAL, "gb18030"),  # traditional text in a mainland encoding
        ("utf-16", SIMPLIFIED, "utf-16"),  # with BOM
        ("utf-16-le", SIMPLIFIED, "utf-16-le"),  # BOM-less
        ("utf-16-be", TRADITIONAL, "utf-16-be"),  # BOM-less
        ("utf-8", TRADITIONAL, "utf-8"),
    ],
)
def test_each_encoding_decodes_back_exactly(encoding, text, family):
    data = text.encode(encoding)
    decoded, name = decode_bytes(data)
    assert decoded == text
    assert name.startswith(family) or (family == "big5" and name in ("big5", "cp950", "big5hkscs"))
    doc = read_document(data, "report.txt")
    assert doc.file_format == "text"
    assert doc.blocks[0].lines == text.split("\n")[:-1]


def test_big5_and_gbk_are_not_confused_on_longer_text():
    for piece in (SIMPLIFIED * 3, TRADITIONAL * 3):
        for enc in ("gbk", "big5"):
            try:
                data = piece.encode(enc)
            except UnicodeEncodeError:
                continue
            assert decode_bytes(data)[0] == piece


def test_text_reader_keeps_lines_as_they_are():
    data = "  索 引 号: | 1133/2021 |\r\n\r\n行政许可 | 1026 | 减89 |\r\n".encode("gbk")
    doc = read_document(data, "a.txt")
    assert doc.blocks == [TextBlock(lines=["  索 引 号: | 1133/2021 |", "", "行政许可 | 1026 | 减89 |"])]


def test_decode_is_from_bytes_not_extension():
    data = TRADITIONAL.encode("big5")
    for name in ("report.html", "report.txt", "report.gbk.txt", "noext"):
        doc = read_document(data, name)
        assert doc.encoding in ("big5", "cp950")
        assert "營商環境建設局" in doc.text()


@pytest.mark.parametrize(
    "junk",
    [
        b"\x00\x01\x02\x03" * 200,
        bytes(range(32)) * 50,
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 40,
    ],
)
def test_binary_junk_is_unreadable(junk):
    with pytest.raises(UnreadableFile, match="binary"):
        decode_bytes(junk)
    with pytest.raises(UnreadableFile):
        read_document(junk, "x.txt")


# -- HTML ---------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><meta charset="gb2312"><title>某县2021年政府信息公开工作年度报告</title>
<script>var x = "<table><tr><td>no</td></tr></table>";</script><style>p{}</style></head>
<body><nav>首页 &gt; 政府信息公开</nav><header>网站标题</header>
<div class="article"><h1>某县人民政府2021年政府信息公开工作年度报告</h1>
<p>&nbsp;&nbsp;一、总体情况</p><p>本年收到申请<span>12</span>件。<br>第二行</p>
<p style="display: none">隐藏的文字</p>
<table border="1">
 <tr><td rowspan="2" colspan="2">（本列数据的勾稽关系为：第一项加第二项之和）</td><td colspan="3">申请人情况</td></tr>
 <tr><td>自然人</td><td colspan="2">法人或其他组织</td></tr>
 <tr><th>一、本年新收</th><td>&nbsp;</td><td>3</td><td>0</td><td>本年新<br/>制作数量</td></tr>
 <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td><p>商业</p>
   <p>企业</p></td><td>1</td><td>2</td></tr>
 <tr><td>（二）部分公开</td><td>0</td><td></td><td>4</td></tr>
</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
</div><footer>版权所有 网站地图</footer></body></html>"""


def test_html_rowspan_colspan_exact_grid_and_order():
    doc = read_document(HTML.encode("gbk"), "page.htm")
    assert doc.file_format == "html"
    assert doc.encoding == "gb18030"
    assert [type(b) for b in doc.blocks] == [TextBlock, TableBlock, TextBlock]
    assert doc.blocks[0].lines == [
        "某县2021年政府信息公开工作年度报告",
        "某县人民政府2021年政府信息公开工作年度报告",
        "一、总体情况",
        "本年收到申请12件。",
        "第二行",
    ]
    assert doc.blocks[1].rows == [
        ["（本列数据的勾稽关系为：第一项加第二项之和）", None, "申请人情况", None, None],
        [None, None, "自然人", "法人或其他组织", None],
        ["一、本年新收", "", "3", "0", "本年新制作数量"],
        ["三、本年度办理结果", "（一）予以公开", "商业企业", "1", "2"],
        [None, "（二）部分公开", "0", "", "4"],
    ]
    assert doc.blocks[2].lines == ["四、政府信息公开行政复议、行政诉讼情况"]
    text = doc.text()
    for chrome in ("隐藏", "首页", "版权所有", "网站标题", "var x"):
        assert chrome not in text


def test_html_layout_table_and_nested_tables():
    html = (
        "<html><body><table><tr><td>导航</td></tr><tr><td>"
        "<p>正文开始</p><table><tr><td>规章</td><td>1</td></tr>"
        "<tr><td>行政规范性文件</td><td><table><tr><td>8</td></tr></table></td></tr></table>"
        "</td></tr></table></body></html>"
    )
    doc = read_document(html.encode(), "a.html")
    assert "正文开始" in doc.text()
    assert doc.tables, "the data table inside the layout table should be a grid"
    assert doc.tables[0].rows[0] == ["规章", "1"]
    assert "8" in doc.text()


def test_html_utf16_and_meta_charset_big5():
    html = f"<html><head><meta http-equiv='Content-Type' content='text/html; charset=big5'></head><body><p>{TRADITIONAL}</p></body></html>"
    doc = read_document(html.encode("big5"), "x.html")
    assert doc.encoding in ("big5", "cp950")
    assert "盤錦市營商環境建設局" in doc.text()
    doc16 = read_document(HTML.replace("gb2312", "utf-16").encode("utf-16"), "x")
    assert doc16.file_format == "html"
    assert doc16.tables[0].rows[1][2] == "自然人"


def test_html_deeply_nested_divs_do_not_crash_or_hang():
    html = "<html><body>" + "<div>" * 10_000 + "深层的文字" + "</div>" * 10_000 + "</body></html>"
    doc = read_document(html.encode(), "deep.html")
    assert "深层的文字" in doc.text()
    unclosed = ("<html><body>" + "<div><span>" * 20_000 + "x").encode()
    _never_crashes(unclosed, "deep.html")
    tables = ("<table><tr><td>" * 3_000 + "x").encode()
    assert "x" in read_document(tables, "t.html").text()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<table>", "<tr>", "<td rowspan=3>", "<td colspan=0>",
                                 "</td>", "<br>", "&nbsp;", "文字", "<p>", "<script>", "<th rowspan=-1>",
                                 "</table>", "<td colspan=x>", "<!--", "-->", "<", ">"]), max_size=80))
def test_html_broken_markup_never_crashes(parts):
    _never_crashes(("<html>" + "".join(parts)).encode(), "b.html")


# -- DOCX ---------------------------------------------------------------------------------------


def _make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("某区2023年政府信息公开工作年度报告")
    d.add_paragraph("二、主动公开政府信息情况")
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "第二十条第（一）项"
    for j, label in enumerate(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]):
        t.cell(1, j).text = label
    t.cell(2, 0).merge(t.cell(3, 0)).text = "规章"  # vertical merge
    t.cell(2, 1).text = "1"
    t.cell(2, 2).merge(t.cell(2, 3)).text = "0"  # horizontal merge
    t.cell(3, 1).text = "8"
    t.cell(3, 2).text = "26"
    cell = t.cell(3, 3)
    cell.text = "商业"
    cell.add_paragraph("企业")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_merged_cells_exact_grid_in_body_order():
    doc = read_document(_make_docx(), "report.docx")
    assert doc.file_format == "docx"
    assert [type(b) for b in doc.blocks] == [TextBlock, TableBlock, TextBlock]
    assert doc.blocks[0].lines == ["某区2023年政府信息公开工作年度报告", "二、主动公开政府信息情况"]
    assert doc.blocks[1].rows == [
        ["第二十条第（一）项", None, None, None],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "0", None],
        [None, "8", "26", "商业企业"],
    ]
    assert doc.blocks[2].lines == ["三、收到和处理政府信息公开申请情况"]


def test_blank_2021_template_reads_into_grids():
    doc = read_document((REAL / "blank-2021-template.docx").read_bytes(), "模板.docx")
    shapes = [(len(t.rows), len(t.rows[0])) for t in doc.tables]
    assert shapes == [(14, 4), (28, 10), (4, 15)]
    t2, t3, t4 = doc.tables
    assert t2.rows[1] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
    assert t2.rows[2] == ["规章", "", "", ""]  # blank cells (ideographic spaces) are ""
    assert t3.rows[2][3:] == [None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None]
    assert t3.rows[5][:3] == ["三、本年度办理结果", "（一）予以公开", None]
    assert t3.rows[6][0] is None  # covered by the vertical 三、本年度办理结果 cell
    assert t4.rows[0][0] == "行政复议" and t4.rows[0][5] == "行政诉讼"
    assert t4.rows[3] == [""] * 15
    assert "一、总体情况" in doc.text()


def test_docx_zip_bomb_and_entry_count_refused():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (51 * 1024 * 1024))
    assert len(bomb.getvalue()) < 200_000
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_document(bomb.getvalue(), "bomb.docx")

    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
        for i in range(1001):
            zf.writestr(f"x/{i}.bin", b"")
    with pytest.raises(UnreadableFile, match="entries"):
        read_document(many.getvalue(), "many.docx")


def _docx_with(replace: dict[str, bytes]) -> bytes:
    """_make_docx with some parts' bytes replaced."""
    src = zipfile.ZipFile(io.BytesIO(_make_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def test_docx_reads_the_main_part_only():
    # A broken styles part does not stop the document being read (only word/document.xml is parsed).
    doc = read_document(_docx_with({"word/styles.xml": b"<w:styles><broken"}), "report.docx")
    assert doc.blocks[0].lines[0] == "某区2023年政府信息公开工作年度报告"
    assert doc.blocks[1].rows[2] == ["规章", "1", "0", None]


def test_docx_without_a_word_main_part_is_refused_with_the_reason():
    types = zipfile.ZipFile(io.BytesIO(_make_docx())).read("[Content_Types].xml")
    macro = types.replace(b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")
    with pytest.raises(UnreadableFile, match="not a Word file.*template"):
        read_document(_docx_with({"[Content_Types].xml": macro}), "template.docx")
    rels = zipfile.ZipFile(io.BytesIO(_make_docx())).read("_rels/.rels")
    no_main = rels.replace(b"relationships/officeDocument", b"relationships/somethingElse")
    with pytest.raises(UnreadableFile, match="no relationship of type"):
        read_document(_docx_with({"_rels/.rels": no_main}), "nomain.docx")
    with pytest.raises(UnreadableFile, match="malformed DOCX .XMLSyntaxError"):
        read_document(_docx_with({"word/document.xml": b"<w:document><w:body><w:p>"}), "broken.docx")


def test_docx_with_dtd_is_refused():
    src = zipfile.ZipFile(io.BytesIO(_make_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(
                    b"?>",
                    b'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                    1,
                )
            zf.writestr(info, data)
    with pytest.raises(UnreadableFile, match="DTD"):
        read_document(out.getvalue(), "xxe.docx")


def test_non_word_zip_and_legacy_formats_are_refused_with_reasons():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(UnreadableFile, match="not a Word"):
        read_document(buf.getvalue(), "a.xlsx")
    with pytest.raises(UnreadableFile, match="OLE2"):
        read_document(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "a.doc")
    with pytest.raises(UnreadableFile, match="empty"):
        read_document(b"", "a.txt")


# -- PDF ----------------------------------------------------------------------------------------


@functools.cache
def _real(name: str) -> Document:
    return read_document((REAL / name).read_bytes(), name)


def _row(doc: Document, label: str) -> list[str | None]:
    for table in doc.tables:
        for row in table.rows:
            if label in row:
                return row
    raise AssertionError(f"no table row labelled {label!r}")


def test_huaian_pdf_text_and_grids():
    doc = _real("huaian-2024.pdf")
    assert doc.file_format == "pdf" and doc.page_count == 6
    text = doc.text()
    for needle in ("淮安市人民政府", "2024 年政府信息公开工作年度报告", "3985758", "96171.6",
                   "447228", "行政处罚", "（七）总计", "3940 元"):
        assert needle in text
    # the prose framed by background boxes is text, not a one-column table
    assert isinstance(doc.blocks[0], TextBlock)
    assert not any("本报告由" in (c or "") for t in doc.tables for r in t.rows for c in r)
    assert _row(doc, "行政处罚") == ["行政处罚", "3985758"]
    assert _row(doc, "行政事业性收费") == ["行政事业性收费", "96171.6"]
    assert _row(doc, "一、本年新收政府信息公开申请数量")[3:] == ["3001", "53", "0", "0", "61", "4", "3119"]
    # the vertical group label and wrapped labels are joined inside their cells
    assert _row(doc, "（一）予以公开")[0] == "三、本年度办理结果"
    assert "（二）部分公开（区分处理的，只计这一情形，不计其他情形）" in _row(doc, "447")
    assert _row(doc, "（七）总计")[3:] == ["2932", "53", "0", "0", "61", "4", "3050"]
    assert _row(doc, "72")[:5] == ["72", "64", "178", "37", "351"]  # table 四's data row
    # table 三 runs over a page break; its two parts are joined into one 28 × 10 grid, the
    # same shape as the Word template's table (the split group label stays split)
    table3 = [t for t in doc.tables if "申请人情况" in t.rows[0]][0]
    assert (len(table3.rows), len(table3.rows[0])) == (28, 10)
    assert table3.rows[15][1] == "（四）无" and table3.rows[16][1] == "法提供"
    assert "- 4 -" not in text
    # blocks keep page order: the 三 heading comes before the 三 table
    order = [b.lines[0] if isinstance(b, TextBlock) else b.rows[0][0] for b in doc.blocks]
    assert order.index("三、收到和处理政府信息公开申请情况") < len(order) - 1


def test_hongze_pdf_text_and_grids():
    doc = _real("hongze-2024.pdf")
    assert doc.page_count == 5
    text = doc.text()
    for needle in ("淮安市洪泽区人民政府", "2.其他法律行政止公开", "9487", "2776", "7545"):
        assert needle in text
    assert "- 3 -" not in text  # page numbers are page furniture, dropped with a note
    assert any("page-number" in note for note in doc.notes)
    assert _row(doc, "（六）其他处理")[3:] == ["0"] * 7  # the single-row 2019-style （六）
    assert _row(doc, "（七）总计")[3:] == ["95", "0", "0", "0", "0", "0", "95"]
    table4 = [t for t in doc.tables if t.rows[0][0] == "行政复议"][0]
    assert table4.rows[-1] == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]


def test_unreadable_font_pdf_is_rejected_with_reason():
    with pytest.raises(UnreadableFile, match=r"cid"):
        read_document((REAL / "unreadable-font.pdf").read_bytes(), "unreadable-font.pdf")


def test_pdf_page_cap():
    with pytest.raises(UnreadableFile, match="PDF has 6 pages, over the cap of 3"):
        read_document((REAL / "huaian-2024.pdf").read_bytes(), "h.pdf", max_pages=3)


@functools.cache
def _small_pdf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 750, "某县人民政府2023年政府信息公开工作年度报告")
    xs, ys = [72, 200, 300], [700, 680, 660]
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    c.drawString(75, 686, "信息内容")
    c.drawString(205, 686, "本年制发件数")
    c.drawString(75, 666, "规章")
    c.drawString(205, 666, "3")
    c.drawString(72, 600, "四、政府信息公开行政复议、行政诉讼情况")
    c.showPage()
    c.save()
    return buf.getvalue()


def _png(width: int, height: int) -> bytes:
    raw = b"".join(b"\x00" + b"\x80" * width * 3 for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_generated_pdf_grid_between_text_lines():
    doc = read_document(_small_pdf(), "x.pdf")
    assert [type(b) for b in doc.blocks] == [TextBlock, TableBlock, TextBlock]
    assert doc.blocks[1].rows == [["信息内容", "本年制发件数"], ["规章", "3"]]


def test_fake_bold_pdf_is_deduplicated():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 16)
    for dx in (0, 0.2):  # the heading printed twice, a hair apart
        c.drawString(72 + dx, 750, "二、主动公开政府信息情况")
    c.setFont("STSong-Light", 12)
    c.drawString(72, 720, "本年制发规范性文件3件。")
    c.showPage()
    c.save()
    doc = read_document(buf.getvalue(), "bold.pdf")
    assert doc.blocks[0].lines == ["二、主动公开政府信息情况", "本年制发规范性文件3件。"]


def test_scanned_pdf_is_rejected_as_no_text_layer():
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawImage(ImageReader(io.BytesIO(_png(16, 16))), 72, 400, 300, 300)
    c.showPage()
    c.save()
    with pytest.raises(UnreadableFile, match="no text layer: scanned image"):
        read_document(buf.getvalue(), "scan.pdf")


# -- hostile input ------------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.6, 0.95])
def test_truncated_files_never_crash(fraction):
    for data, name in (
        (_small_pdf(), "t.pdf"),
        ((REAL / "hongze-2024.pdf").read_bytes(), "t.pdf"),
        (_make_docx(), "t.docx"),
        ((REAL / "blank-2021-template.docx").read_bytes(), "t.docx"),
    ):
        cut = data[: max(1, int(len(data) * fraction))]
        _never_crashes(cut, name)
        _never_crashes(cut, "unnamed")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(["x.txt", "x.html", "x.pdf", "x.docx", "x"]))
def test_random_bytes_never_crash(data, name):
    _never_crashes(data, name)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_pdf_and_docx_never_crash(data):
    source = data.draw(st.sampled_from(["pdf", "docx"]))
    original = bytearray(_small_pdf() if source == "pdf" else _make_docx())
    for _ in range(data.draw(st.integers(1, 12))):
        pos = data.draw(st.integers(0, len(original) - 1))
        original[pos] = data.draw(st.integers(0, 255))
    _never_crashes(bytes(original), f"m.{source}")


def test_sniffing_beats_extension():
    assert sniff_format(_small_pdf(), "report.txt") == "pdf"
    assert sniff_format(_make_docx(), "report.bin") == "docx"
    assert sniff_format(HTML.encode("gbk"), "report.txt") == "html"
    assert sniff_format(SIMPLIFIED.encode(), "report.html") == "text"  # no markup at all: text, whatever the name
    assert sniff_format(SIMPLIFIED.encode(), "report.md") == "text"
    assert sniff_format(b"not really a pdf", "report.pdf") == "pdf"  # the PDF reader says why


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_text_saved_as_html_is_read_as_text(encoding):
    """A plain-text report (not one tag in it) named .html: read as HTML its lines would run
    together, and its tables with them; it gives what the same bytes give as .txt."""
    from nianbao.parse.pipeline import parse_bytes

    text = (Path(__file__).resolve().parents[2] / "raw" / "samples" / "huzhou-nanxun-district-2020-pipe-tables.txt")
    data = text.read_text("utf-8").encode(encoding, errors="replace")
    assert sniff_format(data, "report.html") == "text"
    as_txt, as_html = parse_bytes(data, "report.txt"), parse_bytes(data, "report.html")
    assert len(as_txt.cells) > 150 and as_html.parse_status == as_txt.parse_status
    assert [(c.key, c.value) for c in as_html.cells] == [(c.key, c.value) for c in as_txt.cells]


def test_an_html_fragment_without_a_leading_html_tag_is_still_html():
    fragment = ("说明" * 600 + "<div><p>本年新收政府信息公开申请数量</p><table><tr><td>12</td></tr></table></div>").encode()
    assert sniff_format(fragment, "report.html") == "html"
    assert sniff_format("注释<!-- 只有注释 -->\n正文".encode(), "report.html") == "text"
