"""DOCX reader: the main document part (found by the package's relationships and content types,
parsed with lxml as python-docx parses it) → paragraphs and tables in body order.

The body's XML children are walked directly (``w:p``, ``w:tbl``, and the ``w:sdt`` /
``w:customXml`` wrappers around them), so tables interleave with paragraphs as printed.
Tables are resolved from the cell XML rather than ``row.cells`` (which repeats one cell object
for every slot it spans): ``w:gridSpan`` widens a cell to the right, ``w:vMerge`` (continue)
marks a slot covered by the cell above, ``w:gridBefore``/``w:gridAfter`` are empty grid slots.
The text sits at the merged cell's top-left slot; covered and missing slots are ``None``; an
empty cell is ``""``. A cell's paragraphs and line breaks are joined without a separator (a
wrapped label like ``商业\\n企业`` is one word); a table nested in a cell is flattened into the
cell's text row by row.

Before any XML is parsed, the ZIP is checked: at most 1000 entries and 50 MB
uncompressed in all (a zip bomb is refused), a ``word/document.xml`` part, and no DTD in any
XML part (the parser does not resolve entities either; this refuses the file
outright instead of reading it half-expanded).
"""
from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from nianbao.readers._common import BlockBuilder, join_pieces, pad_rows
from nianbao.readers.document import Document, UnreadableFile

__all__ = ["read_docx", "check_docx_zip"]

MAX_ENTRIES = 1000
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_TABLE_SLOTS = 2_000_000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P = f"{{{W}}}p"
_TBL = f"{{{W}}}tbl"
_TR = f"{{{W}}}tr"
_TC = f"{{{W}}}tc"
_T = f"{{{W}}}t"
_TAB = f"{{{W}}}tab"
_BR = f"{{{W}}}br"
_CR = f"{{{W}}}cr"
_NBH = f"{{{W}}}noBreakHyphen"
_SDT = f"{{{W}}}sdt"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_CUSTOM_XML = f"{{{W}}}customXml"
_TC_PR = f"{{{W}}}tcPr"
_TR_PR = f"{{{W}}}trPr"
_GRID_SPAN = f"{{{W}}}gridSpan"
_V_MERGE = f"{{{W}}}vMerge"
_GRID_BEFORE = f"{{{W}}}gridBefore"
_GRID_AFTER = f"{{{W}}}gridAfter"
_VAL = f"{{{W}}}val"
_FALLBACK = f"{{{MC}}}Fallback"
_DEL = f"{{{W}}}del"
_MOVE_FROM = f"{{{W}}}moveFrom"
_WRAPPERS = (_SDT, _SDT_CONTENT, _CUSTOM_XML)


def check_docx_zip(data: bytes) -> None:
    """Refuse malformed ZIPs, zip bombs, non-Word ZIPs and XML parts with a DTD."""
    _check_zip(data)[0].close()


def _check_zip(data: bytes):
    """``check_docx_zip``, returning the open ``ZipFile`` and the XML parts it inflated whole
    (by name, for the package reader: each is read once). A part that does not inflate whole
    is scanned as before (its first 4096 bytes) and left for the package reader to fail on."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(f"malformed DOCX: not a readable ZIP archive ({type(exc).__name__}: {exc})") from exc
    try:
        blobs = _check_entries(zf)
    except BaseException:
        zf.close()
        raise
    return zf, blobs


def _check_entries(zf) -> dict:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnreadableFile(
            f"DOCX refused: {len(infos)} ZIP entries, over the cap of {MAX_ENTRIES} (zip bomb?)"
        )
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise UnreadableFile(
            f"DOCX refused: {total} bytes uncompressed, over the cap of "
            f"{MAX_UNCOMPRESSED} (zip bomb?)"
        )
    names = {info.filename for info in infos}
    if "word/document.xml" not in names:
        raise UnreadableFile("ZIP archive without word/document.xml: not a Word (.docx) document")
    blobs = {}
    by_name = zf.NameToInfo
    for info in infos:
        if info.flag_bits & 0x1:
            raise UnreadableFile("DOCX is encrypted (a password is required to open it)")
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            blob = zf.read(info)
        except Exception:
            try:
                with zf.open(info) as fh:
                    head = fh.read(4096)
            except Exception as exc:
                raise UnreadableFile(
                    f"malformed DOCX: part {info.filename} unreadable ({type(exc).__name__}: {exc})"
                ) from exc
        else:
            head = blob[:4096]
            if by_name.get(info.filename) is info:  # what ZipFile.read(name) would read
                blobs[info.filename] = blob
        if b"<!DOCTYPE" in head.replace(b"\x00", b"").upper():
            raise UnreadableFile(
                f"DOCX refused: part {info.filename} declares a DTD (XML entity attack?)"
            )
    return blobs


def read_docx(data: bytes) -> Document:
    zf, blobs = _check_zip(data)
    try:
        body = _main_body(zf, blobs)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(f"malformed DOCX ({type(exc).__name__}: {exc})") from exc
    finally:
        zf.close()
    if body is None:
        raise UnreadableFile("malformed DOCX (the main document part has no w:body)")

    builder = BlockBuilder()
    stack = list(reversed(list(body)))  # iterative: wrappers may nest
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == _P:
            for line in _paragraph_text(el).split("\n"):
                builder.line(line)
        elif tag == _TBL:
            rows = _table_grid(el)
            if rows:
                builder.table(rows)
        elif tag in _WRAPPERS:
            stack.extend(reversed(list(el)))
    return Document(blocks=builder.finish(), file_format="docx")


def _main_body(zf: zipfile.ZipFile, blobs: dict):
    """The main document part's ``w:body``, as ``docx.Document(...).element.body`` would give
    it, found the way the OPC standard says (python-docx's reading): the package's
    officeDocument relationship names the part, ``[Content_Types].xml`` must give it Word's
    main content type. Only that part is parsed: ``docx.Document`` parses every XML part of
    the package (styles, numbering, settings, headers…), so one broken part the reader does
    not use would lose the document."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    def part(name: str) -> bytes:
        blob = blobs.get(name)
        return blob if blob is not None else zf.read(name)

    rels = etree.fromstring(part("_rels/.rels"), _PARSER)
    main = [rel for rel in rels if rel.tag == _RELATIONSHIP and rel.get("Type") == RT.OFFICE_DOCUMENT]
    if not main:  # python-docx's messages, as before
        raise KeyError(f"no relationship of type '{RT.OFFICE_DOCUMENT}' in collection")
    if len(main) > 1:
        raise ValueError(f"multiple relationships of type '{RT.OFFICE_DOCUMENT}' in collection")
    if main[0].get("TargetMode") == "External":
        raise ValueError("the main document part is an external link")
    partname = posixpath.normpath("/" + main[0].get("Target", "").lstrip("/"))
    content_type = _content_type(etree.fromstring(part("[Content_Types].xml"), _PARSER), partname)
    if content_type != CT.WML_DOCUMENT_MAIN:
        raise ValueError(f"not a Word file, the main part's content type is '{content_type}'")
    root = etree.fromstring(part(partname[1:]), _PARSER)
    if root.tag != _DOCUMENT:
        raise ValueError(f"the main document part's root is {root.tag}, not w:document")
    return root.find(_BODY)


def _content_type(types, partname: str) -> str | None:
    """A part's content type: its Override, else the Default of its extension (both compared
    without case, as OPC names are)."""
    for override in types.iter(f"{{{_CT_NS}}}Override"):
        if (override.get("PartName") or "").lower() == partname.lower():
            return override.get("ContentType")
    extension = posixpath.splitext(partname)[1][1:].lower()
    for default in types.iter(f"{{{_CT_NS}}}Default"):
        if (default.get("Extension") or "").lower() == extension:
            return default.get("ContentType")
    return None


_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


# python-docx's oxml_parser without its custom element classes (the same tree, and the reader
# reads only tags, text and attributes; lxml's plain proxies are cheaper to make)
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
_DOCUMENT = f"{{{W}}}document"
_BODY = f"{{{W}}}body"


_PARAGRAPH_TAGS = (_T, _TAB, _BR, _CR, _NBH, _FALLBACK, _DEL, _MOVE_FROM)


def _paragraph_text(p) -> str:
    """Visible text of a paragraph: w:t runs, tabs and breaks, skipping deleted revisions and
    the Fallback copy of alternate content (which would repeat text boxes).

    The elements that make text are picked out by lxml's tag-filtered iteration (in document
    order, as the walk below visits them). When a paragraph holds a skipped element, or a
    text element holds children (which the walk would not enter), the walk reads it."""
    if p.tag in _PARAGRAPH_TAGS:
        return _paragraph_text_walk(p)
    out: list[str] = []
    for el in p.iter(_PARAGRAPH_TAGS):
        if len(el):
            return _paragraph_text_walk(p)
        tag = el.tag
        if tag == _T:
            if el.text:
                out.append(el.text)
        elif tag == _TAB:
            out.append("\t")
        elif tag == _BR or tag == _CR:
            out.append("\n")
        elif tag == _NBH:
            out.append("-")
        else:  # Fallback, deleted or moved-away text
            return _paragraph_text_walk(p)
    return "".join(out)


def _paragraph_text_walk(p) -> str:
    out: list[str] = []
    stack = [p]
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == _T:
            if el.text:
                out.append(el.text)
            continue
        if tag == _TAB:
            out.append("\t")
            continue
        if tag == _BR or tag == _CR:
            out.append("\n")
            continue
        if tag == _NBH:
            out.append("-")
            continue
        if tag in (_FALLBACK, _DEL, _MOVE_FROM):
            continue
        children = list(el)
        if children:
            children.reverse()
            stack.extend(children)
    return "".join(out)


def _cell_text(tc) -> str:
    if next(_iterchildren(tc, _TBL, *_WRAPPERS), None) is None:  # paragraphs only
        pieces = []
        for p in _iterchildren(tc, _P):
            pieces.extend(_paragraph_text(p).split("\n"))
        return join_pieces(pieces)
    pieces: list[str] = []
    stack = list(reversed(list(tc)))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag == _P:
            pieces.extend(_paragraph_text(el).split("\n"))
        elif tag == _TBL:  # nested table: each row's cells joined by a space
            for row in _table_grid(el):
                line = " ".join(v for v in row if v)
                if line:
                    pieces.append(line)
        elif tag in _WRAPPERS:
            stack.extend(reversed(list(el)))
    return join_pieces(pieces)


def _children(el, tag: str) -> list:
    """Direct children with ``tag``, looking through sdt/customXml wrappers."""
    if next(_iterchildren(el, *_WRAPPERS), None) is None:  # no wrapper: lxml's C iteration
        return list(_iterchildren(el, tag))
    found = []
    stack = list(reversed(list(el)))
    while stack:
        child = stack.pop()
        if child.tag == tag:
            found.append(child)
        elif child.tag in _WRAPPERS:
            stack.extend(reversed(list(child)))
    return found


def _child(el, tag: str):
    """``el.find(tag)`` (the first child with ``tag``), by lxml's C iteration instead of its
    ElementPath evaluation."""
    return next(el.iterchildren(tag), None)


_iterchildren = etree._Element.iterchildren


def _int_val(el, default: int) -> int:
    if el is None:
        return default
    raw = el.get(_VAL)
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def _table_grid(tbl) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    slots = 0
    for tr in _children(tbl, _TR):
        row: list[str | None] = []
        tr_pr = next(_iterchildren(tr, _TR_PR), None)
        before = after = 0
        if tr_pr is not None:
            before = max(0, min(_int_val(_child(tr_pr, _GRID_BEFORE), 0), 1000))
            after = max(0, min(_int_val(_child(tr_pr, _GRID_AFTER), 0), 1000))
        row.extend([None] * before)
        for tc in _children(tr, _TC):
            tc_pr = next(_iterchildren(tc, _TC_PR), None)  # _child, without the call
            span = 1
            continued = False
            if tc_pr is not None:
                grid_span = next(_iterchildren(tc_pr, _GRID_SPAN), None)
                if grid_span is not None:
                    span = max(1, min(_int_val(grid_span, 1), 1000))
                vmerge = next(_iterchildren(tc_pr, _V_MERGE), None)
                if vmerge is not None and vmerge.get(_VAL, "continue") == "continue":
                    continued = True
            if continued:
                row.extend([None] * span)
            else:
                row.append(_cell_text(tc))
                if span > 1:
                    row.extend([None] * (span - 1))
        row.extend([None] * after)
        slots += len(row)
        if slots > MAX_TABLE_SLOTS:
            raise UnreadableFile(f"DOCX table too large (over {MAX_TABLE_SLOTS} cells)")
        if any(v is not None for v in row):
            rows.append(row)
    return pad_rows(rows)
