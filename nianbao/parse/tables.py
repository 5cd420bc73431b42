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
from nianbao.parse.tokens import BLANK, BREAK, LABEL, NA, VALUE, Token
from nianbao.vocabulary.loader import Entry, load

T3_WIDTH = 7  # six applicant columns + 总计
T4_WIDTH = 15  # 3 proceedings × (4 results + 总计)
# Digit runs longer than this are not split: the number of candidate splits explodes and a
# unique answer becomes unlikely anyway.
MAX_SPLIT_DIGITS = 24


@dataclass
class TableRead:
    cells: list[Cell] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    found: bool = False  # the table's anchor labels were found
    rows_read: set[str] = field(default_factory=set)
    rows_unreadable: set[str] = field(default_factory=set)

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
    """The one split of ``digits`` into ``groups`` (see _recover_run_together), or None."""
    # the same runs recur (a zero row, a template's sample figures): each is split once
    split = _recover_run_together(digits, tuple(groups))
    return None if split is None else list(split)


@lru_cache(maxsize=1 << 12)
def _recover_run_together(digits: str, groups: tuple[int, ...]) -> tuple[int, ...] | None:
    """Split a run of digits printed with no separator (``713000074`` → 71|3|0|0|0|0|74).

    ``groups`` gives the sizes of the groups whose last member is the printed total of the
    others (``[7]`` for a table-三 row, ``[5, 5, 5]`` for table 四). Returns the split only
    when exactly one satisfies every total; otherwise None (never guess). Numbers have no
    leading zeros. Counting is memoised on (group, position, parts left, running sum), so a
    24-digit run costs a few thousand steps, not the ~10⁵ cut combinations.
    """
    width = sum(groups)
    if not digits.isdigit() or len(digits) < width or len(digits) > MAX_SPLIT_DIGITS:
        return None
    n = len(digits)
    if n == width and digits.isascii():
        # one digit a part is the only cut; it holds when each group's last digit is the sum
        # of the others (a one-digit sum: a two-digit one would leave too few digits)
        values = [int(ch) for ch in digits]
        pos = 0
        for size in groups:
            if str(sum(values[pos:pos + size - 1])) != digits[pos + size - 1]:
                return None
            pos += size
        return tuple(values)
    later = [sum(groups[g + 1:]) for g in range(len(groups))]  # parts after group g
    memo: dict[tuple[int, int, int, int], int] = {}

    def count(g: int, pos: int, left: int, acc: int) -> int:
        """Completions (capped at 2) from ``pos`` with ``left`` addends of group g to go."""
        if g == len(groups):
            return 1 if pos == n else 0
        key = (g, pos, left, acc)
        found = memo.get(key)
        if found is not None:
            return found
        if left == 0:  # the group's printed total must follow
            total = str(acc)
            res = count(g + 1, pos + len(total), groups[g + 1] - 1 if g + 1 < len(groups) else 0, 0) \
                if digits.startswith(total, pos) else 0
        else:
            res = 0
            # this addend, `left - 1` more, the total and every later part: one digit each at least
            for end in range(pos + 1, n - left - later[g] + 1):
                if end - pos > 1 and digits[pos] == "0":
                    break
                part_sum = acc + int(digits[pos:end])
                # the total printed after this group is at least part_sum: when its digits no
                # longer fit, no longer addend fits either (a cut, not a different answer)
                if end + left - 1 + len(str(part_sum)) + later[g] > n:
                    break
                res += count(g, end, left - 1, part_sum)
                if res >= 2:
                    break
        memo[key] = res = min(res, 2)
        return res

    if count(0, 0, groups[0] - 1, 0) != 1:
        return None
    values: list[int] = []
    g, pos, left, acc = 0, 0, groups[0] - 1, 0
    while g < len(groups):
        if left == 0:
            values.append(acc)
            pos += len(str(acc))
            g += 1
            left, acc = (groups[g] - 1 if g < len(groups) else 0), 0
            continue
        for end in range(pos + 1, n - left - later[g] + 1):
            if end - pos > 1 and digits[pos] == "0":
                break
            piece = int(digits[pos:end])
            if count(g, end, left - 1, acc + piece):
                values.append(piece)
                pos, left, acc = end, left - 1, acc + piece
                break
    return tuple(values)


def _row_values(values: list[Token], width: int, groups: list[int], what: str, read: TableRead) -> list[Token] | None:
    vals = _trim(values, width)
    if len(vals) == width:
        return vals
    if len(vals) == 1 and vals[0].kind == VALUE and vals[0].value.digits_only:
        split = recover_run_together(vals[0].text, groups)
        if split is not None:
            read.note("warning", "run_together_recovered",
                      f"{what}: digits printed without separators ({vals[0].text}) split as "
                      f"{'|'.join(map(str, split))}, the only split that satisfies the printed total")
            from nianbao.parse.tokens import classify

            return [classify(str(v)) for v in split]
        read.note("error", "row_unreadable",
                  f"{what}: digits printed without separators ({vals[0].text}) have no unique split "
                  "that satisfies the printed total; row not recorded")
        return None
    shown = " ".join(t.text or ("∅" if t.kind == BLANK else "") for t in vals)
    read.note("error", "row_unreadable",
              f"{what}: expected {width} cells, found {len(vals)} ({shown}); row not recorded")
    return None


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

    def has_values() -> bool:
        for t in values:  # a loop: any() over a generator costs more on these short lists
            if t.kind in _CELL_KINDS:
                return True
        return False

    def finish() -> None:
        nonlocal current, values
        if current is None:
            return
        if not has_values():
            if current not in read.rows_read:
                read.note("warning", "row_without_values", f"t3 row {current}: label printed without values")
                read.rows_unreadable.add(current)
        elif current in read.rows_read:
            read.note("warning", "row_repeated", f"t3 row {current}: printed twice; the first is kept")
        else:
            vals = _row_values(_first_segment_with_values(values), T3_WIDTH, [T3_WIDTH], f"t3 row {current}", read)
            if vals is None:
                read.rows_unreadable.add(current)
            else:
                read.cells += _row_cells("t3", current, applicants, vals, total_col, read,
                                         all_totals=current == total_row)
                read.rows_read.add(current)
        current, values = None, []

    for tok in tokens:
        if tok.kind == LABEL:
            if len(tok.key) <= 1:
                continue  # a glyph of a vertically printed group label, or bare numbering
            res = _resolve_t3(tok.key, group, template)
            continued = False  # the label is the rest of a wrapped one
            if res.row_id is None and res.category is None and wrapped:
                res = _resolve_t3(wrapped + tok.key, group, template)
                continued = res.row_id is not None
            if orphans and not continued and (res.row_id is not None or res.category is not None):
                read.note("warning", "values_without_label",
                          f"t3: values printed after an unrecognised label ({wrapped}) not recorded: "
                          + " ".join(t.text or "∅" for t in orphans if t.kind != BREAK))
                orphans = []
            if not started:
                if res.row_id is None or res.row_id == total_row:
                    continue  # header text before the first data row
                started = True
                read.found = True
            if res.row_id is None and res.category is None:
                if current is not None and not has_values():
                    continue  # the rest of a label wrapped over several lines
                finish()
                if orphans:  # values under a label the vocabulary does not know
                    read.note("warning", "values_without_label",
                              f"t3: values printed after an unrecognised label ({wrapped}) not recorded: "
                              + " ".join(t.text or "∅" for t in orphans if t.kind != BREAK))
                    orphans, wrapped = [], ""
                wrapped = (wrapped + tok.key)[-40:]
                continue
            wrapped = ""
            held = []
            if pending_category and current is None:
                group = pending_category  # it was a group label: leaves follow
                pending_category = None
            finish()
            if res.row_id is not None:
                current = res.row_id
                # "5.要求行政机关确认或重 / 1 0 0 … / 新出具已获取信息": the values printed
                # between the two lines of a wrapped label belong to the joined label
                values, orphans = orphans, []
                if res.row_id in flow_ids:
                    group = None
            else:
                pending_category = res.category
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
            current = _category_leaf(pending_category, template)
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
    return read


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
def _is_t4_header(key: str) -> bool:
    v = load()
    return any(r.matches(key) for r in v.results) or any(p.matches(key) for p in v.proceedings)


def read_table4(tokens: list[Token]) -> TableRead:
    """Table 四: one data row of 15 cells after its header labels."""
    v = load()
    read = TableRead()
    header_seen = False
    values: list[Token] = []
    for tok in tokens:
        if tok.kind == LABEL:
            if not header_seen and _is_t4_header(tok.key):
                header_seen = True
            if values and any(t.kind == VALUE for t in values):
                break  # prose after the data row
            values = []
            continue
        if header_seen:
            values.append(tok)
    if not header_seen:
        return read
    read.found = True
    vals = _row_values(_first_segment_with_values(values), T4_WIDTH, [5, 5, 5], "t4 data row", read)
    if vals is None:
        read.rows_unreadable.update(p.id for p in v.proceedings)
        return read
    cols = [r.id for r in v.results] + [v.t4_total_column.id]
    for i, proceeding in enumerate(v.proceedings):
        read.cells += _row_cells("t4", proceeding.id, cols, vals[i * 5:i * 5 + len(cols)], v.t4_total_column.id, read)
        read.rows_read.add(proceeding.id)
    return read


# ---------------------------------------------------------------- table 二

@lru_cache(maxsize=1 << 14)
def _resolve_item(key: str) -> Entry | None:
    key = label_tail(key)
    for item in load().disclosure_items:
        if item.matches(key):
            return item
    return None


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


def read_table2(tokens: list[Token], template: str) -> TableRead:
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
        if len(trimmed) != len(measures) and other and len(_trim(values, len(other))) == len(other):
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
            item = _resolve_item(tok.key)
            if item is not None or current is not None:
                finish()
            current = item
            continue
        if current is not None:
            values.append(tok)
    finish()
    return read
