"""PDF reader: PDFium (pypdfium2) → per page, table grids where ruling lines draw a table, text
lines for everything else, in page order (top to bottom). The characters and ruling segments come
from the engine (``pdf_engine``); grids and lines are our own (``pdf_layout``).

* Tables are drawn by ruling lines; filled, unstroked rectangles thicker than a rule are not
  borders: WPS/Word exports paint a white background box behind every line of prose, which
  would otherwise read as a one-column "table" (and glue it onto the real table below). Grids
  with fewer than two rows or two columns are read as text. Wrapped lines inside a cell are
  joined without a separator (``商业企\\n业`` → ``商业企业``; the vertical group label
  ``三\\n、\\n本\\n年…`` → ``三、本年度办理结果``); a slot covered by a merged cell is ``None``.
* Text outside the tables is read with a y tolerance of 6 pt (3 pt inside cells): a table row
  whose label wraps onto two lines prints its numbers half a line lower, and the wider
  tolerance puts them on one line with the label (huaian-2024: 25 of 26 data rows labelled,
  against 23 with 3 pt; hongze-2024: 23 of 24 against 17). Prose line spacing in these
  reports is ~28pt, far above it. A wide gap between two words (an unruled table's columns)
  is kept as a run of spaces.
* Page furniture: a page number alone on a page's first or last line (``- 3 -``, ``第3页``,
  ``3/5``) is dropped, and a table whose first part ends a page and whose next part opens
  the following page with the same number of columns is joined into one grid (both noted).
  A group label split by the break stays split (huaian: ``（四）无`` | ``法提供``).
* Running headers and footers: a line of words (not figures) that opens or closes at least two
  pages is dropped wherever it opens or closes one, so a row label wrapped over a page break
  joins again.
* A glyph printed twice over itself (fake bold) is read once.
* Rejections (:class:`UnreadableFile`): over ``max_pages``; encrypted; malformed; no text at
  all ("no text layer: scanned image" when the pages hold images); a text layer of
  ``(cid:NN)`` glyph codes (fonts without a Unicode map); a compressed stream that inflates
  beyond 16 MB (checked before the engine reads the file: one that runs out of memory aborts
  the process); text PDFium cannot place (glyphs without outlines: a damaged font), when it is
  more than a few objects. A page drawing more than 100,000 objects is skipped with a note.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from nianbao.readers._common import BlockBuilder, join_pieces, pad_rows
from nianbao.readers.document import PAGES_CAP, Document, OverCap, UnreadableFile
from nianbao.readers.pdf_checks import oversized_stream, truncation_hint
from nianbao.readers.pdf_engine import ENGINE_LOCK, Page, PageError, PageTooComplex, PdfFile
from nianbao.readers.pdf_layout import find_tables, table_cells, text_lines

__all__ = ["read_pdf"]

TEXT_Y_TOLERANCE = 6
CID_REJECT_RATIO = 0.1  # share of (cid:NN) glyphs in the text layer that makes it unreadable
MIN_TEXT_CHARS = 20  # fewer visible characters in the whole file: no text layer
# Text objects PDFium cannot place (glyphs without outlines): a few are spaces; many, a font the
# engine cannot use, whose text is lost.
UNPLACED_REJECT_COUNT = 10
UNPLACED_REJECT_RATIO = 0.02
_PAGE_NUMBER_RE = re.compile(
    r"(?:[-—–－─]\s*\d{1,4}\s*[-—–－─]"  # - 3 -, —3—
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页 共5页
    r"|\d{1,4}\s*/\s*\d{1,4})$"  # 3/5
)


def read_pdf(data: bytes, *, max_pages: int = 200) -> Document:
    bomb = oversized_stream(data)
    if bomb:
        raise UnreadableFile(bomb)
    with ENGINE_LOCK, PdfFile(data) as pdf:
        n_pages = pdf.page_count
        if n_pages > max_pages:
            raise OverCap(f"PDF has {n_pages} pages, over the cap of {max_pages} ({PAGES_CAP})", PAGES_CAP, max_pages)
        if n_pages == 0:
            raise UnreadableFile(f"PDF has no pages{truncation_hint(data)}")

        builder = BlockBuilder()
        notes: list[str] = []
        if pdf.repaired:
            notes.append("the PDF's trailer names no catalog: its catalog was found by scanning the file")
        total_chars = cid_chars = image_pages = text_objects = unplaced = 0
        pages_without_text: list[int] = []
        failed: list[tuple[Exception, str]] = []
        continued: list[int] = []
        numbers_dropped = furniture_dropped = 0
        pages: list[tuple[int, list]] = []  # (page number, its lines and tables in reading order)
        for number in range(1, n_pages + 1):
            try:
                page = pdf.page(number - 1)
            except Exception as exc:  # one broken page should not lose the others
                why = str(exc) if isinstance(exc, PageError) else f"{type(exc).__name__}: {str(exc)[:120]}"
                failed.append((exc, f"page {number} ({why})"))
                continue
            visible = sum(1 for c in page.chars if not c[4].isspace())
            total_chars += visible
            text_objects += page.text_objects
            unplaced += page.unplaced
            cid_chars += page.unmapped
            if page.images:
                image_pages += 1
            if not visible:
                pages_without_text.append(number)
                continue
            items, page_numbers = _page_items(page)
            numbers_dropped += page_numbers
            pages.append((number, items))
        furniture = _running_lines(pages)
        for number, items in pages:
            furniture_dropped += _drop_edges(items, lambda text: _furniture_key(text) in furniture)
            if _emit(items, builder):
                continued.append(number)

    if failed:
        if len(failed) == n_pages:
            if all(isinstance(exc, PageTooComplex) for exc, _ in failed):
                raise UnreadableFile(f"no page could be read: {failed[0][1]}")
            raise UnreadableFile(
                f"malformed PDF{truncation_hint(data)}: no page could be read; {failed[0][1]}"
            )
        notes.append("unreadable pages skipped: " + "; ".join(why for _, why in failed))

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
    if unplaced >= UNPLACED_REJECT_COUNT and unplaced >= UNPLACED_REJECT_RATIO * text_objects:
        # a cell whose digits are lost would read as blank, which a report means as 0
        raise UnreadableFile(
            f"{unplaced} of {text_objects} text objects have glyphs without outlines (a damaged or unusable "
            "font), so the engine cannot place their text: the text cannot be read completely"
        )
    if unplaced:
        notes.append(f"{unplaced} text object(s) without glyph outlines not read (spaces, or a damaged font)")
    if truncation_hint(data):
        notes.append("no %%EOF marker at the end of the PDF: the file may be truncated")
    if numbers_dropped:
        notes.append(f"{numbers_dropped} page-number line(s) (like '- 3 -') dropped")
    if furniture_dropped:
        notes.append(f"{furniture_dropped} running header or footer line(s) (the same text opening or "
                     "closing several pages) dropped")
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


def _page_items(page: Page) -> tuple[list[tuple[float, float, int, object]], int]:
    """The page's text lines (kind 0) and table grids (kind 1) in reading order, without a page
    number on its first or last line; and how many page-number lines were dropped."""
    chars = page.chars
    tables = []
    for table in find_tables(page.horizontal, page.vertical):
        rows = table_cells(table, chars)
        if len(rows) < 2 or max((len(r) for r in rows), default=0) < 2:
            continue  # a one-row or one-column "table" is a framed paragraph: read as text
        grid = [[None if lines is None else join_pieces(lines) for lines in row] for row in rows]
        grid = [row for row in grid if any(v is not None for v in row)]
        if grid:
            tables.append((table.bbox, pad_rows(grid)))

    text_chars = chars
    for (x0, top, x1, bottom), _ in tables:
        text_chars = [c for c in text_chars
                      if not (x0 <= (c[0] + c[2]) / 2 <= x1 and top <= (c[1] + c[3]) / 2 <= bottom)]

    items: list[tuple[float, float, int, object]] = []
    for top, x0, text in text_lines(text_chars, TEXT_Y_TOLERANCE):
        items.append((top, x0, 0, text))
    for bbox, grid in tables:
        items.append((bbox[1], bbox[0], 1, grid))
    items.sort(key=lambda item: (item[0], item[1]))

    # Page furniture: a page number alone on the first or last line of the page.
    dropped = _drop_edges(items, lambda text: _PAGE_NUMBER_RE.match(text.strip()) is not None)
    return items, dropped


def _furniture_key(text: str) -> str | None:
    """A line's text as a running header or footer candidate: words, not a row of figures."""
    key = re.sub(r"\s+", "", text)
    digits = sum(ch.isdigit() for ch in key)
    return key if len(key) - digits >= 4 and digits * 3 <= len(key) else None


def _running_lines(pages: list[tuple[int, list]]) -> set[str]:
    """Texts that open (or close) at least two pages: a running header or footer, which would
    otherwise land inside whatever continues over the page break (a wrapped row label)."""
    seen: dict[str, int] = {}
    for _, items in pages:
        edges = {_furniture_key(item[3]) for item in (items[:1] + items[-1:]) if item[2] == 0}
        for key in edges - {None}:
            seen[key] = seen.get(key, 0) + 1
    return {key for key, count in seen.items() if count >= 2}


def _drop_edges(items: list, is_furniture: Callable[[str], bool]) -> int:
    """Drop the text lines that ``is_furniture`` says open or close the page; how many."""
    dropped = 0
    while items and items[0][2] == 0 and is_furniture(items[0][3]):
        items.pop(0)
        dropped += 1
    while items and items[-1][2] == 0 and is_furniture(items[-1][3]):
        items.pop()
        dropped += 1
    return dropped


def _emit(items: list, builder: BlockBuilder) -> bool:
    """Add a page's items to ``builder``; whether its first table continued the previous page's."""
    merged = False
    for index, (_, _, kind, payload) in enumerate(items):
        if kind == 0:
            builder.line(payload)  # type: ignore[arg-type]
        elif index == 0 and builder.continue_table(payload):  # type: ignore[arg-type]
            merged = True
        else:
            builder.table(payload)  # type: ignore[arg-type]
    return merged
