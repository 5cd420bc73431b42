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

from nianbao.decode import decode_bytes
from nianbao.document import Document, UnreadableFile
from nianbao.readers._common import BlockBuilder, collapse_ws, join_pieces, pad_rows

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
        _Walker(builder, layout, one_column).run(root)
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


def _layout_tables(parser: LexborHTMLParser, one_column: dict[int, bool] | None = None) -> set[int]:
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
            verdict = _is_layout_grid(table)
            if one_column is not None:
                one_column[table.mem_id] = verdict
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
    for node in parser.css("header, footer"):
        anc = node.parent
        while anc is not None and anc.tag not in ("article", "main", "body", "html"):
            anc = anc.parent
        if anc is None or anc.tag not in ("article", "main"):
            doomed.append(node)
    for node in parser.css(_HIDDEN_SELECTOR):
        attrs = node.attributes
        if "hidden" in attrs or _HIDDEN_STYLE_RE.search(attrs.get("style") or ""):
            doomed.append(node)
    if not doomed:
        return
    # Remove only the outermost doomed elements (their descendants go with them).
    ids = {node.mem_id for node in doomed}
    for node in doomed:
        anc = node.parent
        while anc is not None:
            if anc.mem_id in ids:
                break
            anc = anc.parent
        else:
            node.decompose()


_HIDDEN_SELECTOR = (
    '[hidden], [style*="none"], [style*="NONE"], [style*="None"], [style*="idden"], '
    '[style*="IDDEN"]'
)
_PRE_TAGS = ("pre", "xmp", "listing")


class _End:
    __slots__ = ("tag",)

    def __init__(self, tag: str) -> None:
        self.tag = tag


class _Walker:
    """Iterative depth-first walk (no recursion, so depth cannot crash it) emitting lines
    at block boundaries and table grids for data tables."""

    def __init__(self, builder: BlockBuilder, layout: set[int], one_column: dict[int, bool] | None = None) -> None:
        self.builder = builder
        self.layout = layout
        self.one_column = one_column if one_column is not None else {}
        self._buf: list[str] = []

    def brk(self) -> None:
        if self._buf:
            line = collapse_ws("".join(self._buf)).strip()
            self._buf = []
            if line:
                self.builder.line(line)

    def _one_column(self, table) -> bool:
        verdict = self.one_column.get(table.mem_id)
        return _is_layout_grid(table) if verdict is None else verdict

    def run(self, root) -> None:
        buf = self._buf
        stack: list = [root]
        pre_depth = 0
        while stack:
            item = stack.pop()
            if item.__class__ is _End:
                if item.tag in _PRE_TAGS:
                    pre_depth -= 1
                self.brk()
                buf = self._buf
                continue
            node = item
            tag = node.tag
            if tag == "-text":
                text = node.text_content
                if text:
                    if pre_depth:
                        for i, part in enumerate(text.split("\n")):
                            if i:
                                self.brk()
                                buf = self._buf
                            buf.append(part)
                    else:
                        buf.append(text)
                continue
            if tag is None or tag[0] in "-!#":
                continue  # comments, doctype
            if tag == "br":
                self.brk()
                buf = self._buf
                continue
            if tag == "table" and node.mem_id not in self.layout and not self._one_column(node):
                self.brk()
                buf = self._buf
                rows = _table_grid(node)
                if rows:
                    self.builder.table(rows)
                continue
            if tag in BLOCK_TAGS:
                self.brk()
                buf = self._buf
                stack.append(_End(tag))
                if tag in _PRE_TAGS:
                    pre_depth += 1
            children = list(node.iter(include_text=True))
            children.reverse()
            stack.extend(children)
        self.brk()


def _rows(table) -> list:
    """The table's own rows (direct, or under thead/tbody/tfoot), not those of nested tables."""
    rows = []
    for child in table.iter():
        tag = child.tag
        if tag == "tr":
            rows.append(child)
        elif tag in ("tbody", "thead", "tfoot"):
            rows.extend(c for c in child.iter() if c.tag == "tr")
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
_WS_CHAR_RE = re.compile("[" + "".join(_WS_CHARS) + "]")  # one C scan instead of seven


def _cell_text(cell) -> str:
    """The cell's text nodes, each whitespace-collapsed, joined without a separator (so
    ``<br>``, ``<p>`` and whitespace-only gaps between elements vanish)."""
    raw = cell.text(deep=True, separator="\x00")
    if "\x00" not in raw:
        if _WS_CHAR_RE.search(raw) is None:
            return raw  # one text node without whitespace: the common case ("12", "行政许可")
        return collapse_ws(raw).strip()
    return join_pieces([collapse_ws(p) for p in raw.split("\x00")])


_GAP = object()


def _table_grid(table) -> list[list[str | None]]:
    trs = _rows(table)
    nrows = len(trs)
    grid: list[list] = [[] for _ in range(nrows)]
    slots = 0
    gap = _GAP
    for r, tr in enumerate(trs):
        c = 0
        row = grid[r]
        for cell in tr.iter():
            if cell.tag not in _CELL_TAGS:
                continue
            while c < len(row) and row[c] is not gap:
                c += 1
            attrs = cell.attributes
            if attrs and ("colspan" in attrs or "rowspan" in attrs):  # most cells carry only valign/style
                colspan = _span_value(attrs.get("colspan"))
                if colspan < 1:
                    colspan = 1
                elif colspan > MAX_COLSPAN:
                    colspan = MAX_COLSPAN
                rowspan = _span_value(attrs.get("rowspan"))
                if rowspan <= 0 or rowspan > nrows - r:  # rowspan=0: to the end of the table
                    rowspan = nrows - r
            else:
                colspan = rowspan = 1
            slots += rowspan * colspan
            if slots > MAX_TABLE_SLOTS:
                raise UnreadableFile(f"HTML table too large (over {MAX_TABLE_SLOTS} cells)")
            text = _cell_text(cell)
            if rowspan == 1 and colspan == 1:
                if c < len(row):
                    row[c] = text  # a slot left open by rows above (it is a gap, see the while)
                else:
                    row.append(text)
                c += 1
                continue
            for dr in range(rowspan):
                target = grid[r + dr]
                need = c + colspan
                if len(target) < need:
                    target.extend([gap] * (need - len(target)))
                for dc in range(colspan):
                    if target[c + dc] is gap:
                        target[c + dc] = text if (dr == 0 and dc == 0) else None
            c += colspan
    rows: list[list[str | None]] = []
    for row in grid:
        if gap in row:
            row = [None if v is gap else v for v in row]
        if any(v is not None for v in row):
            rows.append(row)
    return pad_rows(rows)
