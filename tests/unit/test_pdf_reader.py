"""The PDF reader on shapes that trip a text layer up: repeated text objects, stacked labels in a
vertical font, forms, rotated pages, unruled columns, fake bold, hostile content.

Each PDF is drawn here with reportlab (or written by hand where reportlab cannot draw the shape),
so the expected text is known exactly.
"""
from __future__ import annotations

import io
import threading
import zlib

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from nianbao.readers.document import TableBlock, TextBlock, UnreadableFile
from nianbao.readers.pdf import read_pdf
from nianbao.readers.pdf_checks import MAX_INFLATED_STREAM
from nianbao.readers.pdf_engine import MAX_PAGE_OBJECTS
from tests.adversarial import pdf_from_objects

FONT = "STSong-Light"
VERTICAL_FONT = "STSong-Light-V"


def _fonts() -> None:
    if VERTICAL_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        vertical = UnicodeCIDFont(FONT, isVertical=True)  # CMap UniGB-UCS2-V
        vertical.name = vertical.fontName = VERTICAL_FONT
        pdfmetrics.registerFont(vertical)


def _canvas() -> tuple[canvas.Canvas, io.BytesIO]:
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont(FONT, 12)
    return c, buf


def _grid(c: canvas.Canvas, xs: list[float], ys: list[float]) -> None:
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)


def _tables(data: bytes) -> list[list[list[str | None]]]:
    return [b.rows for b in read_pdf(data).blocks if isinstance(b, TableBlock)]


def test_repeated_text_objects_each_printed_at_their_own_origin_are_all_read():
    # reportlab (and Word's PDF export) moves to each cell with `cm` and prints at (0, 0): every
    # "0" is the same text object in its own coordinates. PDFium's text page once dropped such
    # repeats; each must be read in its cell.
    c, buf = _canvas()
    xs, ys = [72, 200, 260, 320, 380], [700, 680, 660, 640]
    _grid(c, xs, ys)
    for r, label in enumerate(("（一）予以公开", "（二）部分公开", "（三）不予公开")):
        c.drawString(75, ys[r] - 15, label)
        for k in range(3):
            c.saveState()
            c.translate(xs[k + 1] + 5, ys[r] - 15)
            c.drawString(0, 0, "0")
            c.restoreState()
    c.showPage()
    c.save()
    assert _tables(buf.getvalue()) == [[
        ["（一）予以公开", "0", "0", "0"],
        ["（二）部分公开", "0", "0", "0"],
        ["（三）不予公开", "0", "0", "0"],
    ]]


def test_stacked_label_in_a_vertical_font_stays_in_its_cell():
    # hongze-2024 prints 三、本年度办理结果 one character a line in a vertical-writing font,
    # under a 0.05 scale: PDFium's own character box ignores that scale (199 pt wide).
    c, buf = _canvas()
    c.drawString(72, 750, "三、收到和处理政府信息公开申请情况")
    xs, ys = [72, 120, 300], [700, 560, 420]
    _grid(c, xs, ys)
    c.saveState()
    c.scale(0.05, 0.05)
    c.setFont(VERTICAL_FONT, 200)
    c.drawString(90 * 20, 690 * 20, "三、本年度")
    c.restoreState()
    c.setFont(FONT, 10)
    c.drawString(130, 630, "（一）予以公开")
    c.drawString(130, 490, "（二）部分公开")
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue())
    assert doc.blocks[-1].rows == [["三、本年度", "（一）予以公开"], ["", "（二）部分公开"]]
    assert doc.blocks[0].lines == ["三、收到和处理政府信息公开申请情况"]


def test_text_and_rules_inside_a_form_xobject():
    c, buf = _canvas()
    c.beginForm("table")
    _grid(c, [72, 200, 300], [700, 680, 660])
    c.setFont(FONT, 10)
    c.drawString(75, 686, "信息内容")
    c.drawString(205, 686, "本年制发件数")
    c.drawString(75, 666, "规章")
    c.drawString(205, 666, "3")
    c.endForm()
    c.drawString(72, 750, "二、主动公开政府信息情况")
    c.saveState()
    c.translate(0, -100)  # the form drawn lower: its matrix applies to its rules and text alike
    c.doForm("table")
    c.restoreState()
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue())
    assert doc.blocks[0].lines == ["二、主动公开政府信息情况"]
    assert doc.blocks[1].rows == [["信息内容", "本年制发件数"], ["规章", "3"]]


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_page_reads_as_displayed(rotation):
    # a portrait page shown landscape (/Rotate): its content is drawn turned the other way, so
    # that it reads upright on screen; lines and tables come out as displayed
    c, buf = _canvas()
    c.setPageRotation(rotation)
    width, height = A4
    shown_width = height if rotation in (90, 270) else width
    shown_height = width if rotation in (90, 270) else height
    # map the displayed page (x right, y up) onto the unrotated one
    if rotation == 90:
        c.transform(0, 1, -1, 0, width, 0)
    elif rotation == 180:
        c.transform(-1, 0, 0, -1, width, height)
    elif rotation == 270:
        c.transform(0, -1, 1, 0, 0, height)
    top = shown_height - 72
    c.drawString(72, top, "某县人民政府2023年政府信息公开工作年度报告")
    _grid(c, [72, 200, 300], [top - 40, top - 60, top - 80])
    c.drawString(75, top - 54, "信息内容")
    c.drawString(205, top - 54, "本年制发件数")
    c.drawString(75, top - 74, "规章")
    c.drawString(205, top - 74, "3")
    c.drawString(72, top - 120, "四、政府信息公开行政复议、行政诉讼情况")
    assert shown_width > 300
    c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue())
    assert [type(b) for b in doc.blocks] == [TextBlock, TableBlock, TextBlock]
    assert doc.blocks[0].lines == ["某县人民政府2023年政府信息公开工作年度报告"]
    assert doc.blocks[1].rows == [["信息内容", "本年制发件数"], ["规章", "3"]]
    assert doc.blocks[2].lines == ["四、政府信息公开行政复议、行政诉讼情况"]


def test_a_page_printed_twice_over_itself_is_deduplicated():
    # fake bold drawn glyph by glyph, the whole line again 0.85 pt to the right: each glyph's
    # twin is a dozen text objects back and more than 0.07 em away, where PDFium's own checks for
    # repeats do not look
    c, buf = _canvas()
    line = "二、主动公开政府信息情况及解读"
    for dx in (0, 0.85):
        x = 72 + dx
        for ch in line:
            c.setFont(FONT, 10)
            c.drawString(x, 750, ch)
            x += pdfmetrics.stringWidth(ch, FONT, 10)
    c.showPage()
    c.save()
    assert read_pdf(buf.getvalue()).blocks[0].lines == [line]


def test_unruled_columns_keep_their_gaps_and_prose_single_spaces():
    c, buf = _canvas()
    c.setFont(FONT, 10)
    c.drawString(72, 750, "本年度 共受理 申请 17 件。")  # word spaces stay single
    c.drawString(72, 720, "（一）予以公开")
    for k, value in enumerate(("50", "0", "0", "50")):
        c.drawString(260 + 40 * k, 720, value)
    c.showPage()
    c.save()
    lines = read_pdf(buf.getvalue()).blocks[0].lines
    assert lines[0] == "本年度 共受理 申请 17 件。"
    label, *values = lines[1].split("  ")
    assert label == "（一）予以公开"
    assert [v.strip() for v in values if v.strip()] == ["50", "0", "0", "50"]
    assert "   " in lines[1]  # a 40 pt column step: several spaces
    assert lines[1].split() == ["（一）予以公开", "50", "0", "0", "50"]


def test_line_end_hyphen_is_kept():
    # PDFium marks a hyphen that ends a line before a letter as a soft hyphen; it is printed
    c, buf = _canvas()
    c.setFont("Helvetica", 12)
    c.drawString(72, 750, "Annual report-")
    c.drawString(72, 730, "2023 figures of the county")
    c.showPage()
    c.save()
    assert read_pdf(buf.getvalue()).blocks[0].lines == ["Annual report-", "2023 figures of the county"]


def test_concurrent_reads_from_threads_agree():
    # PDFium is not thread-safe: the reader serialises its calls
    c, buf = _canvas()
    for i in range(3):
        c.drawString(72, 750, f"第{i + 1}页 某县人民政府2023年政府信息公开工作年度报告")
        _grid(c, [72, 200, 300], [700, 680, 660])
        c.drawString(75, 686, "规章")
        c.drawString(205, 686, str(i))
        c.drawString(75, 666, "行政规范性文件")
        c.drawString(205, 666, str(i * 7))
        c.showPage()
    c.save()
    data = buf.getvalue()
    expected = read_pdf(data)
    results: list = []

    def work():
        for _ in range(5):
            results.append(read_pdf(data))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(r == expected for r in results)


def test_encrypted_pdf_is_rejected():
    from reportlab.lib.pdfencrypt import StandardEncryption

    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=StandardEncryption("secret", canPrint=0))
    c.setFont(FONT, 12)
    c.drawString(72, 750, "某县人民政府2023年政府信息公开工作年度报告")
    c.showPage()
    c.save()
    with pytest.raises(UnreadableFile, match="PDF is encrypted"):
        read_pdf(buf.getvalue())


def _page_with_content(content: bytes, compress: bool = False) -> bytes:
    stream = zlib.compress(content, 9) if compress else content
    filter_ = b"/Filter/FlateDecode" if compress else b""
    return pdf_from_objects([
        b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 800]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>>>",
        b"<</Length %d%s>>\nstream\n" % (len(stream), filter_) + stream + b"\nendstream",
    ])


def test_decompression_bomb_is_refused_before_the_engine_reads_it():
    content = b"0 0 m 1 1 l S " * ((MAX_INFLATED_STREAM + (1 << 20)) // 14)
    with pytest.raises(UnreadableFile, match="decompression bomb"):
        read_pdf(_page_with_content(content, compress=True))
    # the same drawing below the limit is read (and holds no text)
    small = b"BT /F1 12 Tf 72 700 Td (Annual report of the county 2023) Tj ET " + b"0 0 m 1 1 l S " * 1000
    assert read_pdf(_page_with_content(small, compress=True)).blocks[0].lines == ["Annual report of the county 2023"]


def test_a_page_drawing_too_many_objects_is_skipped_with_a_note():
    text = b"BT /F1 12 Tf 72 700 Td (Annual report of the county 2023, page %d) Tj ET "
    busy = text % 2 + b"0 0 m 1 1 l S " * (MAX_PAGE_OBJECTS + 1)
    font = b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>>>>>"
    two_pages = pdf_from_objects([
        b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 2/Kids[3 0 R 5 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 800]/Contents 4 0 R" + font + b">>",
        b"<</Length %d>>\nstream\n" % len(text % 1) + text % 1 + b"\nendstream",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 800]/Contents 6 0 R" + font + b">>",
        b"<</Length %d>>\nstream\n" % len(busy) + busy + b"\nendstream",
    ])
    doc = read_pdf(two_pages)
    assert doc.blocks[0].lines == ["Annual report of the county 2023, page 1"]
    assert f"unreadable pages skipped: page 2 (the page draws more than {MAX_PAGE_OBJECTS:,} objects)" in doc.notes
    with pytest.raises(UnreadableFile, match=f"^no page could be read: page 1 .*more than {MAX_PAGE_OBJECTS:,}"):
        read_pdf(_page_with_content(busy))


def test_one_glyph_objects_in_a_font_the_pdf_does_not_embed_are_read():
    # STSong-Light is never embedded; each glyph drawn as its own text object (as Word exports
    # do): PDFium measures them with the box font, whatever fonts this machine has
    c, buf = _canvas()
    x = 72.0
    for ch in "某县人民政府2023年政府信息公开工作年度报告":
        c.drawString(x, 750, ch)
        x += pdfmetrics.stringWidth(ch, FONT, 12)
    c.showPage()
    c.save()
    assert read_pdf(buf.getvalue()).blocks[0].lines == ["某县人民政府2023年政府信息公开工作年度报告"]


def test_fonts_the_pdf_does_not_embed_are_given_the_box_font():
    import ctypes

    import pypdfium2
    import pypdfium2.raw as pdfium

    from nianbao.readers.pdf_fonts import box_font

    c, buf = _canvas()
    c.drawString(72, 750, "某县人民政府2023年政府信息公开工作年度报告")
    c.showPage()
    c.save()
    read_pdf(buf.getvalue())  # the reader sets PDFium's font source up on first use
    with pypdfium2.PdfDocument(buf.getvalue()) as doc:
        page = doc[0]
        text = pdfium.FPDFPage_GetObject(page.raw, 0)
        assert pdfium.FPDFPageObj_GetType(text) == pdfium.FPDF_PAGEOBJ_TEXT
        font = pdfium.FPDFTextObj_GetFont(text)
        assert not pdfium.FPDFFont_GetIsEmbedded(font)
        size = ctypes.c_size_t()
        pdfium.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
        data = (ctypes.c_uint8 * size.value)()
        pdfium.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
        assert bytes(data) == box_font()  # the substitute PDFium measures with
        # and FreeType reads it: a glyph of any character has the box's four corners
        loaded = pdfium.FPDFText_LoadFont(doc.raw, data, len(data), pdfium.FPDF_FONT_TRUETYPE, 0)
        assert loaded
        path = pdfium.FPDFFont_GetGlyphPath(loaded, ord("A"), 12.0)
        assert path and pdfium.FPDFGlyphPath_CountGlyphSegments(path) >= 4
        pdfium.FPDFFont_Close(loaded)
        page.close()


def test_a_trailer_naming_no_catalog_is_repaired_by_scanning():
    c, buf = _canvas()
    c.drawString(72, 750, "某县人民政府2023年政府信息公开工作年度报告")
    c.showPage()
    c.save()
    data = buf.getvalue()
    root = data.rindex(b"/Root ")
    broken = data[:root] + b"/Root 999 0 R /Foo" + data[root + len(b"/Root"):]
    doc = read_pdf(broken)
    assert doc.blocks[0].lines == ["某县人民政府2023年政府信息公开工作年度报告"]
    assert any("catalog was found by scanning" in n for n in doc.notes)


def _pdf_with_outlineless_font(objects_in_it: int) -> bytes:
    # Helvetica prose, and `objects_in_it` numbers drawn one text object each in an embedded
    # TrueType font whose glyphs are empty (what PDFium makes of a damaged font program); an
    # object of one glyph then has no extent, and PDFium's text page leaves it out
    from nianbao.readers.pdf_fonts import box_font

    empty = box_font(outlines=False)
    content = b"BT /F1 12 Tf 72 760 Td (Annual report of the county government 2023) Tj ET "
    content += b"".join(b"BT /F2 12 Tf %d 700 Td (%d) Tj ET " % (72 + 30 * i, i % 10) for i in range(objects_in_it))
    return pdf_from_objects([
        b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 800]/Contents 4 0 R"
        b"/Resources<</Font<</F1<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>/F2 5 0 R>>>>>>",
        b"<</Length %d>>\nstream\n" % len(content) + content + b"\nendstream",
        b"<</Type/Font/Subtype/TrueType/BaseFont/Damaged/FirstChar 32/LastChar 126/Widths[" + b"600 " * 95
        + b"]/FontDescriptor 6 0 R>>",
        b"<</Type/FontDescriptor/FontName/Damaged/Flags 32/FontBBox[50 -120 950 880]/ItalicAngle 0"
        b"/Ascent 880/Descent -120/CapHeight 880/StemV 80/FontFile2 7 0 R>>",
        b"<</Length %d>>\nstream\n" % len(empty) + empty + b"\nendstream",
    ])


def test_text_the_engine_cannot_place_rejects_the_file_when_it_is_more_than_a_few_objects():
    # its digits would be lost and their cells read as blank
    with pytest.raises(UnreadableFile, match="12 of 13 text objects have glyphs without outlines"):
        read_pdf(_pdf_with_outlineless_font(12))
    doc = read_pdf(_pdf_with_outlineless_font(1))
    assert doc.blocks[0].lines == ["Annual report of the county government 2023"]
    assert "1 text object(s) without glyph outlines not read (spaces, or a damaged font)" in doc.notes


def test_a_running_header_is_dropped_so_a_label_wrapped_over_the_page_break_joins():
    c, buf = _canvas()
    for lines in (["2023年政府信息公开工作年度报告", "（六）其他处理 1.申请人无正当理由", "0 0 0"],
                  ["2023年政府信息公开工作年度报告", "逾期不补正", "3.其他 0 0 0", "0 0 0"],
                  ["2023年政府信息公开工作年度报告", "五、存在的主要问题"]):
        c.setFont(FONT, 12)  # (a new page starts in Helvetica)
        for k, text in enumerate(lines):
            c.drawString(72, 780 - 30 * k, text)
        c.showPage()
    c.save()
    doc = read_pdf(buf.getvalue())
    lines = [line for b in doc.blocks if isinstance(b, TextBlock) for line in b.lines]
    assert lines == ["（六）其他处理 1.申请人无正当理由", "0 0 0", "逾期不补正", "3.其他 0 0 0", "0 0 0",
                     "五、存在的主要问题"]
    assert any("3 running header" in n for n in doc.notes)


def test_figures_repeated_at_the_edge_of_pages_are_no_header():
    c, buf = _canvas()
    for _ in range(2):
        c.setFont(FONT, 12)
        c.drawString(72, 780, "0 0 0 0 0 0 0")
        c.drawString(72, 750, "本机关本年度未收到相关申请")
        c.showPage()
    c.save()
    lines = [line for b in read_pdf(buf.getvalue()).blocks if isinstance(b, TextBlock) for line in b.lines]
    assert lines.count("0 0 0 0 0 0 0") == 2
