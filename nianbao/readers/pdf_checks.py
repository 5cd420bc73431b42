"""Checks around the PDF engine: what PDFium cannot be trusted with, and what it cannot do alone.

* ``oversized_stream``: a Flate stream inflating beyond 16 MB is refused before PDFium reads the
  file. A report page's content is a few KB; the engine needs ~20 bytes of memory per byte of
  drawing operators, and a process that runs out of memory inside PDFium is aborted, not given
  a MemoryError (the pool would only see a dead worker).
* ``open_with_catalog_found``: a PDF whose trailer names no catalog is opened with one that
  names the catalog found by scanning the file (pdfminer did so; PDFium does not).
* ``cjk_fonts_available``: whether PDFium finds a CJK font on this machine for text in fonts a
  PDF does not embed.
"""
from __future__ import annotations

import logging
import re
import zlib

import pypdfium2

_CATALOG = re.compile(rb"/Type\s*/Catalog\b")
_OBJECT_HEADER = re.compile(rb"(\d{1,10})\s+(\d{1,5})\s+obj\b")


def open_with_catalog_found(data: bytes):
    """The document opened with a trailer naming the last catalog object in the file, for a PDF
    whose own trailer points nowhere (pdfminer scanned for the catalog; PDFium does not)."""
    catalogs = list(_CATALOG.finditer(data))
    if not catalogs:
        return None
    catalog = catalogs[-1]
    headers = list(_OBJECT_HEADER.finditer(data, max(0, catalog.start() - 4096), catalog.start()))
    if not headers:
        return None
    number, generation = headers[-1].groups()
    try:
        return pypdfium2.PdfDocument(data + b"\ntrailer\n<</Root %s %s R>>\n%%%%EOF\n" % (number, generation))
    except pypdfium2.PdfiumError:
        return None


def truncation_hint(data: bytes) -> str:
    return "" if b"%%EOF" in data[-2048:] else ", probably truncated (no %%EOF at the end)"


MAX_INFLATED_STREAM = 16 << 20
_DEFLATE_MAX_RATIO = 1032  # what one byte of a deflate stream can inflate to, at most
_PROBE = 4096  # compressed bytes inflated first: a ratio below _SUSPICIOUS_RATIO ends the check
_SUSPICIOUS_RATIO = 64


def oversized_stream(data: bytes) -> str | None:
    """Why the file is refused before the engine reads it: a Flate stream that inflates to more
    than MAX_INFLATED_STREAM (images excepted: a blank scan compresses that well too)."""
    min_compressed = MAX_INFLATED_STREAM // _DEFLATE_MAX_RATIO
    keyword = data.find(b"stream")
    while keyword >= 0:
        at, keyword = keyword, data.find(b"stream", keyword + 6)
        if data[at - 3:at] == b"end":
            continue
        start = at + 6 + (2 if data[at + 6:at + 8] == b"\r\n" else 1)
        end = data.find(b"endstream", start)
        if (end if end >= 0 else len(data)) - start < min_compressed:
            continue
        head = data[max(0, at - 400):at]
        head = head[head.rfind(b"obj") + 1:]
        if b"Flate" not in head or b"/Image" in head:
            continue
        inflater = zlib.decompressobj()
        try:
            size = len(inflater.decompress(data[start:start + _PROBE], _PROBE * _SUSPICIOUS_RATIO))
            if not inflater.unconsumed_tail:
                continue  # the probe's bytes inflated at a ratio of a normal stream
            pending = inflater.unconsumed_tail
            position = start + _PROBE
            while size <= MAX_INFLATED_STREAM and not inflater.eof:
                if not pending:
                    pending = data[position:position + (1 << 16)]
                    position += 1 << 16
                    if not pending:
                        break
                size += len(inflater.decompress(pending, 1 << 20))
                pending = inflater.unconsumed_tail
        except zlib.error:
            continue
        if size > MAX_INFLATED_STREAM:
            return (f"a compressed stream of the PDF inflates to more than {MAX_INFLATED_STREAM >> 20} MB "
                    f"(from {(end if end >= 0 else len(data)) - start:,} bytes): a decompression bomb, or "
                    "a drawing rather than a report")
    return None


_cjk_fonts: bool | None = None


def cjk_fonts_available() -> bool:
    """Whether PDFium finds a font on this machine to measure Chinese text in a font the PDF does
    not embed. Without one, each such glyph has an empty outline and PDFium's text page leaves
    out every text object that holds only such glyphs. Checked once, on a one-glyph PDF (年 in
    Adobe's STSong-Light, which PDFs name and never embed). Call under ENGINE_LOCK."""
    global _cjk_fonts
    if _cjk_fonts is None:
        objects = [
            b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Count 1/Kids[3 0 R]>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
            b"<</Length 37>>stream\nBT /F1 12 Tf 72 100 Td <5E74> Tj ET\nendstream",
            b"<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H/DescendantFonts[6 0 R]>>",
            b"<</Type/Font/Subtype/CIDFontType0/BaseFont/STSong-Light/CIDSystemInfo"
            b"<</Registry(Adobe)/Ordering(GB1)/Supplement 2>>/FontDescriptor 7 0 R/DW 1000>>",
            b"<</Type/FontDescriptor/FontName/STSong-Light/Flags 6/FontBBox[-25 -254 1000 880]"
            b"/ItalicAngle 0/Ascent 880/Descent -120/CapHeight 880/StemV 93>>",
        ]
        body = bytearray(b"%PDF-1.4\n")
        offsets = []
        for number, obj in enumerate(objects, 1):
            offsets.append(len(body))
            body += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
        xref = len(body)
        body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        body += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
        with pypdfium2.PdfDocument(bytes(body)) as doc:
            page = doc[0]
            text_page = page.get_textpage()
            _cjk_fonts = text_page.count_chars() == 1 and text_page.get_text_range() == "年"
            text_page.close()
            page.close()
        if not _cjk_fonts:
            logging.getLogger(__name__).warning(
                "PDFium finds no CJK font on this machine: Chinese text in fonts a PDF does not embed "
                "cannot be read (install one, e.g. Debian's fonts-noto-cjk)")
    return _cjk_fonts
