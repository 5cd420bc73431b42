"""PDF reader: pdfplumber → per page, table grids where ruling lines draw a table, text lines
for everything else, in page order (top to bottom).

* Tables come from ``page.find_tables()`` (the default *lines* strategy) after dropping
  filled, unstroked rectangles thicker than a rule: WPS/Word exports paint a white background
  box behind every line of prose, and pdfplumber would otherwise read the prose as a
  one-column "table" (and glue it onto the real table below). Grids with fewer than two rows
  or two columns are read as text. Wrapped lines inside a cell are joined without a separator
  (``商业企\\n业`` → ``商业企业``; the vertical group label ``三\\n、\\n本\\n年…`` →
  ``三、本年度办理结果``); pdfplumber's ``None`` (a slot covered by a merged cell) is kept.
* Text outside the tables is read with ``y_tolerance=6`` (pdfplumber's default is 3): a table
  row whose label wraps onto two lines prints its numbers half a line lower, and the wider
  tolerance puts them on one line with the label (huaian-2024: 25 of 26 data rows labelled,
  against 23 with the default; hongze-2024: 23 of 24 against 17). Prose line spacing in these
  reports is ~28pt, far above it.
* Page furniture: a page number alone on a page's first or last line (``- 3 -``, ``第3页``,
  ``3/5``) is dropped, and a table whose first part ends a page and whose next part opens
  the following page with the same number of columns is joined into one grid (both noted).
  A group label split by the break stays split (huaian: ``（四）无`` | ``法提供``).
* Pages printing each glyph twice (fake bold) are de-duplicated first.
* Rejections (:class:`UnreadableFile`): over ``max_pages``; encrypted; malformed; no text at
  all ("no text layer: scanned image" when the pages hold images); a text layer of
  ``(cid:NN)`` glyph codes (fonts without a Unicode map).
"""
from __future__ import annotations

import io
import logging
import math
import re

from nianbao.readers.document import Document, UnreadableFile
from nianbao.readers._common import BlockBuilder, join_pieces, pad_rows

__all__ = ["read_pdf"]

TEXT_Y_TOLERANCE = 6
CID_REJECT_RATIO = 0.1  # share of (cid:NN) glyphs in the text layer that makes it unreadable
MIN_TEXT_CHARS = 20  # fewer visible characters in the whole file: no text layer
_PAGE_NUMBER_RE = re.compile(
    r"(?:[-—–－─]\s*\d{1,4}\s*[-—–－─]"  # - 3 -, —3—
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页 共5页
    r"|\d{1,4}\s*/\s*\d{1,4})$"  # 3/5
)


def read_pdf(data: bytes, *, max_pages: int = 200) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        inner = exc.args[0] if exc.args else exc
        if isinstance(inner, PDFPasswordIncorrect):
            raise UnreadableFile("PDF is encrypted (a password is required to open it)") from exc
        raise UnreadableFile(
            f"malformed PDF{_truncation_hint(data)} ({type(inner).__name__}: {inner})"
        ) from exc
    except Exception as exc:
        raise UnreadableFile(
            f"malformed PDF{_truncation_hint(data)} ({type(exc).__name__}: {exc})"
        ) from exc

    # Over the page cap: rejected before pdfplumber builds any page (its close() would build
    # them all, so the document is left to the garbage collector: it holds only our buffer).
    try:
        n_pages, exact = _count_pages(pdf.doc, max_pages)
    except Exception as exc:
        raise UnreadableFile(f"malformed PDF: page tree unreadable ({type(exc).__name__}: {exc})") from exc
    if n_pages > max_pages:
        raise UnreadableFile(f"PDF has {n_pages if exact else f'more than {max_pages}'} pages, "
                             f"over the cap of {max_pages} (NIANBAO_MAX_PAGES)")

    with pdf:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:
            raise UnreadableFile(f"malformed PDF: page tree unreadable ({type(exc).__name__}: {exc})") from exc
        if n_pages > max_pages:
            raise UnreadableFile(f"PDF has {n_pages} pages, over the cap of {max_pages} (NIANBAO_MAX_PAGES)")
        if n_pages == 0:
            raise UnreadableFile("PDF has no pages")

        builder = BlockBuilder()
        notes: list[str] = []
        total_chars = cid_chars = image_pages = 0
        pages_without_text: list[int] = []
        failed: list[str] = []
        continued: list[int] = []
        numbers_dropped = 0
        fast_page = _fast_page_class()
        for number, page in enumerate(pdf.pages, start=1):
            try:
                if fast_page is not None and type(page) is fast_page.__base__:
                    page.__class__ = fast_page
                chars = page.chars
                visible = [c for c in chars if not c["text"].isspace()]
                total_chars += len(visible)
                cid_chars += sum(1 for c in visible if c["text"].startswith("(cid:"))
                if page.images:
                    image_pages += 1
                if not visible:
                    pages_without_text.append(number)
                    continue
                if _has_duplicate_chars(visible):
                    # fake bold: the same glyph printed twice at (almost) the same spot
                    page_numbers, merged = _read_page(page.dedupe_chars(), builder)
                else:
                    page_numbers, merged = _read_page(page, builder)
                numbers_dropped += page_numbers
                if merged:
                    continued.append(number)
            except Exception as exc:  # one broken page should not lose the others
                failed.append(f"page {number} ({type(exc).__name__}: {str(exc)[:120]})")
            finally:
                try:
                    page.close()
                except Exception:
                    pass

    if failed:
        if len(failed) == n_pages:
            raise UnreadableFile(
                f"malformed PDF{_truncation_hint(data)}: no page could be read; {failed[0]}"
            )
        notes.append("unreadable pages skipped: " + "; ".join(failed))

    if total_chars < MIN_TEXT_CHARS:
        if image_pages:
            raise UnreadableFile(
                f"no text layer: scanned image ({image_pages} of {n_pages} pages are images, "
                f"{total_chars} text characters in all)"
            )
        raise UnreadableFile(f"no text layer: the PDF's {n_pages} pages hold no text")
    if cid_chars / total_chars > CID_REJECT_RATIO:
        raise UnreadableFile(
            f"text layer uses unmapped font glyphs (cid:…): {cid_chars} of {total_chars} "
            "characters are (cid:NN) codes, so the text cannot be read without OCR"
        )
    if _truncation_hint(data):
        notes.append("no %%EOF marker at the end of the PDF: the file may be truncated")
    if numbers_dropped:
        notes.append(f"{numbers_dropped} page-number line(s) (like '- 3 -') dropped")
    if continued:
        notes.append(
            "tables continued over a page break joined into one grid (continuing on page "
            + ", ".join(str(n) for n in continued)
            + ")"
        )
    if cid_chars:
        notes.append(f"{cid_chars} (cid:NN) glyph codes left in the text layer")
    if pages_without_text:
        notes.append(
            "pages without a text layer (images only?): "
            + ", ".join(str(n) for n in pages_without_text)
        )
    return Document(
        blocks=builder.finish(), file_format="pdf", page_count=n_pages, notes=notes
    )


def _count_pages(doc, cap: int) -> tuple[int, bool]:
    """(pages, exact): pages counted one by one, stopping at ``cap + 1`` — pdfplumber's
    ``len(pdf.pages)`` builds every page first (minutes and hundreds of MB for a file of
    200,000 empty pages). Over the cap, the count the page tree declares is reported when it agrees."""
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

    n = 0
    for _ in PDFPage.create_pages(doc):
        n += 1
        if n > cap:
            break
    if n <= cap:
        return n, True
    try:
        declared = resolve1(resolve1(doc.catalog.get("Pages")).get("Count"))
    except Exception:
        declared = None
    if isinstance(declared, int) and declared > cap:
        return declared, True
    return n, False


def _truncation_hint(data: bytes) -> str:
    return "" if b"%%EOF" in data[-2048:] else ", probably truncated (no %%EOF at the end)"


def _has_duplicate_chars(chars) -> bool:
    seen = set()
    for c in chars:
        key = (c["text"], round(c["x0"]), round(c["top"]))
        if key in seen:
            return True
        seen.add(key)
    return False


def _is_background(obj) -> bool:
    """A filled, unstroked rectangle thicker than a rule: a background, not a table border."""
    if obj.get("object_type") != "rect":
        return False
    if not obj.get("fill") or obj.get("stroke"):
        return False
    return min(obj["width"], obj["height"]) > 2


def _filtered(page, kind: str, keep):
    """``page.filter(keep)`` for a test that holds for every object not of ``kind``: only the
    objects of that kind are tested (pdfplumber's filter calls it on every char, line, rect…).
    pdfplumber's own ``dedupe_chars`` builds its derived page the same way (0.11.10; any other
    version gets ``page.filter``)."""
    if _fast_page_class() is None:
        return page.filter(keep)
    from pdfplumber.page import FilteredPage

    derived = FilteredPage(page, keep)
    derived._objects = {
        k: [obj for obj in objs if keep(obj)] if k == kind else list(objs)
        for k, objs in page.objects.items()
    }
    return derived


def _extract_table(table) -> list[list[str | None]]:
    """``table.extract()`` (pdfplumber 0.11.10, no text settings), with the same result: the
    page's characters are narrowed to the table's bounding box once and their centres computed
    once, instead of every row testing every character of the page. Each row's box lies within
    the table's box (both are spans of its cells), so no character a row would take is lost.
    Any other pdfplumber version, or a box with a non-finite side, gets ``table.extract()``."""
    from pdfplumber import utils

    x0, top, x1, bottom = table.bbox
    if _fast_page_class() is None or not all(math.isfinite(v) for v in (x0, top, x1, bottom)):
        return table.extract()
    inside = []
    for char in table.page.chars:
        v_mid = (char["top"] + char["bottom"]) / 2
        h_mid = (char["x0"] + char["x1"]) / 2
        if (h_mid >= x0) and (h_mid < x1) and (v_mid >= top) and (v_mid < bottom):
            inside.append((h_mid, v_mid, char))
    rows = []
    for row in table.rows:
        rx0, rtop, rx1, rbottom = row.bbox
        row_chars = [p for p in inside if (p[0] >= rx0) and (p[0] < rx1) and (p[1] >= rtop) and (p[1] < rbottom)]
        arr: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                arr.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            cell_chars = [c for h, v, c in row_chars if (h >= cx0) and (h < cx1) and (v >= ctop) and (v < cbottom)]
            arr.append(utils.extract_text(cell_chars) if cell_chars else "")
        rows.append(arr)
    return rows


def _read_page(page, builder: BlockBuilder) -> tuple[int, bool]:
    """Add the page's blocks to ``builder``; returns (page-number lines dropped, whether the
    page's first table continued the previous page's table)."""
    ruled = _filtered(page, "rect", lambda obj: not _is_background(obj))
    tables = []
    for table in ruled.find_tables():
        rows = _extract_table(table)
        if len(rows) < 2 or max((len(r) for r in rows), default=0) < 2:
            continue  # a one-row or one-column "table" is a framed paragraph: read as text
        grid = [
            [None if cell is None else join_pieces(cell.split("\n")) for cell in row]
            for row in rows
        ]
        grid = [row for row in grid if any(v is not None for v in row)]
        if grid:
            tables.append((table.bbox, pad_rows(grid)))

    if tables:
        boxes = [bbox for bbox, _ in tables]

        def outside(obj) -> bool:
            if obj.get("object_type") != "char":
                return True
            cx = (obj["x0"] + obj["x1"]) / 2
            cy = (obj["top"] + obj["bottom"]) / 2
            return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

        text_page = _filtered(page, "char", outside)
    else:
        text_page = page
    lines = text_page.extract_text_lines(
        y_tolerance=TEXT_Y_TOLERANCE, return_chars=False, strip=True
    )

    items: list[tuple[float, float, int, object]] = []
    for line in lines:
        items.append((line["top"], line["x0"], 0, line["text"]))
    for bbox, grid in tables:
        items.append((bbox[1], bbox[0], 1, grid))
    items.sort(key=lambda item: (item[0], item[1]))

    # Page furniture: a page number alone on the first or last line of the page.
    dropped = 0
    while items and items[-1][2] == 0 and _PAGE_NUMBER_RE.match(items[-1][3].strip()):  # type: ignore[union-attr]
        items.pop()
        dropped += 1
    while items and items[0][2] == 0 and _PAGE_NUMBER_RE.match(items[0][3].strip()):  # type: ignore[union-attr]
        items.pop(0)
        dropped += 1

    merged = False
    for index, (_, _, kind, payload) in enumerate(items):
        if kind == 0:
            builder.line(payload)  # type: ignore[arg-type]
        elif index == 0 and builder.continue_table(payload):  # type: ignore[arg-type]
            merged = True
        else:
            builder.table(payload)  # type: ignore[arg-type]
    return dropped, merged


# -- pdfplumber's char objects, built faster ---------------------------------------------------

_FAST_PAGE = None


def _fast_page_class():
    """A ``pdfplumber.page.Page`` subclass whose ``process_object`` builds the dict of each
    character, line, rect and curve with the same keys, in the same order and with equal values
    as pdfplumber 0.11.10 does, only without its per-attribute closures, recursive
    ``resolve_all`` calls on plain numbers and strings, and re-decoding of the colour-space
    name for every glyph (turning pdfminer's layout objects into dicts was a fifth of the CPU
    time of reading a PDF); its ``parse_objects`` groups them without pdfplumber's recursive
    generator. The characters of the page itself are made into those dicts as pdfminer renders
    them (``CharDictDevice``, a string at a time, each font's glyph texts, widths and decoded
    strings looked up once per PDF), skipping the LTChar objects, and its content
    streams are tokenised by ``pdf_content.FastInterpreter`` (the objects pdfminer's parser
    builds, by one regular expression); the page's objects are equal to
    pdfplumber's, checked page by page (tests/unit/test_readers.py). One
    known difference, in a value the reader does not use: pdfplumber gives the marked-content id
    of a path that paints nothing to the object drawn before it, which is then never a character.
    Other objects (images) go through pdfplumber's own code, and a page holding figures or
    vertical text through its own walk. None for any other pdfplumber version: its code may
    differ (the reader then uses pdfplumber's pages, filters and table extraction as they are)."""
    global _FAST_PAGE
    if _FAST_PAGE is not None:
        return _FAST_PAGE or None
    import pdfplumber
    from pdfplumber import page as _page

    if pdfplumber.__version__ != "0.11.10":
        _FAST_PAGE = False
        return None
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect

    all_attrs = frozenset(_page.ALL_ATTRS)
    plain = frozenset({float, int, str, bool, type(None)})
    resolve_all = _page.resolve_all
    resolve_and_decode = _page.resolve_and_decode
    normalize_unicode = _page.normalize_unicode
    fix_fontname_bytes = _page.fix_fontname_bytes
    decoded_names: dict = {}

    def value(v):
        t = type(v)
        if t in plain:
            return v
        if t is tuple:
            for e in v:
                if type(e) not in plain:
                    return resolve_all(v)
            return v  # resolve_all would build an equal tuple
        return resolve_all(v)

    def cs_name(name):
        if type(name) is not str:
            return resolve_and_decode(name)
        decoded = decoded_names.get(name)
        if decoded is None:
            decoded = decoded_names[name] = resolve_and_decode(name)
        return decoded

    curve_kinds = {LTLine: "line", LTRect: "rect", LTCurve: "curve"}
    numbers = frozenset({int, float, bool})
    names = frozenset({str, bytes})  # font names value() keeps as they are
    device_log = logging.getLogger("pdfminer.pdfdevice")
    cmap_log = logging.getLogger("pdfminer.cmapdb")  # to_unichr's debug lines
    converter_log = logging.getLogger("pdfminer.converter")  # handle_undefined_char's
    from pdfminer.cmapdb import CMap
    from pdfminer.pdffont import PDFCIDFont, PDFUnicodeNotDefined
    from pdfplumber.utils.exceptions import PdfminerException

    from nianbao.readers.fast.pdf_content import FastInterpreter

    def decode(font, data: bytes) -> tuple:
        """``tuple(font.decode(data))``: a CID font's CMap read without its generator (the
        same walk through ``code2cid``)."""
        cmap = getattr(font, "cmap", None) if type(font) is PDFCIDFont else None
        if cmap is None or type(cmap).decode is not CMap.decode:
            return tuple(font.decode(data))
        code2cid = cmap.code2cid
        cids = []
        d = code2cid
        for i in data:
            if i in d:
                x = d[i]
                if isinstance(x, int):
                    cids.append(x)
                    d = code2cid
                else:
                    d = x
            else:
                d = code2cid
        return tuple(cids)

    class CharDictDevice(_page.PDFPageAggregatorWithMarkedContent):
        """pdfplumber's device, except that a character drawn on the page itself (not in a
        figure) in a horizontal font becomes pdfplumber's char dict at once
        (``chars``), without the LTChar that pdfminer's render_char builds and the page would
        turn into that dict later: the same computation, in the same order, as LTChar's
        constructor (without its swaps of x0/x1 and y0/y1, which never apply after min/max)
        and FastPage.process_object. A string it leaves to pdfminer (see
        render_string_horizontal) becomes LTChars; a page holding both is read again
        pdfplumber's way (FastPage.parse_objects)."""

        decode_string = staticmethod(decode)

        def __init__(self, rsrcmgr, page) -> None:
            super().__init__(rsrcmgr, pageno=page.page_number, laparams=None)
            self.page = page
            self.chars: list[dict] = []
            # font -> ({glyph code: (text, width)}, {string: glyph codes}), shared by the pages
            # of one PDF
            self.glyphs: dict = page.pdf.__dict__.setdefault("_nianbao_glyphs", {})

        def render_string_horizontal(self, seq, matrix, pos, font, fontsize, scaling, charspace,
                                     wordspace, rise, dxscale, ncs, graphicstate):
            """pdfminer's render_string_horizontal with its render_char and FastPage's
            _finish_char and _place folded into its loop: the same arithmetic in the same order,
            with what does not change within one string (the matrix's a-d and y terms, the
            font's descent, colours, font name, colour space, page box) computed once per string, and each
            glyph's text and width (``to_unichr``, ``char_width``: lookups in the font's own
            tables) once per font and glyph code, each string's glyph codes (``decode``) once per
            font and string. pdfminer's way whenever a value could go another way: in a figure,
            a vertical font, a font name or numbers not plain str / bytes, ints and floats, or the
            debug logging of the lookups it skips switched on. (Its warning about an operand
            that is no number nor string is the same message, logged from here.)"""
            (x, y) = pos
            fontname = font.fontname
            if (self._stack or font.is_vertical() or type(fontname) not in names
                    or not all(type(v) in numbers for v in matrix)
                    or not all(type(v) in numbers for v in (x, y, fontsize, scaling, charspace, wordspace, rise, dxscale))
                    or cmap_log.isEnabledFor(logging.DEBUG) or converter_log.isEnabledFor(logging.DEBUG)):
                return super().render_string_horizontal(seq, matrix, pos, font, fontsize, scaling, charspace,
                                                        wordspace, rise, dxscale, ncs, graphicstate)
            cached = self.glyphs.get(font)
            if cached is None:
                cached = self.glyphs[font] = ({}, {})
            glyphs, strings = cached
            page = self.page
            chars = self.chars
            (a, b, c, d, e0, f0) = matrix
            yc, yd = y * c, y * d  # translate_matrix(matrix, (x, y)): x * a + y * c + e0, ...
            descent = font.get_descent() * fontsize
            bottom, top = descent + rise, descent + rise + fontsize
            left_bottom, bottom_left = a * 0 + c * bottom, b * 0 + d * bottom
            left_top, top_left = a * 0 + c * top, b * 0 + d * top
            c_bottom, d_bottom, c_top, d_top = c * bottom, d * bottom, c * top, d * top
            upright = a * d * scaling > 0 and b * c <= 0
            if type(fontname) is bytes:
                fontname = fix_fontname_bytes(fontname)
            mcid, tag, page_number = self.cur_mcid, self.cur_tag, page.page_number
            ncs_name = cs_name(ncs.name)
            norm = page.pdf.unicode_norm
            scolor = graphicstate.scolor
            stroking = scolor if isinstance(scolor, tuple) else (scolor,)
            ncolor = graphicstate.ncolor
            non_stroking = ncolor if isinstance(ncolor, tuple) else (ncolor,)
            mb_x0, mb_top = page.mediabox[:2]
            shift = mb_x0 != 0
            height = page.height
            initial_doctop = page.initial_doctop
            needcharspace = False
            for obj in seq:
                if isinstance(obj, (int, float)):
                    x -= obj * dxscale
                    needcharspace = True
                elif isinstance(obj, bytes):
                    cids = strings.get(obj)
                    if cids is None:
                        cids = strings[obj] = decode(font, obj)
                    for cid in cids:
                        if needcharspace:
                            x += charspace
                        glyph = glyphs.get(cid)
                        if glyph is None:
                            try:
                                text = font.to_unichr(cid)
                                assert isinstance(text, str), str(type(text))
                            except PDFUnicodeNotDefined:
                                text = self.handle_undefined_char(font, cid)
                            glyph = glyphs[cid] = (text, font.char_width(cid))
                        text, width = glyph
                        adv = width * fontsize * scaling
                        e, f = x * a + yc + e0, x * b + yd + f0
                        a_adv, b_adv = a * adv, b * adv
                        left1, bottom1 = left_bottom + e, bottom_left + f
                        right1, bottom2 = a_adv + c_bottom + e, b_adv + d_bottom + f
                        right2, top1 = a_adv + c_top + e, b_adv + d_top + f
                        left2, top2 = left_top + e, top_left + f
                        x0, y0 = min(left1, left2, right1, right2), min(bottom1, bottom2, top1, top2)
                        x1, y1 = max(left1, left2, right1, right2), max(bottom1, bottom2, top1, top2)
                        char_top = (height - y1) + mb_top
                        chars.append({
                            "matrix": (a, b, c, d, e, f), "fontname": fontname, "adv": adv,
                            "upright": upright, "x0": x0 + mb_x0 if shift else x0, "y0": y0,
                            "x1": x1 + mb_x0 if shift else x1, "y1": y1,
                            "width": x1 - x0, "height": y1 - y0, "size": y1 - y0,
                            "mcid": mcid, "tag": tag, "object_type": "char", "page_number": page_number,
                            "ncs": ncs_name,
                            "text": normalize_unicode(norm, text) if norm is not None else text,
                            "stroking_color": stroking, "non_stroking_color": non_stroking,
                            "top": char_top, "bottom": (height - y0) + mb_top,
                            "doctop": initial_doctop + char_top,
                        })
                        x += adv
                        if cid == 32 and wordspace:
                            x += wordspace
                        needcharspace = True
                else:
                    device_log.warning(
                        "Cannot render horizontal string because %r is not a valid int, float or bytes.",
                        obj,
                    )
            return (x, y)

    class FastPage(_page.Page):
        # close() flushes these: the characters built at rendering go with the layout
        cached_properties = _page.Page.cached_properties + ["_char_dicts"]
        device_class = CharDictDevice

        @property
        def layout(self):
            if hasattr(self, "_layout"):
                return self._layout
            if self.pdf.laparams is not None or getattr(self, "_standard_layout", False):
                return super().layout  # layout analysis groups LTChars: pdfminer's objects
            device = CharDictDevice(self.pdf.rsrcmgr, self)
            try:
                FastInterpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
            except Exception as e:
                raise PdfminerException(e) from e
            self._layout = device.get_result()
            self._char_dicts = device.chars
            return self._layout

        def parse_objects(self):
            layout_objects = self.layout._objs
            char_dicts = getattr(self, "_char_dicts", None)
            for obj in layout_objects:
                if isinstance(obj, (LTContainer, LTChar)) and char_dicts:
                    # characters both ways (in a figure, or a vertical font): read the page
                    # again the standard way, so that every object keeps its place in order
                    del self._layout, self._char_dicts
                    self._standard_layout = True
                    return self.parse_objects()
                if isinstance(obj, LTContainer):  # figures: pdfplumber's recursive walk
                    return super().parse_objects()
            objects: dict = {"char": char_dicts} if char_dicts else {}
            process = self.process_object
            for obj in layout_objects:
                attr = process(obj)
                kind = attr["object_type"]
                if kind == "anno":
                    continue
                same_kind = objects.get(kind)
                if same_kind is None:
                    same_kind = objects[kind] = []
                same_kind.append(attr)
            return objects

        def process_object(self, obj):
            cls = type(obj)
            if cls is not LTChar:
                kind = curve_kinds.get(cls)
                if kind is None:
                    return super().process_object(obj)
                return self._process_curve(obj, kind)
            attr = {k: value(v) for k, v in obj.__dict__.items() if k in all_attrs}
            attr["object_type"] = "char"
            attr["page_number"] = self.page_number
            if hasattr(obj, "ncs"):
                attr["ncs"] = cs_name(obj.ncs.name)
            if hasattr(obj, "scs"):
                attr["scs"] = cs_name(obj.scs.name)
            return self._finish_char(attr, obj.get_text(), obj.graphicstate)

        def _finish_char(self, attr: dict, text: str, graphicstate) -> dict:
            """A char dict's last keys, as pdfplumber's process_object sets them: the text
            (Unicode-normalised if the PDF asks), the colours, a bytes font name decoded, the
            page coordinates."""
            norm = self.pdf.unicode_norm
            attr["text"] = normalize_unicode(norm, text) if norm is not None else text
            scolor = graphicstate.scolor
            attr["stroking_color"] = scolor if isinstance(scolor, tuple) else (scolor,)
            ncolor = graphicstate.ncolor
            attr["non_stroking_color"] = ncolor if isinstance(ncolor, tuple) else (ncolor,)
            if isinstance(attr["fontname"], bytes):
                attr["fontname"] = fix_fontname_bytes(attr["fontname"])
            return self._place(attr)

        def _place(self, attr: dict) -> dict:
            """Page coordinates, as pdfplumber's process_object sets them: top/bottom/doctop from
            the PDF's y, shifted by the mediabox origin."""
            mb_x0, mb_top = self.mediabox[:2]
            if "y0" in attr:
                height = self.height
                attr["top"] = (height - attr["y1"]) + mb_top
                attr["bottom"] = (height - attr["y0"]) + mb_top
                attr["doctop"] = self.initial_doctop + attr["top"]
            if "x0" in attr and mb_x0 != 0:
                attr["x0"] = attr["x0"] + mb_x0
                attr["x1"] = attr["x1"] + mb_x0
            return attr

        def _process_curve(self, obj, kind: str):
            attr = {k: value(v) for k, v in obj.__dict__.items() if k in all_attrs}
            attr["object_type"] = kind
            attr["page_number"] = self.page_number
            if hasattr(obj, "ncs"):
                attr["ncs"] = cs_name(obj.ncs.name)
            if hasattr(obj, "scs"):
                attr["scs"] = cs_name(obj.scs.name)
            point2coord = self.point2coord
            attr["pts"] = list(map(point2coord, attr["pts"]))
            attr["path"] = [(cmd, *map(point2coord, pts)) for cmd, *pts in obj.original_path]
            attr["dash"] = obj.dashing_style
            return self._place(attr)

    _FAST_PAGE = FastPage
    return FastPage
