"""The DOCX reader's package handling: one ZipFile for the check and the reading, the main part
found by the package's relationships and content types and parsed without python-docx's element
classes — python-docx's messages kept at the edges."""
from __future__ import annotations

import io
import zipfile

import pytest

from nianbao.readers.document import UnreadableFile
from nianbao.readers.docx import check_docx_zip, read_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
      b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
      b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
      b'"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
      b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        b'Target="word/document.xml"/></Relationships>')
DOC = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>第一段</w:t></w:r></w:p>'
       '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>合计</w:t>'
       '</w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
       '<w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>'
       ).encode()


def _docx(document: bytes = DOC, extra: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CT)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml", document)
        for name, blob in (extra or {}).items():
            zf.writestr(name, blob)
    return out.getvalue()


def test_reads_paragraphs_and_tables():
    doc = read_docx(_docx())
    assert [getattr(b, "rows", None) for b in doc.blocks] == [None, [["合计", None], ["1", "2"]]]


def test_main_part_not_a_w_document_is_refused_naming_its_root():
    with pytest.raises(UnreadableFile, match="main document part's root is x, not w:document"):
        read_docx(_docx(b"<x/>"))


def test_main_part_without_body():
    with pytest.raises(UnreadableFile, match="has no w:body"):
        read_docx(_docx(f'<w:document xmlns:w="{W}"/>'.encode()))


def test_dtd_in_any_xml_part_refused():
    data = _docx(extra={"word/styles.xml": b"<!DOCTYPE x []><x/>"})
    with pytest.raises(UnreadableFile, match="word/styles.xml declares a DTD"):
        check_docx_zip(data)
    with pytest.raises(UnreadableFile, match="word/styles.xml declares a DTD"):
        read_docx(data)


def test_xml_part_that_fails_to_inflate_is_reported_as_before():
    data = bytearray(_docx(extra={"customXml/item1.xml": b"<a>" + b"x" * 100 + b"</a>"}))
    central = bytes(data).find(b"customXml/item1.xml", bytes(data).find(b"PK\x01\x02"))
    data[central - 46 + 16] ^= 0xFF  # the central directory's CRC-32 of that part
    with pytest.raises(UnreadableFile, match="customXml/item1.xml unreadable .*CRC"):
        read_docx(bytes(data))
