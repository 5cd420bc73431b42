"""What a PDF page draws, from PDFium (pypdfium2): characters with their boxes, ruling segments,
and how many images.

Only PDFium's public C API is used (the functions of ``pypdfium2.raw``); each is called through a
ctypes prototype that passes PDFium's handles as plain integers, which is what a page's
thousands of calls per character need (a pointer object per call would double their cost).

Coordinates are the page as displayed (its ``/Rotate`` applied), in points, with ``top``
growing downwards from the top of the page, as pdfplumber's were.

* **Characters** come from PDFium's text page, one per glyph, with pdfminer's box: from the
  pen position to the advance, from the font's descent to one em above it (PDFium's "loose"
  box). PDFium's own word spaces and line breaks are dropped (our line logic decides); a
  glyph without a Unicode mapping becomes ``(cid:NN)``, as pdfminer printed it. A glyph of a
  vertical-writing font (stacked labels, one character a line) or drawn by a rotated or
  mirrored text matrix gets its box from the glyph's origin, matrix and advance instead,
  because PDFium's loose box ignores the matrix there.
* Fonts a PDF names without embedding them are given one font whose every glyph is a box
  (``pdf_fonts``): PDFium leaves out of its text page a text object whose glyphs have no
  outline, so without it, what is read would depend on the fonts installed on the machine.
* PDFium's text page drops a text object that repeats one just before it at the same place
  (the same glyphs overlapping), and a glyph repeating one of the seven before it within
  0.07 em: both are the overprinted "fake bold", which the reader would drop anyway.
* **Ruling segments**: every straight piece of a filled or stroked path (the closing piece of a
  closed subpath included; Bézier control points count as corners, as in pdfminer), kept when
  horizontal or vertical. A filled, unstroked rectangle thicker than 2 pt is a background
  box, not a border: it gives no segments.
"""
from __future__ import annotations

import ctypes as C
import math
import threading
from dataclasses import dataclass, field

import pypdfium2
import pypdfium2.raw as pdfium

from nianbao.readers.document import UnreadableFile
from nianbao.readers.pdf_checks import open_with_catalog_found, truncation_hint
from nianbao.readers.pdf_fonts import install_box_font

# PDFium is not thread-safe: one document at a time in a process.
ENGINE_LOCK = threading.Lock()

_OBJ_TEXT, _OBJ_PATH, _OBJ_IMAGE, _OBJ_FORM = (pdfium.FPDF_PAGEOBJ_TEXT, pdfium.FPDF_PAGEOBJ_PATH,
                                               pdfium.FPDF_PAGEOBJ_IMAGE, pdfium.FPDF_PAGEOBJ_FORM)
_SEG_MOVETO = pdfium.FPDF_SEGMENT_MOVETO
BACKGROUND_MIN_THICKNESS = 2.0  # a filled, unstroked rectangle thicker than this is a background
# A report page draws a few thousand objects; far more is a drawing or a hostile file, and reading
# each would take minutes.
MAX_PAGE_OBJECTS = 100_000


class PageError(RuntimeError):
    """A page PDFium cannot read; the message says why."""


class PageTooComplex(PageError):
    pass


def _is_handle(t) -> bool:
    """A pointer to one of PDFium's opaque structs (FPDF_PAGE, FPDF_TEXTPAGE, …)."""
    target = getattr(t, "_type_", None)
    return isinstance(target, type) and issubclass(target, C.Structure) and not getattr(target, "_fields_", None)


def _int_handles(fn):
    """The C function behind a ``pypdfium2.raw`` binding, its handle arguments and result as ints."""
    args = [C.c_void_p if _is_handle(t) else t for t in fn.argtypes]
    res = C.c_void_p if _is_handle(fn.restype) else fn.restype
    return C.CFUNCTYPE(res, *args)(C.cast(fn, C.c_void_p).value)


class _Api:
    def __init__(self) -> None:
        for name in (
            "FPDF_GetPageCount", "FPDF_LoadPage", "FPDF_ClosePage", "FPDF_GetPageBoundingBox",
            "FPDFPage_GetRotation", "FPDFPage_CountObjects", "FPDFPage_GetObject", "FPDFPageObj_GetBounds",
            "FPDFPageObj_GetType", "FPDFPageObj_GetMatrix", "FPDFFormObj_CountObjects",
            "FPDFFormObj_GetObject", "FPDFTextObj_GetFont", "FPDFFont_GetGlyphWidth",
            "FPDFFont_GetDescent", "FPDFPath_CountSegments", "FPDFPath_GetPathSegment",
            "FPDFPath_GetDrawMode", "FPDFPathSegment_GetPoint", "FPDFPathSegment_GetType",
            "FPDFPathSegment_GetClose", "FPDFText_LoadPage", "FPDFText_ClosePage",
            "FPDFText_CountChars", "FPDFText_GetUnicode", "FPDFText_GetLooseCharBox",
            "FPDFText_IsGenerated", "FPDFText_HasUnicodeMapError", "FPDFText_GetTextObject",
            "FPDFText_GetCharOrigin", "FPDFText_GetMatrix", "FPDFText_GetFontSize",
        ):
            setattr(self, name, _int_handles(getattr(pdfium, name)))


_api: _Api | None = None


def _get_api() -> _Api:
    global _api
    if _api is None:
        install_box_font()
        _api = _Api()
    return _api


Char = tuple  # (x0, top, x1, bottom, text): text is one glyph's text, " " for a printed space
Segment = tuple  # horizontal: (top, x0, x1); vertical: (x0, top, bottom)


@dataclass
class Page:
    chars: list[Char] = field(default_factory=list)
    horizontal: list[Segment] = field(default_factory=list)
    vertical: list[Segment] = field(default_factory=list)
    images: int = 0
    unmapped: int = 0  # glyphs without a Unicode mapping: (cid:NN)
    text_objects: int = 0
    unplaced: int = 0  # text objects PDFium's text page leaves out: their glyphs have no outline


class PdfFile:
    """An open PDF (use as a context manager, under ENGINE_LOCK)."""

    def __init__(self, data: bytes) -> None:
        self.api = _get_api()
        self.repaired = False  # the trailer's /Root pointed nowhere: the catalog was found by scanning
        try:
            self._doc = pypdfium2.PdfDocument(data)
        except pypdfium2.PdfiumError as exc:
            if exc.err_code == pdfium.FPDF_ERR_PASSWORD:
                raise UnreadableFile("PDF is encrypted (a password is required to open it)") from exc
            self._doc = open_with_catalog_found(data)
            if self._doc is None:
                raise UnreadableFile(f"malformed PDF{truncation_hint(data)} ({_pdfium_message(exc)})") from exc
            self.repaired = True
        self._handle = C.cast(self._doc.raw, C.c_void_p).value
        self._vertical_fonts: dict[int, bool] = {}  # font handle → vertical writing?

    def __enter__(self) -> PdfFile:
        return self

    def __exit__(self, *exc) -> None:
        self._doc.close()

    @property
    def page_count(self) -> int:
        return self.api.FPDF_GetPageCount(self._handle)

    def page(self, index: int) -> Page:
        """What page ``index`` (0-based) draws; raises PageError when PDFium cannot read it."""
        api = self.api
        handle = api.FPDF_LoadPage(self._handle, index)
        if not handle:
            raise PageError("PDFium could not load the page")
        try:
            transform = _display_transform(api, handle)
            out = Page()
            vertical_text: set[int] = set()
            self._budget = MAX_PAGE_OBJECTS
            self._walk(handle, api.FPDFPage_CountObjects, api.FPDFPage_GetObject, None, transform, out,
                       vertical_text)
            text_page = api.FPDFText_LoadPage(handle)
            if not text_page:
                raise PageError("PDFium could not read the page's text")
            try:
                _read_chars(api, text_page, transform, vertical_text, out)
            finally:
                api.FPDFText_ClosePage(text_page)
            return out
        finally:
            api.FPDF_ClosePage(handle)

    # -- page objects ----------------------------------------------------------------------------

    def _walk(self, parent, count, get, matrix, transform, out: Page, vertical_text: set[int], depth: int = 0):
        """Segments, images and vertical-writing text objects of ``parent`` (a page or a form
        XObject, whose ``matrix`` maps its space to the page's)."""
        api = self.api
        get_type = api.FPDFPageObj_GetType
        get_font = api.FPDFTextObj_GetFont
        get_bounds = api.FPDFPageObj_GetBounds
        left, bottom, right, top = C.c_float(), C.c_float(), C.c_float(), C.c_float()
        bounds = (C.byref(left), C.byref(bottom), C.byref(right), C.byref(top))
        vertical_fonts = self._vertical_fonts
        n = count(parent)
        self._budget -= n
        if self._budget < 0:
            raise PageTooComplex(f"the page draws more than {MAX_PAGE_OBJECTS:,} objects")
        for i in range(n):
            obj = get(parent, i)
            kind = get_type(obj)
            if kind == _OBJ_TEXT:
                out.text_objects += 1
                if get_bounds(obj, *bounds) and right.value - left.value < 0.01:
                    out.unplaced += 1  # PDFium's text page skips it: a space, or a font without outlines
                font = get_font(obj)
                is_vertical = vertical_fonts.get(font)
                if is_vertical is None:
                    is_vertical = vertical_fonts[font] = _font_is_vertical(api, font)
                if is_vertical:
                    vertical_text.add(obj)
            elif kind == _OBJ_PATH:
                _path_segments(api, obj, matrix, transform, out)
            elif kind == _OBJ_IMAGE:
                out.images += 1
            elif kind == _OBJ_FORM and depth < 16:
                form_matrix = _object_matrix(api, obj)
                if matrix is not None:
                    form_matrix = _multiply(form_matrix, matrix)
                self._walk(obj, api.FPDFFormObj_CountObjects, api.FPDFFormObj_GetObject, form_matrix,
                           transform, out, vertical_text, depth + 1)


_LOAD_ERRORS = {
    pdfium.FPDF_ERR_FILE: "the file could not be read as a PDF",
    pdfium.FPDF_ERR_FORMAT: "not in PDF format or corrupted",
    pdfium.FPDF_ERR_SECURITY: "unsupported security scheme",
    pdfium.FPDF_ERR_PAGE: "page not found or content error",
}


def _pdfium_message(exc: pypdfium2.PdfiumError) -> str:
    return "PDFium: " + _LOAD_ERRORS.get(exc.err_code, str(exc))


def _font_is_vertical(api: _Api, font) -> bool:
    """PDFium gives a vertical-writing font's advance as negative (the pen moves down)."""
    width = C.c_float()
    if not font or not api.FPDFFont_GetGlyphWidth(font, 0x4E00, 1.0, C.byref(width)):
        return False
    return width.value < 0


# -- geometry ------------------------------------------------------------------------------------


def _display_transform(api: _Api, page) -> tuple[float, float, float, float, float, float]:
    """(a, b, c, d, e, f): PDF user space → displayed page, y growing downwards."""
    box = pdfium.FS_RECTF()
    if not api.FPDF_GetPageBoundingBox(page, C.byref(box)):
        box.left, box.bottom, box.right, box.top = 0.0, 0.0, 612.0, 792.0
    x0, y0, x1, y1 = box.left, box.bottom, box.right, box.top
    rotation = api.FPDFPage_GetRotation(page) % 4
    if rotation == 1:  # 90° clockwise: x' = y - y0, top = x - x0
        return (0.0, 1.0, 1.0, 0.0, -y0, -x0)
    if rotation == 2:  # x' = x1 - x, top = y - y0
        return (-1.0, 0.0, 0.0, 1.0, x1, -y0)
    if rotation == 3:  # x' = y1 - y, top = x1 - x
        return (0.0, -1.0, -1.0, 0.0, y1, x1)
    return (1.0, 0.0, 0.0, -1.0, -x0, y1)  # x' = x - x0, top = y1 - y


def _object_matrix(api: _Api, obj) -> tuple[float, float, float, float, float, float]:
    m = pdfium.FS_MATRIX()
    if not api.FPDFPageObj_GetMatrix(obj, C.byref(m)):
        return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _multiply(m, n):
    """``m`` then ``n`` (row-vector convention, as in PDF: p' = p × m × n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _path_segments(api: _Api, obj, parent_matrix, transform, out: Page) -> None:
    fill_mode, stroke = C.c_int(), C.c_int()
    if not api.FPDFPath_GetDrawMode(obj, C.byref(fill_mode), C.byref(stroke)):
        return
    filled, stroked = fill_mode.value != 0, bool(stroke.value)
    if not (filled or stroked):
        return
    m = _object_matrix(api, obj)
    if parent_matrix is not None:
        m = _multiply(m, parent_matrix)
    a, b, c, d, e, f = _multiply(m, transform)
    get_segment, get_point = api.FPDFPath_GetPathSegment, api.FPDFPathSegment_GetPoint
    get_type, get_close = api.FPDFPathSegment_GetType, api.FPDFPathSegment_GetClose
    px, py = C.c_float(), C.c_float()
    ref_x, ref_y = C.byref(px), C.byref(py)
    subpaths: list[list[tuple[float, float]]] = []
    points: list[tuple[float, float]] = []
    segment = None
    for i in range(api.FPDFPath_CountSegments(obj)):
        previous, segment = segment, get_segment(obj, i)
        if not segment or not get_point(segment, ref_x, ref_y):
            continue
        x, y = px.value, py.value
        if get_type(segment) == _SEG_MOVETO:
            if previous and get_close(previous) and len(points) > 1 and points[-1] != points[0]:
                points.append(points[0])
            subpaths.append(points)
            points = []
        points.append((a * x + c * y + e, b * x + d * y + f))
    if segment and get_close(segment) and len(points) > 1 and points[-1] != points[0]:
        points.append(points[0])
    subpaths.append(points)
    horizontal, vertical = out.horizontal, out.vertical
    for points in subpaths:
        if len(points) < 2 or (filled and not stroked and _is_background(points)):
            continue
        x0, y0 = points[0]
        for x1, y1 in points[1:]:
            if y0 == y1:
                if x0 != x1:
                    horizontal.append((y0, x0, x1) if x0 < x1 else (y0, x1, x0))
            elif x0 == x1:
                vertical.append((x0, y0, y1) if y0 < y1 else (x0, y1, y0))
            x0, y0 = x1, y1


def _is_background(points: list[tuple[float, float]]) -> bool:
    """A closed axis-aligned rectangle whose both sides exceed the border thickness."""
    if len(points) != 5 or points[0] != points[4]:
        return False
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[:4]
    if x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0:
        width, height = abs(x2 - x0), abs(y1 - y0)
    elif y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0:
        width, height = abs(x1 - x0), abs(y2 - y0)
    else:
        return False
    return min(width, height) > BACKGROUND_MIN_THICKNESS


# -- characters -------------------------------------------------------------------------------------

_LINE_BREAKS = frozenset((0x0A, 0x0D))


def _read_chars(api: _Api, text_page, transform, vertical_text: set[int], out: Page) -> None:
    get_unicode, loose_box = api.FPDFText_GetUnicode, api.FPDFText_GetLooseCharBox
    unmapped, generated = api.FPDFText_HasUnicodeMapError, api.FPDFText_IsGenerated
    text_object = api.FPDFText_GetTextObject
    a, b, c, d, e, f = transform
    upright = b == 0.0  # rotation 0 or 180: x stays x
    box = pdfium.FS_RECTF()
    ref = C.byref(box)
    chars = out.chars
    append = chars.append
    n_unmapped = 0
    for i in range(api.FPDFText_CountChars(text_page)):
        code = get_unicode(text_page, i)
        if code <= 0x20 or code == 0xA0 or code == 0x3000 or code == 0xFFFE:
            if code == 2:  # PDFium's mark for a hyphen it took for a line-end hyphenation
                code = 0x2D
            elif code in _LINE_BREAKS or code == 0xFFFE or code == 0 or generated(text_page, i):
                continue
            elif code < 0x20:
                continue  # control characters print nothing
        if unmapped(text_page, i):
            text = f"(cid:{code})"
            n_unmapped += 1
        else:
            text = chr(code)
        if vertical_text and text_object(text_page, i) in vertical_text:
            corners = _glyph_box(api, text_page, i, vertical=True)
        else:
            loose_box(text_page, i, ref)
            left, right, bottom, top = box.left, box.right, box.bottom, box.top
            if right - left > 0.01 and top - bottom > 0.01:
                corners = (left, bottom, right, top)
            else:  # rotated or mirrored text: PDFium's loose box is empty
                corners = _glyph_box(api, text_page, i, vertical=False)
                if corners is None:
                    continue
        x0, y0, x1, y1 = corners
        if upright:
            X0, X1 = a * x0 + e, a * x1 + e
            T0, T1 = d * y1 + f, d * y0 + f
        else:
            X0, X1 = c * y0 + e, c * y1 + e
            T0, T1 = b * x0 + f, b * x1 + f
        if X1 < X0:
            X0, X1 = X1, X0
        if T1 < T0:
            T0, T1 = T1, T0
        append((X0, T0, X1, T1, text))
    out.unmapped = n_unmapped


def _glyph_box(api: _Api, text_page, i: int, vertical: bool):
    """(left, bottom, right, top) in user space from the glyph's origin, text matrix and advance
    (pdfminer's box); one em square from the origin for a vertical-writing font, where PDFium's
    origin is already the box's corner."""
    m = pdfium.FS_MATRIX()
    ox, oy = C.c_double(), C.c_double()
    if not api.FPDFText_GetMatrix(text_page, i, C.byref(m)) or not api.FPDFText_GetCharOrigin(
            text_page, i, C.byref(ox), C.byref(oy)):
        return None
    size = api.FPDFText_GetFontSize(text_page, i)
    if not (size > 0 and math.isfinite(size)):
        return None
    if vertical:
        width, descent = size, 0.0
    else:
        width, descent = size, -0.12 * size  # used when the font gives no metrics
        obj = api.FPDFText_GetTextObject(text_page, i)
        font = api.FPDFTextObj_GetFont(obj) if obj else None
        if font:
            w, dsc = C.c_float(), C.c_float()
            code = api.FPDFText_GetUnicode(text_page, i)
            if api.FPDFFont_GetGlyphWidth(font, code, size, C.byref(w)) and w.value > 0:
                width = w.value
            if api.FPDFFont_GetDescent(font, size, C.byref(dsc)):
                descent = dsc.value
    xs, ys = [], []
    for tx, ty in ((0.0, descent), (width, descent), (0.0, descent + size), (width, descent + size)):
        xs.append(m.a * tx + m.c * ty + ox.value)
        ys.append(m.b * tx + m.d * ty + oy.value)
    return (min(xs), min(ys), max(xs), max(ys))
