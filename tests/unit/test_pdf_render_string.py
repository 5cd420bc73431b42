"""The PDF reader's characters built a string at a time (``CharDictDevice.render_string_horizontal``,
with each font's glyph texts, widths and decoded strings cached) against pdfplumber's own pages
and against pdfminer's glyph-at-a-time way: the same char dicts, key order and every float bit
for bit (compared by repr), on hand-made content streams with rotated, skewed,
mirrored and degenerate matrices, character / word spacing, horizontal scaling, rise, TJ offsets
(a bool among them), unmapped glyphs, a shifted media box and Unicode normalisation."""
from __future__ import annotations

import io
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pdfplumber = pytest.importorskip("pdfplumber")
reportlab = pytest.importorskip("reportlab")

from nianbao.readers.pdf import _fast_page_class  # noqa: E402

pytestmark = pytest.mark.skipif(_fast_page_class() is None, reason="pdfplumber's own pages")

_CONTENT = """
BT /{c} 12 Tf 72 700 Td <4E2D6587002000414E2D> Tj ET
BT /{c} 10 Tf 2 Tc 5 Tw 80 Tz 3 Ts 72 650 Td [<4E2D> -250 <6587> 33.5 <0020> true <4E2D> -1e] TJ ET
BT /{c} 9 Tf 0.866 0.5 -0.5 0.866 100 100 Tm <4E2D65870020> Tj T* <6587> ' ET
BT /{c} 9 Tf -1 0 0 -1 400 400 Tm <4E2D6587> Tj 1 0.3 0 1 10 10 Tm <4E2D> Tj ET
q 0 1 -1 0 300 300 cm BT /{c} 11 Tf 20 20 Td <4E2D6587> Tj ET Q
q 2 0 0 -3 0 500 cm BT /{h} 7 Tf 1.5 Tw (Hello World \\001\\002 x) Tj ET Q
BT /{h} 0 Tf 5 5 Td (zero size) Tj 0 0 0 0 5 5 Tm (flat) Tj ET
BT /{h} 12 Tf 3 4 6 Ts 50 Tz 1 2 Td [(A) -120.75 (B  C) 7 (\\247)] TJ 1 1 (q) " ET
BT /{h} 10 Tf 0.1 0.2 0.3 0.4 0.5 0.6 Tm -0.0001 Tc (tiny) Tj ET
q 0.7071 0.7071 -0.7071 0.7071 123.456 78.9012 cm
BT /{c} 10.3 Tf 0.37 Tc 1.13 Tw 93.7 Tz 0.77 Ts 0.9 0.31 -0.13 1.07 17.3 29.1 Tm
[<4E2D> -13.7 <65870020> <4E2D6587>] TJ 0.3 -11.9 Td <6587> Tj ET
BT /{h} 8.7 Tf 1.3 0.1 0.7 -0.9 51.17 33.3 Tm 0.21 Tc 0.43 Tw (odd  numbers, 0.1) Tj ET Q
"""


def _pdf(shift_mediabox: bool) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pageCompression=0)
    for page in range(2):  # the second page meets the glyphs the first one cached
        c.setFont("STSong-Light", 12)
        c.drawString(72, 760, "某县人民政府信息公开")
        c.setFont("Helvetica", 10)
        c.drawString(72, 740, f"page {page}")
        names = {"c": c._doc.getInternalFontName("STSong-Light")[1:],
                 "h": c._doc.getInternalFontName("Helvetica")[1:]}
        c.addLiteral(_CONTENT.format(**names))
        for i in range(1, 25):  # awkward decimals everywhere: any change in rounding shows
            c.addLiteral(f"BT /{names['c' if i % 2 else 'h']} {7 + i / 7:.4f} Tf {i / 3:.5f} Tc {i / 11:.5f} Tw "
                         f"{0.9 + i / 13:.5f} {i / 17 - 0.5:.5f} {0.3 - i / 19:.5f} {1.1 - i / 23:.5f} "
                         f"{i * 7.31:.3f} {i * 29.7:.3f} Tm {i / 9:.4f} {-i / 7:.4f} Td "
                         + ("[<4E2D6587> -7.3 <00204E2D>] TJ" if i % 2 else "[(ab c) -7.3 (d)] TJ") + " ET")
        c.showPage()
    c.save()
    data = buf.getvalue()
    if shift_mediabox:
        assert b"/MediaBox [ 0 0 " in data
        data = data.replace(b"/MediaBox [ 0 0 ", b"/MediaBox [3 -7 ")  # same length: xref holds
    return data


def _chars(data: bytes, fast: bool, **kwargs) -> list[str]:
    out = []
    with pdfplumber.open(io.BytesIO(data), **kwargs) as pdf:
        for page in pdf.pages:
            if fast:
                page.__class__ = _fast_page_class()
            out.append(repr([list(c.items()) for c in page.chars]))
    return out


@pytest.mark.parametrize("shift", [False, True])
@pytest.mark.parametrize("norm", [None, "NFKC"])
def test_string_at_a_time_chars_equal_pdfplumbers_bit_for_bit(shift, norm):
    data = _pdf(shift)
    kwargs = {"unicode_norm": norm} if norm else {}
    stock = _chars(data, fast=False, **kwargs)
    fast = _chars(data, fast=True, **kwargs)
    assert fast == stock
    assert sum(s.count("'object_type', 'char'") for s in fast) > 60
    assert "(cid:1)" in fast[0]  # an unmapped glyph


def test_debug_logging_of_the_glyph_lookups_takes_pdfminers_way(monkeypatch):
    # the cached lookups skip pdfminer's debug lines: with them switched on, each glyph is
    # rendered by render_char (and logs), with the same result
    data = _pdf(False)
    device_class = _fast_page_class().device_class
    calls = []
    original = device_class.render_char
    monkeypatch.setattr(device_class, "render_char", lambda self, *a: calls.append(1) or original(self, *a))
    fast = _chars(data, fast=True)
    assert not calls
    logger = logging.getLogger("pdfminer.cmapdb")
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        slow = _chars(data, fast=True)
    finally:
        logger.setLevel(level)
    assert calls
    assert slow == fast


def _cmap(codes):
    from pdfminer.cmapdb import FileCMap

    cmap = FileCMap()
    for code, cid in codes:
        cmap.add_code2cid(code.decode("latin-1"), cid)
    return cmap


_CODES = st.lists(st.tuples(st.binary(min_size=1, max_size=3), st.integers(0, 70000)), max_size=30)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_CODES, st.binary(max_size=40))
def test_cmap_decoded_without_the_generator_as_pdfminer_decodes(codes, data):
    from pdfminer.pdffont import PDFCIDFont

    font = PDFCIDFont.__new__(PDFCIDFont)
    try:
        font.cmap = _cmap(codes)
    except (TypeError, AttributeError):
        return  # a code that is a prefix of another: pdfminer's own CMap breaks on it
    decode = _fast_page_class().device_class.decode_string
    assert decode(font, data) == tuple(font.decode(data))


def test_other_fonts_decode_through_their_own_decode():
    from pdfminer.cmapdb import IdentityCMap
    from pdfminer.pdffont import PDFCIDFont

    decode = _fast_page_class().device_class.decode_string
    font = PDFCIDFont.__new__(PDFCIDFont)
    font.cmap = IdentityCMap()
    assert decode(font, b"\x4e\x2d\x65\x87\x01") == (0x4E2D, 0x6587)

    class Simple:
        def decode(self, data):
            return bytearray(data)

    assert decode(Simple(), b"ab") == (97, 98)
