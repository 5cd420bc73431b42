"""File readers: bytes of a text, HTML, PDF or DOCX file → :class:`~nianbao.readers.document.Document`.

``read_document(data, filename)`` sniffs the content first (``%PDF-``; a ZIP holding
``word/document.xml``; HTML markup in the first KB) and falls back on the extension. Any
failure inside a reader surfaces as :class:`~nianbao.readers.document.UnreadableFile` whose message is
the human-readable rejection reason (the original exception type is kept in it).
"""
from __future__ import annotations

import os

from nianbao.readers.decode import decode_bytes
from nianbao.readers.document import Document, TextBlock, UnreadableFile

__all__ = ["read_document", "read_text", "sniff_format", "replacement_notes"]

HTML_EXTENSIONS = frozenset({".html", ".htm", ".shtml", ".xhtml", ".asp", ".aspx", ".jsp", ".php"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_MAX_REASON = 300


def sniff_format(data: bytes, filename: str = "") -> str:
    """``pdf``, ``docx``, ``html`` or ``text`` — or raise UnreadableFile for formats no reader
    handles (legacy .doc, RTF, images, other ZIPs)."""
    head = data[:1024]
    ext = os.path.splitext(filename)[1].lower()
    if b"%PDF-" in head:
        return "pdf"
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        if b"word/document.xml" in data or ext == ".docx":
            return "docx"
        import io
        import zipfile

        try:
            zipfile.ZipFile(io.BytesIO(data)).close()
        except Exception as exc:
            raise UnreadableFile(
                f"malformed or truncated ZIP archive ({type(exc).__name__}: {exc})"
            ) from exc
        raise UnreadableFile(
            "ZIP archive that is not a Word document (no word/document.xml): "
            "spreadsheets, WPS and attachment bundles are not read"
        )
    if data.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            "legacy binary Office/WPS file (OLE2 .doc/.xls/.wps): not supported, convert to .docx"
        )
    if data.lstrip()[:5] == b"{\\rtf":
        raise UnreadableFile("RTF document: not supported, convert to .docx or text")
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            raise UnreadableFile(f"{kind} image: no text layer (a scanned image needs OCR)")
    from nianbao.readers.html import has_markup, looks_like_html

    if looks_like_html(data):
        return "html"
    if ext == ".pdf":
        return "pdf"
    if ext == ".docx":
        return "docx"
    if ext in HTML_EXTENSIONS:
        # a text file saved as .html (not one tag in it) is text: read as HTML, its lines would
        # run together and its tables with them
        return "html" if has_markup(data) else "text"
    return "text"


def read_text(data: bytes) -> Document:
    """Plain text (.txt, .md, anything unrecognised): one TextBlock of the lines as they are
    (no normalisation; ``\\r\\n`` and lone ``\\r`` end lines and are dropped)."""
    text, encoding = decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line
    blocks = [TextBlock(lines=lines)] if lines else []
    return Document(
        blocks=blocks, file_format="text", encoding=encoding, notes=replacement_notes(text)
    )


def replacement_notes(text: str) -> list[str]:
    """A parse note when decoding had to replace undecodable bytes (U+FFFD)."""
    bad = text.count("\ufffd")
    if not bad:
        return []
    return [f"{bad} undecodable byte sequence(s) replaced with U+FFFD"]


def read_document(data: bytes, filename: str = "", *, max_pages: int = 200) -> Document:
    """Read ``data`` (the file's bytes; ``filename`` only breaks ties) into a Document.

    Raises :class:`UnreadableFile` — and nothing else — when the file cannot be read.
    """
    try:
        data = bytes(data)
    except Exception as exc:
        raise UnreadableFile(f"not a file's bytes ({type(exc).__name__})") from exc
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    kind = "unknown"
    try:
        kind = sniff_format(data, filename or "")
        if kind == "pdf":
            from nianbao.readers.pdf import read_pdf

            return read_pdf(data, max_pages=max_pages)
        if kind == "docx":
            from nianbao.readers.docx import read_docx

            return read_docx(data)
        if kind == "html":
            from nianbao.readers.html import read_html

            return read_html(data)
        return read_text(data)
    except UnreadableFile:
        raise
    except RecursionError as exc:
        raise UnreadableFile(f"{kind} reader: document nested too deeply (RecursionError)") from exc
    except MemoryError as exc:
        raise UnreadableFile(f"{kind} reader: out of memory (MemoryError)") from exc
    except Exception as exc:
        detail = str(exc).replace("\n", " ")
        if len(detail) > _MAX_REASON:
            detail = detail[:_MAX_REASON] + "…"
        raise UnreadableFile(f"{kind} reader failed: {type(exc).__name__}: {detail}") from exc
