"""Read tables 二, 三 and 四 from a token stream, by label, into canonical cells.

Principles (docs/architecture.md): rows are found by their label through the vocabulary,
the values that follow are counted against the columns the template expects, and when they
do not fit a parse note records it — the row is never guessed. Values are kept as printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from nianbao.parse.model import Cell, Note
from nianbao.parse.normalise import label_key
from nianbao.parse.row_values import CELLS, TOTAL, plain_split, read_row, split_digits
from nianbao.parse.tokens import BLANK, BREAK, LABEL, NA, VALUE, Token, classify
from nianbao.vocabulary.loader import Entry, load

T3_WIDTH = 7  # six applicant columns + 总计
T4_WIDTH = 15  # 3 proceedings × (4 results + 总计)
UNSPECIFIED = "unspecified"  # the applicant type / result of a count whose split was not printed


@dataclass
class TableRead:
    cells: list[Cell] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    found: bool = False  # the table's anchor labels were found
    rows_read: set[str] = field(default_factory=set)
    rows_unreadable: set[str] = field(default_factory=set)
    rows_total_only: set[str] = field(default_factory=set)  # printed total read, cells not placed
    drops_blanks: bool = False  # rows print only their non-blank cells (table 三's evidence)

    def note(self, severity: str, code: str, message: str) -> None:
        self.notes.append(Note(severity, code, message))


_CELL_KINDS = (VALUE, BLANK, NA)  # tokens that fill a cell (BREAK ends a row)

# ---------------------------------------------------------------- value rows

def _trim(values: list[Token], width: int) -> list[Token]:
    """Drop merged-cell debris: blanks beyond the expected width.

    Pipe rows pad their end (``… | 7 | ||``), so trailing blanks go first; a row that lists
    every slot of its grid (tab-separated, Markdown) shows the slots its label spans *before*
    the values, so there the leading blanks go first and a blank last cell stays a cell.
    """
    vals = [t for t in values if t.kind != BREAK]
    if len(vals) <= width:
        return vals
    slots = any(t.kind == BREAK and t.text == "slots" for t in values)
    if slots:
        while len(vals) > width and vals[0].kind == BLANK:
            vals.pop(0)
    while len(vals) > width and vals[-1].kind == BLANK:
        vals.pop()
    while len(vals) > width and vals[0].kind == BLANK:
        vals.pop(0)
    return vals


def recover_run_together(digits: str, groups: list[int]) -> list[int] | None:
    """The one split of a run of digits printed without separators (``713000074`` →
    71|3|0|0|0|0|74) in which each group's last number is the total of the others, or None."""
    readings = split_digits((digits,), tuple(groups), cap=2)
    return list(readings[0]) if len(readings) == 1 else None


_HOW = {
    "run_together": ("run_together_recovered", "digits printed without separators ({shown}) read as {read}, "
                                               "the only reading that satisfies the printed total"),
    "word_breaks": ("word_breaks_joined", "numbers broken over lines ({shown}) joined as {read}, "
                                          "the only reading that satisfies the printed total"),
    "blanks_dropped": ("blank_cells_dropped", "printed without its blank cells ({shown}): {read}"),
    "ambiguous": ("row_ambiguous", "printed values ({shown}) fit several readings: {read}"),
}


def _read_values(values: list[Token], groups: tuple[int, ...], what: str, read: TableRead,
                 drops_blanks: bool = False) -> list[list[Token] | int | None]:
    """A row's values by group: its cell tokens, only its printed total (an int), or None when
    it cannot be read. ``drops_blanks``: see row_values.read_row."""
    width = sum(groups)
    vals = _trim(values, width)
    if len(vals) == width:
        out, pos = [], 0
        for size in groups:
            out.append(vals[pos:pos + size])
            pos += size
        return out
    shown = " ".join(t.text or ("∅" if t.kind == BLANK else "") for t in vals)
    if not vals or not all(t.kind == VALUE and t.value.digits_only for t in vals):
        read.note("error", "row_unreadable", f"{what}: expected {width} cells, found {len(vals)} ({shown}); row not recorded")
        return [None] * len(groups)
    reading = read_row(tuple(t.text for t in vals), groups, drops_blanks)
    out: list[list[Token] | int | None] = []
    described = []
    for gr in reading.groups:
        if gr.kind == CELLS:
            out.append([classify(str(x)) for x in gr.values])
            described.append("|".join(map(str, gr.values)))
        elif gr.kind == TOTAL:
            out.append(gr.total)
            described.append(f"total {gr.total}, cells not placed")
        else:
            out.append(None)
            described.append("not read")
    if reading.how == "unreadable":
        read.note("error", "row_unreadable", f"{what}: printed values ({shown}) fit no reading of {width} cells "
                                             "that satisfies the printed totals; row not recorded")
    else:
        code, text = _HOW[reading.how]
        read.note("warning" if reading.how != "blanks_dropped" else "info", code,
                  f"{what}: " + text.format(shown=shown, read="; ".join(described)))
    if reading.sum_short:
        read.note("warning", "cells_short_of_total",
                  f"{what}: the cells printed ({shown}) add up to less than the printed total; a cell was lost "
                  "in printing: the total is kept as printed")
    return out


def _dropped_blanks_table(rows: list[list[Token]], width: int) -> bool:
    """Whether a table prints its rows without their blank cells: a third of its rows, three
    at least, print fewer whole numbers than cells and fit that reading exactly (``8 0 8``, a
    single ``0``). One row short of cells in an ordinary table is a damaged row, not this."""
    n = 0
    for values in rows:
        if len(values) >= width and sum(t.kind != BREAK for t in values) >= width:
            continue  # a full row (trimming never takes it below the width)
        vals = _trim(values, width)
        if not 0 < len(vals) < width:
            continue
        if all(t.kind == VALUE and t.value.digits_only and (t.text == "0" or t.text[0] != "0") for t in vals):
            numbers = [int(t.text) for t in vals]
            n += sum(numbers[:-1]) == numbers[-1]
    return n >= 3 and 3 * n >= len(rows)


def _make_cell(table_id: str, row_id: str, col_id: str, tok: Token, is_total: bool,
               read: TableRead, unit: str | None = None) -> Cell:
    if tok.kind == VALUE and tok.value.digits_only:  # a plain count: nothing else to keep
        return Cell(table_id, row_id, col_id, tok.value.number, False, None, unit)
    if tok.kind in (BLANK, NA):
        if is_total:
            read.note("info", "total_not_printed",
                      f"{table_id} {row_id}×{col_id}: printed total is blank; rules on it are not evaluated")
            return Cell(table_id, row_id, col_id, None, True, tok.text or None, unit)
        return Cell(table_id, row_id, col_id, 0.0, True, tok.text or None, unit)
    v = tok.value
    printed = tok.text if (v.note or v.unit or not v.digits_only) and tok.text != _plain(v.number) else None
    if v.note:
        read.note("info", "cell_text", f"{table_id} {row_id}×{col_id}: printed '{tok.text}'; "
                                       f"recorded {_plain(v.number)}, the words are kept as printed_text")
    return Cell(table_id, row_id, col_id, v.number, False, printed, v.unit or unit)


def _row_cells(table_id: str, row_id: str, cols: list[str], toks: list[Token], total_col: str,
               read: TableRead, all_totals: bool = False) -> list[Cell]:
    """The cells of one row: column ``total_col`` holds printed totals (every column when
    ``all_totals``). Most cells are plain counts, made here without a _make_cell call."""
    cells = []
    for col, tok in zip(cols, toks):
        v = tok.value
        if v is not None and v.digits_only and tok.kind == VALUE:
            cells.append(Cell(table_id, row_id, col, v.number))
        else:
            cells.append(_make_cell(table_id, row_id, col, tok, all_totals or col == total_col, read))
    return cells


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# ---------------------------------------------------------------- table 三

@dataclass(frozen=True)
class _RowLabel:
    row_id: str | None  # resolved row, or None for a group label / unknown label
    category: str | None = None  # outcome category of a group label


_NUMBERED = re.compile(r"^\s*(?:\(?[一二三四五六七八九十]{1,2}[)、]|\(\d{1,2}\)|\d{1,2}[.、])")
_SENTENCE_MARK = re.compile(r"[。;;!?《》]")
# The longest row label is ~32 characters (（六）1. of the 2021 template) outside its brackets.
MAX_LABEL_CHARS = 40


@lru_cache(maxsize=1 << 14)
def label_tail(key: str) -> str:
    """The part of a label key that can be a row label: what follows the last sentence mark,
    at most the last MAX_LABEL_CHARS characters. A flattened page cuts prose at its numbers,
    and a piece of prose may start with a row's words ("行政许可事项清单,深化…。…") or end
    with a row label ("…及时公布重大事件三类内部事务信息")."""
    if len(key) <= MAX_LABEL_CHARS and not _SENTENCE_MARK.search(key):
        return key
    marks = [m.end() for m in _SENTENCE_MARK.finditer(key)]
    tail = key[marks[-1]:] if marks else key
    return tail[-MAX_LABEL_CHARS:]


@lru_cache(maxsize=1 << 14)
def _resolve_t3(key: str, group: str | None, template: str) -> _RowLabel:
    v = load()
    key = label_tail(key)
    for f in v.flows:
        if f.matches(key):
            return _RowLabel(f.id)
    if v.t3_total_row.matches(key):
        return _RowLabel(v.t3_total_row.id)
    for o in v.outcomes:
        if not o.stems or o.leaf_when:
            continue
        if o.parent and o.parent != group:
            continue
        if o.matches(key):
            return _RowLabel(o.id)
    for c in v.outcome_categories:
        if c.matches(key):
            return _RowLabel(None, c.id)
    return _RowLabel(None)


def _category_leaf(category: str, template: str) -> str:
    """The row a category label takes when it carries values itself (only a total printed)."""
    if category == "other" and template == "2019":
        return "other_processing"  # the 2019 template prints （六）其他处理 as a leaf
    return f"{category}_unspecified"


def read_table3(tokens: list[Token], template: str) -> TableRead:
    """Table 三: 23 (2019) or 25 (2021) rows × 7 columns."""
    v = load()
    read = TableRead()
    total_row, total_col = v.t3_total_row.id, v.t3_total_column.id
    applicants = [a.id for a in v.table_applicants] + [total_col]
    flow_ids = {f.id for f in v.flows} | {total_row}
    started = False
    group: str | None = None
    current: str | None = None  # row being collected
    pending_category: str | None = None  # a group label whose role depends on what follows
    values: list[Token] = []
    held: list[Token] = []  # blanks after a group label: its rowspan placeholders, or its own cells
    orphans: list[Token] = []  # values after an unresolved label (the first line of a wrapped one)
    wrapped = ""  # unresolved label text that may be the first line of a wrapped label
    interrupted = False  # one line of other text came between a wrapped label's lines

    def has_values() -> bool:
        for t in values:  # a loop: any() over a generator costs more on these short lists
            if t.kind in _CELL_KINDS:
                return True
        return False

    collected: dict[str, list[list[Token]]] = {}  # row → the values of each print of it
    # Markdown from a PDF: a label may slip out of its pipe row onto a line of its own, and the
    # row's values stay behind, unlabelled. Such rows are placed later by the template's order.
    markdown = any(t.kind == BREAK and t.text == "slots" for t in tokens)
    events: list[tuple[str, object]] = []  # ("row", row id) / ("loose", values), in printed order
    text_label = False  # the current row's label stands on a line of its own (Markdown)
    loose: list[Token] | None = None  # a pipe row without a label being collected (Markdown)

    def finish() -> None:
        nonlocal current, values
        if current is None:
            return
        if not has_values():
            empty.add(current)
        else:
            own, rest = (_split_markdown_rows(values) if markdown else (_first_segment_with_values(values), []))
            if current not in collected:
                events.append(("row", current))
            collected.setdefault(current, []).append(own)
            events.extend(("loose", r) for r in rest)
        current, values = None, []

    empty: set[str] = set()  # rows whose label was printed without values
    for tok in tokens:
        if loose is not None:
            if tok.kind in _CELL_KINDS:
                loose.append(tok)
                continue
            if tok.kind == BREAK and tok.text == "slots":
                # a row of values or of (at least seven) blank cells; a header row has labels
                if any(t.kind in (VALUE, NA) for t in loose) or len(loose) >= T3_WIDTH:
                    events.append(("loose", loose + [tok]))  # the row end says how to trim it
            elif any(t.kind == VALUE for t in loose):
                read.note("info", "values_without_label", "t3: values on a line of text inside a Markdown table "
                          "not recorded: " + " ".join(t.text or "∅" for t in loose))
            loose = None
            if tok.kind == BREAK:
                continue
        if markdown and tok.kind in _CELL_KINDS and (current is None or text_label) \
                and (not pending_category or text_label) and not orphans:
            if current is not None:
                finish()
            if pending_category:  # a group label on a line of its own takes no pipe row either
                group, pending_category, held = pending_category, None, []
            loose = [tok]  # a pipe row whose label is not in it
            continue
        if tok.kind == BREAK and tok.text == "text" and not has_values() and (current is not None or pending_category):
            text_label = True
        if tok.kind == LABEL:
            # one character after numbering is a label's first line ("(二)部" / "分公开…"), not a glyph
            numbered_start = len(tok.key) == 1 and _NUMBERED.match(tok.text) is not None
            if len(tok.key) <= 1 and not numbered_start \
                    and not (wrapped and _resolve_t3(wrapped + tok.key, group, template).row_id):
                if wrapped and current is None:
                    wrapped = (wrapped + tok.key)[-40:]  # a label's last character ("予以公" / "开")
                continue  # a glyph of a vertically printed group label, or bare numbering
            res = _resolve_t3(tok.key, group, template)
            continued = False  # the label is the rest of a wrapped one
            if wrapped and res.row_id is None and res.category is None:
                res = _resolve_t3(wrapped + tok.key, group, template)
                continued = res.row_id is not None
            elif wrapped and orphans and res.row_id is not None:
                # the second line names the row by itself too ("1.申请人无正当理由" / 12 0 … /
                # "逾期不补正、…"): the values between belong to it when the first line is the
                # start of that row's label
                continued = _label_starts_with(res.row_id, wrapped)
            if orphans and not continued and (res.row_id is not None or res.category is not None):
                read.note("warning", "values_without_label",
                          f"t3: values printed after an unrecognised label ({wrapped}) not recorded: "
                          + " ".join(t.text or "∅" for t in orphans if t.kind != BREAK))
                orphans = []
            if not started:
                if res.row_id is None or res.row_id == total_row:
                    # header text before the first data row (kept: it may be that row's label's
                    # first line, "一、本年新" / "收政府信息公开申请数量")
                    wrapped = "" if res.row_id is not None else tok.key[-MAX_LABEL_CHARS:]
                    continue
                started = True
                read.found = True
            if res.row_id is None and res.category is None:
                if current is not None and not has_values():
                    continue  # the rest of a label wrapped over several lines
                finish()
                if orphans and not interrupted and not _NUMBERED.match(tok.text):
                    # a line between the two lines of a wrapped label (the running header of the
                    # page that broke it): the next line may still finish the label
                    interrupted = True
                    continue
                interrupted = False
                if orphans:  # values under a label the vocabulary does not know
                    read.note("warning", "values_without_label",
                              f"t3: values printed after an unrecognised label ({wrapped}) not recorded: "
                              + " ".join(t.text or "∅" for t in orphans if t.kind != BREAK))
                    orphans, wrapped = [], ""
                if pending_category and current is None:
                    # a label after a group label is its first leaf's (wrapped: "(六)其他处理
                    # 1.申请人无正当理由" / "逾期不补正…"): the group carries no values itself
                    group, pending_category, held = pending_category, None, []
                # a numbered label starts afresh ("三、本年度办理结果" / "(一)予以")
                wrapped = tok.key if _NUMBERED.match(tok.text) else (wrapped + tok.key)[-40:]
                continue
            wrapped, interrupted = "", False
            held = []
            if pending_category and current is None:
                group = pending_category  # it was a group label: leaves follow
                pending_category = None
            finish()
            if res.row_id is not None:
                current, text_label = res.row_id, False
                # "5.要求行政机关确认或重 / 1 0 0 … / 新出具已获取信息": the values printed
                # between the two lines of a wrapped label belong to the joined label
                values, orphans = orphans, []
                # a leaf's category is the group of the rows that follow ("3.其他" after （六）1.)
                group = None if res.row_id in flow_ids else _category_of_leaf(res.row_id, group)
            else:
                pending_category, text_label = res.category, False
                group = res.category
            continue
        if not started:
            continue
        if current is None and pending_category:
            if tok.kind == BREAK and sum(t.kind == BLANK for t in held) >= T3_WIDTH:
                pass  # a whole row of blank cells ends on the label's own line: its cells
            elif tok.kind != VALUE and tok.kind != NA:
                held.append(tok)  # placeholders of a group label, or blank cells of its own row
                continue
            # the category label carries values itself: a leaf (2019 （六）) or a category total
            current, text_label = _category_leaf(pending_category, template), False
            pending_category = None
            values, held = held, []
        if current is None and wrapped and (orphans or tok.kind != BREAK):
            orphans.append(tok)  # values after the first line of a label that wraps
            continue
        if tok.kind in (VALUE, BLANK, NA):
            wrapped = ""
        if current is not None:
            values.append(tok)
    finish()
    if loose is not None and loose:
        events.append(("loose", loose))
    if markdown:
        _place_loose_rows(events, collected, template, read)
    _t3_cells(collected, read, applicants, total_row, total_col)
    for row in sorted(empty - set(collected)):  # (a set: its order changes with the hash seed)
        read.note("warning", "row_without_values", f"t3 row {row}: label printed without values")
        read.rows_unreadable.add(row)
    return read


def _t3_cells(collected: dict[str, list[list[Token]]], read: TableRead, applicants: list[str], total_row: str,
              total_col: str) -> None:
    """The cells of the rows collected, each read against the 7 cells of a row (a row printed
    twice: the first print that can be read)."""
    read.drops_blanks = _dropped_blanks_table([prints[0] for prints in collected.values()], T3_WIDTH)
    for row, prints in collected.items():
        if len(prints) > 1:
            read.note("warning", "row_repeated", f"t3 row {row}: printed {len(prints)} times; the first that reads is kept")
        for values in prints:
            got = _read_values(values, (T3_WIDTH,), f"t3 row {row}", read, read.drops_blanks)[0]
            if got is not None:
                break
        if got is None:
            read.rows_unreadable.add(row)
            continue
        read.rows_read.add(row)
        if isinstance(got, int):
            read.rows_total_only.add(row)
            read.cells.append(Cell("t3", row, total_col, float(got)))
            if row != total_row:  # the row's count, its applicants not known (a fact; （七） is no fact)
                read.cells.append(Cell("t3", row, UNSPECIFIED, float(got)))
            continue
        read.cells += _row_cells("t3", row, applicants, got, total_col, read, all_totals=row == total_row)


_COUNT_IN_TEXT = re.compile(r"\d\s*[件条次个项]")


@lru_cache(maxsize=1 << 14)
def is_table_label(text: str) -> bool:
    """Whether a line of text is a row label of table 二, 三 or 四 on a line of its own — a cell,
    not prose: a Markdown extraction slips them out of their rows ("4.无正当理由大量反复申请"),
    and the prose around must not read "无…行政复议" across them."""
    key = label_key(text)
    if len(key) < 2 or len(key) > MAX_LABEL_CHARS or _SENTENCE_MARK.search(key) or _COUNT_IN_TEXT.search(text):
        return False  # (a count with its unit is prose wrapped by a PDF: "予以公开22件,部分公开5件,…")
    res = _resolve_t3(key, None, "2021")
    return res.row_id is not None or res.category is not None or _t4_header(key) is not None \
        or _resolve_item(key) is not None


@lru_cache(maxsize=1 << 10)
def _label_starts_with(row: str, text: str) -> bool:
    """Whether a row's label (as the vocabulary writes it) begins with ``text``."""
    v = load()
    entry = next((e for e in (*v.flows, *v.outcomes, v.t3_total_row) if e.id == row), None)
    return entry is not None and label_key(entry.label_zh).startswith(text)


@lru_cache(maxsize=64)
def _category_of_leaf(row: str, group: str | None) -> str | None:
    """The outcome category of a leaf row (``group`` unchanged for a row that is no leaf)."""
    return next((o.group for o in load().outcomes if o.id == row), group)


def _split_markdown_rows(values: list[Token]) -> tuple[list[Token], list[list[Token]]]:
    """A Markdown row's own values, and the label-less pipe rows printed after it (values on a
    line of plain text in between are left out)."""
    segments: list[list[Token]] = [[]]
    for t in values:
        segments[-1].append(t)
        if t.kind == BREAK:
            segments.append([])
    rows = [seg for seg in segments if seg and seg[-1].text == "slots"
            and (any(t.kind in (VALUE, NA) for t in seg) or len(seg) > T3_WIDTH)]
    if not rows:
        return _first_segment_with_values(values), []
    return rows[0], rows[1:]


def _template_rows(template: str) -> list[str]:
    """Table 三's rows in printed order."""
    v = load()
    flows = [f.id for f in v.flows]
    return [flows[0], flows[1], *[o.id for o in v.outcomes_for(template)], v.t3_total_row.id, flows[2]]


def _place_loose_rows(events: list[tuple[str, object]], collected: dict[str, list[list[Token]]], template: str,
                      read: TableRead) -> None:
    """Give the label-less rows of a Markdown table to the rows that lack values, by the
    template's order: between two rows read with their labels, the loose rows printed there
    go to the rows the template prints there that have no values, in order — only when they
    are as many. (Real corpus 15: a PDF-to-Markdown extraction slipped ten labels out of their
    rows.)"""
    if template not in ("2019", "2021") or not any(kind == "loose" for kind, _ in events):
        return
    order = {row: i for i, row in enumerate(_template_rows(template))}
    anchors = [(i, order[row]) for i, (kind, row) in enumerate(events) if kind == "row" and row in order]
    bounds = [(-1, -1)] + anchors + [(len(events), len(order))]
    for (e0, t0), (e1, t1) in zip(bounds, bounds[1:]):
        loose = [events[i][1] for i in range(e0 + 1, e1) if events[i][0] == "loose"]
        if not loose:
            continue
        gaps = [row for row in _template_rows(template)[t0 + 1:t1] if row not in collected] if t1 > t0 else []
        if len(gaps) != len(loose):
            read.note("warning", "values_without_label",
                      f"t3: {len(loose)} row(s) of values without a label where the template has {len(gaps)} row(s) "
                      "without values: not recorded")
            continue
        for row, vals in zip(gaps, loose):
            collected[row] = [vals]
            read.note("warning", "row_placed_by_order",
                      f"t3 row {row}: values printed without their label "
                      f"({' '.join(t.text or '∅' for t in vals if t.kind != BREAK)}) placed by the template's order")


def _first_segment_with_values(values: list[Token]) -> list[Token]:
    """The cells of a row up to its first row end, skipping row ends that precede any cell.

    Keeps padding after a row end (a rowspan placeholder, merged-cell debris) out of the row.
    The row end itself is kept (it tells _trim how the row was printed).
    """
    breaks = 0
    for t in values:
        if t.kind == BREAK:
            breaks += 1
    if breaks == 0 or (breaks == 1 and values[-1].kind == BREAK):
        return values  # one segment
    segments: list[list[Token]] = [[]]
    for t in values:
        segments[-1].append(t)
        if t.kind == BREAK:
            segments.append([])
    with_values = [s for s in segments if any(t.kind in (VALUE, NA) for t in s)]
    if len(with_values) == 1:
        return with_values[0]
    return values


# ---------------------------------------------------------------- table 四

@lru_cache(maxsize=1 << 12)
def _t4_header(key: str) -> str | None:
    """What a label of table 四's header names: a proceeding's id, "result", or None."""
    v = load()
    for p in v.proceedings:
        if p.matches(key):
            return p.id
    return "result" if any(r.matches(key) for r in v.results) else None


def read_table4(tokens: list[Token], drops_blanks: bool = False) -> TableRead:
    """Table 四: one data row of 15 cells after its header labels, or three small tables of
    five cells, one per proceeding (an OCR or Markdown extraction). ``drops_blanks``: the
    report's table 三 prints rows without their blank cells, so this row may too."""
    v = load()
    read = TableRead()
    header_seen = False
    segments: list[tuple[str | None, list[Token]]] = []  # (proceeding named just before, values)
    named: str | None = None
    values: list[Token] = []
    for tok in tokens:
        if tok.kind == LABEL:
            header = _t4_header(tok.key)
            header_seen = header_seen or header is not None
            if values and any(t.kind == VALUE for t in values):
                segments.append((named, values))
                named = None
                if header is None:
                    values = []
                    break  # prose after the data row
            if header is not None and header != "result":
                named = header
            values = []
            continue
        if header_seen:
            values.append(tok)
    if any(t.kind in _CELL_KINDS for t in values):
        segments.append((named, values))  # the last row, also one printed all blank
    if not header_seen:
        return read
    read.found = True
    proceedings = [p.id for p in v.proceedings]
    groups = _t4_small_tables(segments, proceedings, read, drops_blanks)
    if groups is None:
        first = _first_segment_with_values(segments[0][1]) if segments else []
        groups = dict(zip(proceedings, _read_values(first, (5, 5, 5), "t4 data row", read, drops_blanks)))
    cols = [r.id for r in v.results] + [v.t4_total_column.id]
    total_col = v.t4_total_column.id
    for proceeding in proceedings:
        got = groups.get(proceeding)
        if got is None:
            read.rows_unreadable.add(proceeding)
        elif isinstance(got, int):
            read.cells += [Cell("t4", proceeding, total_col, float(got)), Cell("t4", proceeding, UNSPECIFIED, float(got))]
            read.rows_read.add(proceeding)
            read.rows_total_only.add(proceeding)
        else:
            read.cells += _row_cells("t4", proceeding, cols, got, total_col, read)
            read.rows_read.add(proceeding)
    return read


def _t4_small_tables(segments: list[tuple[str | None, list[Token]]], proceedings: list[str],
                     read: TableRead, drops_blanks: bool) -> dict[str, list[Token] | int | None] | None:
    """Table 四 printed as a small table per proceeding: two or three runs of values, each the
    five cells of one proceeding, named by the label just before it (or, three of them, in the
    template's order). None when the values do not come that way."""
    if not 2 <= len(segments) <= 3:
        return None
    names = [name for name, _ in segments]
    if all(names) and len(set(names)) == len(names):
        order = names
    elif len(segments) == 3:
        order = proceedings
    else:
        return None
    if any(len(_trim(_first_segment_with_values(vals), 5)) > 5 for _, vals in segments):
        return None
    out: dict[str, list[Token] | int | None] = {}
    for proceeding, (_, vals) in zip(order, segments):
        out[proceeding] = _read_values(_first_segment_with_values(vals), (5,), f"t4 {proceeding}", read, drops_blanks)[0]
    return out


# ---------------------------------------------------------------- table 二

@lru_cache(maxsize=1 << 14)
def _resolve_item(key: str) -> Entry | None:
    key = label_tail(key)
    for item in load().disclosure_items:
        if item.matches(key):
            return item
    return None


@lru_cache(maxsize=1 << 12)
def _resolve_item_at_end(key: str) -> Entry | None:
    """An item label at the end of a longer label: a flattened page runs a sub-table's header
    into its first row ("…现行有效件数规章", "…本年处理决定数量行政许可")."""
    key = label_tail(key)
    for item, at_end in _item_stems_at_end():
        m = at_end.search(key)
        if m and m.start() > 0 and _T2_HEADER_END.search(key, 0, m.start()):
            return item
    return None


# What precedes an item glued to its sub-table's header: a measure's column label, 信息内容.
_T2_HEADER_END = re.compile(r"(?:数量|件数|增/减|总金额|万元\)|信息内容)$")


@cache
def _item_stems_at_end() -> tuple[tuple[Entry, re.Pattern], ...]:
    # an annotation may follow, cut off by a line break or a space: "…总数量规章(设区的市、"
    return tuple((item, re.compile("(?:" + "|".join(p.pattern.lstrip("^") for p in item.stems) + r")(?:\([^()]*\)?)?$"))
                 for item in load().disclosure_items)


def _t2_short_row(vals: list[Token], width: int, what: str, read: TableRead, drops_blanks: bool) -> list[Token]:
    """Fewer values than measures: one run of digits with a single reading, or zeros printed
    once in a table that drops blank cells; otherwise the values as they are."""
    if len(vals) == 1 and vals[0].kind == VALUE and vals[0].value.digits_only and vals[0].text[0] == "0" \
            and len(vals[0].text) > 1:
        # a leading zero: not one number, so the digits of several cells (000 = 0|0|0)
        split = plain_split(vals[0].text, width)
        if split is not None:
            read.note("warning", "run_together_recovered",
                      f"{what}: digits printed without separators ({vals[0].text}) read as {'|'.join(map(str, split))}, "
                      "the only reading without leading zeros")
            return [classify(str(x)) for x in split]
    if drops_blanks and vals and all(t.kind == VALUE and t.value.number == 0 and t.value.digits_only for t in vals):
        read.note("info", "blank_cells_dropped", f"{what}: printed only zeros ({' '.join(t.text for t in vals)}): every cell 0")
        return [classify("0")] * width
    return vals


@cache
def _measure_units() -> dict[str, str]:
    return {m["id"]: m["unit"] for m in load().disclosure_measures}


def _t2_cell(item: str, measure: str, tok: Token, read: TableRead) -> Cell:
    unit = _measure_units()[measure]
    cell = _make_cell("t2", item, measure, tok, False, read, unit)
    if tok.kind == VALUE and cell.value is not None:
        printed_unit = tok.value.unit
        if unit == "元" and printed_unit == "万元":
            cell.value = round(cell.value * 10000, 6)  # stored in 元; printed text kept
            cell.unit = "元"
        elif unit == "万元" and printed_unit == "元":
            cell.value = round(cell.value / 10000, 10)
            cell.unit = "万元"
    if tok.kind == NA:
        cell.value = None  # "-": not applicable, not a zero
    return cell


def read_table2(tokens: list[Token], template: str, drops_blanks: bool = False) -> TableRead:
    """Table 二: each item's values, as many as its measures. It prints no totals, so digits run
    together are read only when no other reading exists (``000``), and a row of fewer values
    only when the report drops blank cells and what it prints is zeros."""
    v = load()
    read = TableRead()
    layouts = v.disclosure_layout
    layout = layouts.get(template) or layouts["2019"]
    current: Entry | None = None
    values: list[Token] = []

    def finish() -> None:
        nonlocal current, values
        if current is None:
            return
        vals = [t for t in values if t.kind != BREAK]
        if current.id in read.rows_read and any(t.kind == VALUE for t in vals):
            read.note("warning", "row_repeated", f"t2 item {current.id}: printed again; the first is kept")
            current, values = None, []
            return
        measures = layout.get(current.id)
        other = next((lay.get(current.id) for t, lay in layouts.items() if t != template and lay.get(current.id)), None)
        if not any(t.kind == VALUE for t in vals):
            current, values = None, []
            return  # an empty sub-table lists its labels without numbers
        if measures is None and other is not None:
            measures = other
            read.note("warning", "t2_item_other_template", f"t2 item {current.id} belongs to another template; read with that layout")
        if measures is None:
            current, values = None, []
            return
        trimmed = _trim(values, len(measures))
        if len(trimmed) < len(measures):
            trimmed = _t2_short_row(trimmed, len(measures), f"t2 item {current.id}", read, drops_blanks)
        run = len(trimmed) == 1 and trimmed[0].kind == VALUE and trimmed[0].value.digits_only
        if len(trimmed) != len(measures) and other and len(_trim(values, len(other))) == len(other) and not run:
            # (one plain number where several are expected may as well be digits run together)
            read.note("warning", "t2_layout_other_template",
                      f"t2 item {current.id}: {len(other)} cells fit the other template's columns")
            measures, trimmed = other, _trim(values, len(other))
        if len(trimmed) != len(measures):
            read.note("error", "row_unreadable",
                      f"t2 item {current.id}: expected {len(measures)} cells, found {len(trimmed)}; row not recorded")
            read.rows_unreadable.add(current.id)
        else:
            for measure, tok in zip(measures, trimmed):
                read.cells.append(_t2_cell(current.id, measure, tok, read))
            read.rows_read.add(current.id)
            read.found = True
        current, values = None, []

    for tok in tokens:
        if tok.kind == LABEL:
            item = _resolve_item(tok.key) or _resolve_item_at_end(tok.key)
            if item is None and current is not None and not any(t.kind == VALUE for t in values):
                continue  # the rest of a label broken over lines or by a space
            if item is not None or current is not None:
                finish()
            current = item
            continue
        if current is not None:
            values.append(tok)
    finish()
    return read
