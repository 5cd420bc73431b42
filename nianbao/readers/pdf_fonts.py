"""The one font PDFium gets for every font a PDF names without embedding it: every character a box.

PDFium measures each glyph's outline to place a text object, and leaves out of its text page any
object whose glyphs have no outline. A font the PDF does not embed (reportlab's STSong-Light,
宋体 in many real reports) is replaced by a system font, so what was read depended on the fonts
installed on the machine (without a CJK one, every one-character object vanished) and a CJK
substitute made every glyph load an outline (docs/scaling.md). Text is never drawn here: the reader needs
each glyph's code, its Unicode text and its advance, which come from the PDF's own font
dictionary, and an outline that is not empty. So every font request is answered with a tiny
TrueType font whose glyphs are all one box (``FPDF_SetSystemFontInfo``, PDFium's public API).
"""
from __future__ import annotations

import ctypes as C
import struct

import pypdfium2.raw as pdfium

_UNITS = 1000
_ASCENT, _DESCENT = 880, -120  # used only when a PDF's font descriptor gives neither


def box_font(outlines: bool = True) -> bytes:
    """A TrueType font of two glyphs (``.notdef`` and a box, both the box, one em wide), every
    Unicode code point mapped to the box (a format-13 "last resort" cmap). Without
    ``outlines``, both glyphs are empty, as a damaged font's are to PDFium."""
    x0, y0, x1, y1 = 50, _DESCENT, _UNITS - 50, _ASCENT
    box = struct.pack(">hhhhhHHBBBBhhhhhhhh", 1, x0, y0, x1, y1, 3, 0, 1, 1, 1, 1,
                      x0, 0, x1 - x0, 0, y0, y1 - y0, 0, y0 - y1) + b"\0\0" if outlines else b""
    tables = {
        b"cmap": struct.pack(">HHHHI", 0, 1, 3, 10, 12) + struct.pack(">HHIIIIII", 13, 0, 28, 0, 1, 0, 0x10FFFF, 1),
        b"glyf": box + box,
        b"head": struct.pack(">IIIIHHqqhhhhHHhhh", 0x10000, 0x10000, 0, 0x5F0F3CF5, 0, _UNITS, 0, 0,
                             x0, y0, x1, y1, 0, 8, 2, 0, 0),
        b"hhea": struct.pack(">IhhhHhhhhhhhhhhhH", 0x10000, _ASCENT, _DESCENT, 0, _UNITS, x0, x0, x1,
                             1, 0, 0, 0, 0, 0, 0, 0, 2),
        b"hmtx": struct.pack(">HhHh", _UNITS, x0, _UNITS, x0),
        b"loca": struct.pack(">HHH", 0, len(box) // 2, len(box)),
        b"maxp": struct.pack(">IHHHHHHHHHHHHHH", 0x10000, 2, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0),
        b"post": struct.pack(">IIhhIIIII", 0x30000, 0, 0, 0, 0, 0, 0, 0, 0),
    }
    directory = bytearray(struct.pack(">IHHHH", 0x10000, len(tables), 128, 3, len(tables) * 16 - 128))
    body = bytearray()
    offset = len(directory) + 16 * len(tables)
    for tag in sorted(tables):
        data = tables[tag]
        directory += struct.pack(">4sIII", tag, 0, offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    return bytes(directory + body)


_FONT = box_font()
_FACE_NAME = b"NianbaoBox\0"
_GB2312_CHARSET = 134  # what the font says it covers, so that PDFium takes it for Chinese too
_installed: pdfium.FPDF_SYSFONTINFO | None = None


def _font_data(this, font, table, buffer, size):
    if table != 0:
        return 0  # a single table: PDFium then asks for the whole file
    if buffer and size >= len(_FONT):
        C.memmove(buffer, _FONT, len(_FONT))
    return len(_FONT)


def _face_name(this, font, buffer, size):
    if buffer and size >= len(_FACE_NAME):
        C.memmove(buffer, _FACE_NAME, len(_FACE_NAME))
    return len(_FACE_NAME)


def install_box_font() -> None:
    """Answer every font request of PDFium in this process with the box font (once)."""
    global _installed
    if _installed is not None:
        return
    fields = dict(pdfium.FPDF_SYSFONTINFO._fields_)
    info = pdfium.FPDF_SYSFONTINFO()
    info.version = 1
    for name, callback in (
        ("Release", lambda this: None),
        ("EnumFonts", lambda this, mapper: None),
        ("MapFont", lambda this, weight, italic, charset, pitch, face, exact: 1),
        ("GetFont", lambda this, face: 1),
        ("GetFontData", _font_data),
        ("GetFaceName", _face_name),
        ("GetFontCharset", lambda this, font: _GB2312_CHARSET),
        ("DeleteFont", lambda this, font: None),
    ):
        setattr(info, name, fields[name](callback))
    pdfium.FPDF_SetSystemFontInfo(C.byref(info))
    _installed = info  # PDFium keeps the pointer: the struct and its callbacks must live on
