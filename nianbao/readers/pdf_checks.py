"""Checks around the PDF engine: what PDFium cannot be trusted with, and what it cannot do alone.

* ``oversized_stream``: a Flate stream inflating beyond 16 MB is refused before PDFium reads the
  file. A report page's content is a few KB; the engine needs ~20 bytes of memory per byte of
  drawing operators, and a process that runs out of memory inside PDFium is aborted, not given
  a MemoryError (the pool would only see a dead worker).
* ``open_with_catalog_found``: a PDF whose trailer names no catalog is opened with one that
  names the catalog found by scanning the file (pdfminer did so; PDFium does not).
"""
from __future__ import annotations

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
