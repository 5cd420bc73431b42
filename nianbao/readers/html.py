"""HTML reader: selectolax (lexbor backend) → text blocks and table grids in document order.

* Page chrome is dropped: script/style/noscript/template/iframe/svg/form controls, ``<nav>``,
  ``<header>``/``<footer>`` (unless inside ``<article>``/``<main>``, where they hold the
  report's own title), and elements hidden with ``hidden`` or ``display:none``.
* Block-level elements and ``<br>`` end a line; whitespace is collapsed as a browser would.
  The ``<title>`` is kept as the first line (it often carries the report title).
* A ``<table>`` becomes a :class:`TableBlock` grid with rowspan/colspan resolved (text at the
  top-left slot, covered slots ``None``, empty cells ``""``; ``<br>`` and block breaks inside
  a cell are joined without a separator, so ``本年新<br/>制作数量`` reads ``本年新制作数量``).
  Layout tables — ones that contain other tables, or with at most one cell per row — are
  read as running text instead, so the data tables nested in them become grids.
* Pathologically deep markup (which makes any HTML5 tree builder quadratic) is flattened
  before parsing.
"""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from nianbao.readers._common import BlockBuilder, collapse_ws, join_pieces, pad_rows
from nianbao.readers.decode import decode_bytes
from nianbao.readers.document import Document, UnreadableFile

__all__ = ["read_html", "looks_like_html"]

SKIP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
        "math", "canvas", "audio", "video", "select", "button", "input", "textarea",
        "head", "nav", "map", "dialog", "frameset", "frame",
    }
)
CHROME_TAGS = frozenset({"header", "footer"})
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
        "details", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "footer", "hgroup", "hr", "html", "li",
        "legend", "listing", "main", "menu", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul", "xmp", "plaintext",
    }
)
_CELL_TAGS = ("td", "th")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr", "keygen", "basefont", "bgsound", "frame", "image"}
)
# Tags the tree builder closes implicitly: they do not deepen the stack when left open.
_AUTO_CLOSED = frozenset(
    {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "rtc",
     "thead", "tbody", "tfoot", "colgroup", "caption", "head", "body", "html"}
)
_KEEP_WHEN_FLATTENING = frozenset(
    {"table", "tr", "td", "th", "thead", "tbody", "tfoot", "caption", "br", "p", "title"}
)

MAX_DEPTH = 1500  # real pages nest < 100 deep; lexbor parsing is quadratic in depth
MAX_TABLE_SLOTS = 2_000_000
MAX_COLSPAN = 1000

_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SNIFF_RE = re.compile(rb"<(?:!doctype\s+html|html|table|head|body|meta\s|title)[\s>/]", re.I)


def looks_like_html(data: bytes) -> bool:
    """HTML markup within the first KB (NULs removed so UTF-16 markup is seen too)."""
    head = data[:2048].replace(b"\x00", b"")[:1024]
    return _SNIFF_RE.search(head) is not None


_ANY_TAG = re.compile(rb"<[A-Za-z/][^<>]{0,500}>")  # an element (a comment alone is no markup)


def has_markup(data: bytes) -> bool:
    """Any tag at all in the file (an HTML fragment may open with none of the sniffed ones)."""
    if b"\x00" in data[:1024]:
        data = data.replace(b"\x00", b"")  # UTF-16
    return _ANY_TAG.search(data) is not None


def read_html(data: bytes) -> Document:
    hint = _meta_charset(data)
    text, encoding = decode_bytes(data, hint=hint)
    doc = read_html_text(text, encoding=encoding)
    bad = text.count("\ufffd")
    if bad:
        doc.notes.append(f"{bad} undecodable byte sequence(s) replaced with U+FFFD")
    return doc


def read_html_text(text: str, *, encoding: str | None = None) -> Document:
    notes: list[str] = []
    # Lexbor's tree builder is quadratic in nesting depth; below ~50 KB even the worst case
    # parses in a fraction of a second, so only larger inputs pay for the depth scan.
    depth = _max_depth(text) if len(text) > 50_000 else 0
    if depth > MAX_DEPTH:
        text = _flatten(text)
        notes.append(f"HTML nested about {depth} levels deep; flattened to its text and tables")
    parser = LexborHTMLParser(text)
    builder = BlockBuilder()

    head = parser.head
    if head is not None:
        title = head.css_first("title")
        if title is not None:
            builder.line(collapse_ws(title.text(deep=True)))

    root = parser.body
    if root is None:
        root = parser.root
    if root is not None:
        _remove_chrome(parser)
        one_column: dict[int, bool] = {}
        layout = _layout_tables(parser, one_column)
        # Elements with a span (mem_ids), found in C: the grid builds the attribute dict only
        # for those cells, not for every cell. (A cell listed without a real span would be
        # harmless: a 1x1 span is placed exactly like a plain cell.)
        spanning = {node.mem_id for node in parser.css("[colspan], [rowspan]")}
        _Walker(builder, layout, one_column, spanning).run(root)
    return Document(blocks=builder.finish(), file_format="html", encoding=encoding, notes=notes)


# -- encoding and depth guards ---------------------------------------------------------------


def _meta_charset(data: bytes) -> str | None:
    head = data[:4096]
    if b"\x00" in head:  # UTF-16: the BOM/NUL pattern decides, not a meta tag
        return None
    m = _META_CHARSET_RE.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _max_depth(text: str) -> int:
    depth = best = 0
    for m in _TAG_RE.finditer(text):
        name = m.group(2).lower()
        if name in _VOID or name in _AUTO_CLOSED:
            continue
        if m.group(1):
            if depth:
                depth -= 1
        else:
            depth += 1
            if depth > best:
                best = depth
    return best


def _remove_raw_text(text: str, name: str) -> str:
    """Drop <script>/<style> elements with a linear scan (a lazy regex is quadratic on
    unclosed tags)."""
    lower = text.lower()
    out: list[str] = []
    pos = 0
    while True:
        start = lower.find("<" + name, pos)
        if start < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:start])
        end = lower.find("</" + name, start)
        if end < 0:
            break
        close = lower.find(">", end)
        pos = len(text) if close < 0 else close + 1
    return "".join(out)


def _flatten(text: str) -> str:
    """Keep only table structure and line breaks; block tags become <br>, inline tags go."""
    for name in ("script", "style"):
        text = _remove_raw_text(text, name)

    def repl(m: re.Match[str]) -> str:
        name = m.group(2).lower()
        if name in _KEEP_WHEN_FLATTENING:
            return m.group(0)
        return "<br>" if name in BLOCK_TAGS or name in CHROME_TAGS else ""

    return re.sub(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]{0,2000}>", repl, text)


# -- tree walk -------------------------------------------------------------------------------


def _layout_tables(parser: LexborHTMLParser, one_column: dict[int, bool]) -> set[int]:
    """mem_ids of layout tables: tables that hold a data table (one with more than one cell
    in some row) at any depth. They are read as running text so the data tables inside them
    become grids. A one-column table nested in a cell is just flattened into the cell.
    ``one_column`` receives the _is_layout_grid verdict of every table looked at (mem_id →
    bool), so the walk does not compute it again."""
    layout: set[int] = set()
    tables = parser.css("table")
    # Descendants follow their ancestors in document order: walk backwards so a table's
    # verdict is known before its enclosing table is looked at.
    for table in reversed(tables):
        if table.mem_id not in layout:
            verdict = one_column[table.mem_id] = _is_layout_grid(table)
            if verdict:
                continue  # a trivial one-column table does not make its container a layout
        node = table.parent
        while node is not None:
            tag = node.tag
            if tag == "table":
                layout.add(node.mem_id)
                break
            if tag in ("body", "html"):
                break
            node = node.parent
    return layout


def _remove_chrome(parser: LexborHTMLParser) -> None:
    """Drop skipped elements, chrome and hidden elements from the tree (in C where possible)."""
    parser.strip_tags(sorted(SKIP_TAGS - {"head"}))
    doomed = []
    # One C query for header/footer and a superset of the hidden elements: lexbor pays about
    # one tree walk per selector, so the five case-sensitive style substrings are asked for
    # as two case-insensitive ones and checked exactly here.
    for node in parser.css(_CHROME_OR_HIDDEN_SELECTOR):
        if node.tag in CHROME_TAGS:
            anc = node.parent
            while anc is not None and anc.tag not in ("article", "main", "body", "html"):
                anc = anc.parent
            if anc is None or anc.tag not in ("article", "main"):
                doomed.append(node)
                continue
        attrs = node.attributes
        if "hidden" in attrs:
            doomed.append(node)
            continue
        style = attrs.get("style")
        # The style must hold one of the substrings the selector used to ask for (in those
        # exact cases) and match the regex.
        if style and any(part in style for part in _HIDDEN_STYLE_PARTS) and _HIDDEN_STYLE_RE.search(style):
            doomed.append(node)
    if not doomed:
        return
    # Remove only the outermost doomed elements (their descendants go with them). They are
    # disjoint subtrees, so the order they go in does not matter.
    ids = {node.mem_id for node in doomed}
    for node in doomed:
        anc = node.parent
        while anc is not None:
            if anc.mem_id in ids:
                break
            anc = anc.parent
        else:
            node.decompose()


_HIDDEN_STYLE_PARTS = ("none", "NONE", "None", "idden", "IDDEN")
# "i": ASCII case-insensitive, so a superset of the case-sensitive parts above.
_CHROME_OR_HIDDEN_SELECTOR = 'header, footer, [hidden], [style*="none" i], [style*="idden" i]'
_PRE_TAGS = ("pre", "xmp", "listing")


class _Walker:
    """Iterative depth-first walk (no recursion, so depth cannot crash it) emitting lines
    at block boundaries and table grids for data tables."""

    def __init__(self, builder: BlockBuilder, layout: set[int], one_column: dict[int, bool],
                 spanning: set[int]) -> None:
        self.builder = builder
        self.spanning = spanning
        self.layout = layout
        self.one_column = one_column
        self._buf: list[str] = []

    def brk(self) -> None:
        buf = self._buf
        if buf:
            line = collapse_ws("".join(buf)).strip()
            buf.clear()  # in place: run() holds the same list
            if line:
                self.builder.line(line)

    def _one_column(self, table) -> bool:
        verdict = self.one_column.get(table.mem_id)
        return _is_layout_grid(table) if verdict is None else verdict

    def run(self, root) -> None:
        buf = self._buf
        brk = self.brk
        layout = self.layout
        stack: list = [root]
        pre_depth = 0
        while stack:
            item = stack.pop()
            if item.__class__ is str:  # the end of a block element, pushed as its tag name
                if item in _PRE_TAGS:
                    pre_depth -= 1
                if buf:
                    brk()
                continue
            node = item
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text:
                    if pre_depth:
                        for i, part in enumerate(text.split("\n")):
                            if i and buf:
                                brk()
                            buf.append(part)
                    else:
                        buf.append(text)
                continue
            if tag is None or tag[0] in "-!#":
                continue  # comments, doctype
            if tag == "br":
                if buf:
                    brk()
                continue
            if tag == "table" and node.mem_id not in layout and not self._one_column(node):
                if buf:
                    brk()
                rows = _table_grid(node, self.spanning)
                if rows:
                    self.builder.table(rows)
                continue
            if tag in BLOCK_TAGS:
                if buf:
                    brk()
                stack.append(tag)
                if tag in _PRE_TAGS:
                    pre_depth += 1
            children = list(node.iter(True))
            children.reverse()
            stack += children
        brk()


def _rows(table) -> list:
    """The table's own rows (direct, or under thead/tbody/tfoot), not those of nested tables."""
    rows = []
    for child in table.iter():
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("tbody", "thead", "tfoot"):
            rows += [c for c in child.iter() if c.tag == "tr"]
    return rows


def _is_layout_grid(table) -> bool:
    """At most one cell in every row and no colspan: a one-column layout table."""
    for tr in _rows(table):
        cells = [c for c in tr.iter() if c.tag in _CELL_TAGS]
        if len(cells) > 1:
            return False
        if cells and _span(cells[0], "colspan") > 1:
            return False
    return True


def _span(cell, name: str) -> int:
    return _span_value(cell.attributes.get(name))


def _span_value(value: str | None) -> int:
    if not value:
        return 1
    if value.isdigit():
        return int(value[:7])
    m = _SPAN_RE.match(value)
    if not m:
        return 1
    return int(m.group(1)[:7])


_SPAN_RE = re.compile(r"\s*(\d+)")
_WS_CHARS = (" ", "\t", "\n", "\r", "\f", "\v", "\xa0")
# A cell text holding none of these is final as it is (one C scan instead of eight).
_NOT_PLAIN_RE = re.compile("[\x00" + "".join(_WS_CHARS) + "]")


def _clean_cell_text(raw: str) -> str:
    """A cell's text nodes (``raw``: joined by NULs), each whitespace-collapsed, joined
    without a separator (so ``<br>``, ``<p>`` and whitespace-only gaps between elements
    vanish). Cells without NULs or whitespace skip this: their text is already final."""
    if "\x00" not in raw:
        return collapse_ws(raw).strip()
    return join_pieces([collapse_ws(p) for p in raw.split("\x00")])


def _tag_ids() -> tuple[int, int]:
    cells = LexborHTMLParser("<table><tr><td></td><th></th></tr></table>").css("td, th")
    return cells[0].tag_id, cells[1].tag_id


# Lexbor's ids for <td> and <th>: comparing ints skips building the tag name per cell.
_TD_ID, _TH_ID = _tag_ids()
_GAP = object()


def _table_grid(table, spanning: set[int]) -> list[list[str | None]]:
    """The table's grid. ``spanning``: mem_ids of the document's elements with a colspan or
    rowspan attribute."""
    trs = _rows(table)
    nrows = len(trs)
    grid: list[list] = [[] for _ in range(nrows)]
    slots = 0
    gap = _GAP
    td, th = _TD_ID, _TH_ID
    not_plain = _NOT_PLAIN_RE.search
    kept = []  # rows with a cell of their own; rows only covered from above hold no text
    spanned = False
    for r, tr in enumerate(trs):
        c = 0
        row = grid[r]
        n = len(row)  # kept equal to len(row)
        first_slot = slots
        for cell in tr.iter():
            tag_id = cell.tag_id
            if tag_id != td and tag_id != th:
                continue
            while c < n and row[c] is not gap:
                c += 1
            if spanning and cell.mem_id in spanning:
                attrs = cell.attributes
                colspan = _span_value(attrs.get("colspan"))
                if colspan < 1:
                    colspan = 1
                elif colspan > MAX_COLSPAN:
                    colspan = MAX_COLSPAN
                rowspan = _span_value(attrs.get("rowspan"))
                if rowspan <= 0 or rowspan > nrows - r:  # rowspan=0: to the end of the table
                    rowspan = nrows - r
                slots += rowspan * colspan
                wide = rowspan != 1 or colspan != 1
            else:
                slots += 1
                wide = False
            if slots > MAX_TABLE_SLOTS:
                raise UnreadableFile(f"HTML table too large (over {MAX_TABLE_SLOTS} cells)")
            text = cell.text(True, "\x00")
            if not text.isalnum() and not_plain(text) is not None:  # isalnum: "12", "行政许可"
                text = _clean_cell_text(text)
            if wide:
                spanned = True
                need = c + colspan
                for dr in range(rowspan):
                    target = grid[r + dr]
                    if len(target) < need:
                        target.extend([gap] * (need - len(target)))
                    for dc in range(colspan):
                        if target[c + dc] is gap:
                            target[c + dc] = text if (dr == 0 and dc == 0) else None
                n = len(row)
                c += colspan
                continue
            if c < n:
                row[c] = text  # a slot left open by rows above (it is a gap, see the while)
            else:
                row.append(text)
                n += 1
            c += 1
        if slots != first_slot:
            kept.append(row)
    if spanned:  # gaps exist only where a span widened a row
        kept = [[None if v is gap else v for v in row] if gap in row else row for row in kept]
    return pad_rows(kept)
