"""A PDF page's characters and ruling segments → table grids and text lines (our own layout logic
on top of the engine in ``pdf_engine``).

Tables are found where ruling lines draw them, the way pdfplumber's default "lines" strategy
(Tabula's method) does: segments within 3 pt of one line are snapped onto it and joined across
gaps of up to 3 pt; segments shorter than 3 pt go; a cell is the smallest rectangle whose four
corners are crossings joined by segments; cells sharing a corner make one table, whose rows are
its cells grouped by top and whose columns are every left edge of its cells (a slot that a
merged cell covers is ``None``). A character belongs to the cell holding its centre.

Text is read as words and lines: characters whose tops lie within ``y_tolerance`` of each other
(chained) make a line, read left to right; a word ends at a printed space, at a gap wider than
3 pt, or where the next character starts left of the previous one. A glyph printed again within
1 pt of itself (fake bold: the line drawn twice, a hair apart) is read once. Inside a cell, lines of
words are separated by ``\\n``, words by a space. Outside tables, a gap of a few spaces' width
(at least ``WIDE_GAP_EMS`` of the font size) between two words is kept as a run of spaces, about
one per half em of the gap, as ``pdftotext -layout`` does: the columns of an unruled table stay
apart.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from nianbao.readers.pdf_engine import Char

X_TOLERANCE = 3.0  # gap between two characters that splits a word
SNAP_TOLERANCE = 3.0  # segments this close to one line are moved onto it
JOIN_TOLERANCE = 3.0  # collinear segments this far apart are joined
INTERSECTION_TOLERANCE = 3.0  # a segment ending this short of another still crosses it
SEGMENT_MIN_LENGTH = 3.0  # shorter joined segments are not ruling
SEGMENT_MIN_LENGTH_BEFORE_JOIN = 1.0  # dots and the short sides of thin filled rectangles
DEDUPE_TOLERANCE = 1.0  # the same glyph this close to itself is printed twice (fake bold)
WIDE_GAP_EMS = 1.5  # a gap between two words at least this many ems wide separates columns
MAX_GAP_SPACES = 40


@dataclass
class Table:
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[list[tuple[float, float, float, float] | None]]  # cell boxes by row and column


# -- tables ----------------------------------------------------------------------------------------


def find_tables(horizontal: list[tuple], vertical: list[tuple]) -> list[Table]:
    """Tables drawn by ``horizontal`` (top, x0, x1) and ``vertical`` (x0, top, bottom) segments,
    top to bottom."""
    h_edges = _merge([s for s in horizontal if s[2] - s[1] >= SEGMENT_MIN_LENGTH_BEFORE_JOIN])
    v_edges = _merge([s for s in vertical if s[2] - s[1] >= SEGMENT_MIN_LENGTH_BEFORE_JOIN])
    if not h_edges or not v_edges:
        return []
    crossings = _crossings(h_edges, v_edges)
    cells = _cells(crossings)
    tables = []
    for group in _connected(cells):
        if len(group) < 2:
            continue
        bbox = (min(c[0] for c in group), min(c[1] for c in group),
                max(c[2] for c in group), max(c[3] for c in group))
        tables.append(Table(bbox, _rows(group)))
    tables.sort(key=lambda t: min((c[1], c[0]) for row in t.rows for c in row if c is not None))
    return tables


def _merge(segments: list[tuple]) -> list[tuple]:
    """Snap (position within SNAP_TOLERANCE, chained, moved to the mean), join collinear pieces
    less than JOIN_TOLERANCE apart, drop what is shorter than SEGMENT_MIN_LENGTH."""
    if not segments:
        return []
    cluster = _cluster_ids([s[0] for s in segments], SNAP_TOLERANCE)
    sums: dict[int, list[float]] = {}
    for s in segments:
        acc = sums.setdefault(cluster[s[0]], [0.0, 0])
        acc[0] += s[0]
        acc[1] += 1
    by_line: dict[float, list[tuple[float, float]]] = {}
    for s in segments:
        total, n = sums[cluster[s[0]]]
        by_line.setdefault(total / n, []).append((s[1], s[2]))
    out = []
    for position in sorted(by_line):
        pieces = sorted(by_line[position])
        start, end = pieces[0]
        for a, b in pieces[1:]:
            if a <= end + JOIN_TOLERANCE:
                end = max(end, b)
            else:
                if end - start >= SEGMENT_MIN_LENGTH:
                    out.append((position, start, end))
                start, end = a, b
        if end - start >= SEGMENT_MIN_LENGTH:
            out.append((position, start, end))
    return out


def _crossings(h_edges: list[tuple], v_edges: list[tuple]) -> dict[tuple[float, float], tuple[set, set]]:
    """(x, y) → (vertical segment ids, horizontal segment ids) crossing there."""
    tol = INTERSECTION_TOLERANCE
    out: dict[tuple[float, float], tuple[set, set]] = {}
    h_sorted = sorted(range(len(h_edges)), key=lambda i: h_edges[i][0])
    h_tops = [h_edges[i][0] for i in h_sorted]
    for vi, (x, v_top, v_bottom) in enumerate(v_edges):
        for k in range(bisect_left(h_tops, v_top - tol), len(h_sorted)):
            hi = h_sorted[k]
            y, h_x0, h_x1 = h_edges[hi]
            if y > v_bottom + tol:
                break
            if h_x0 - tol <= x <= h_x1 + tol:
                point = out.get((x, y))
                if point is None:
                    point = out[(x, y)] = (set(), set())
                point[0].add(vi)
                point[1].add(hi)
    return out


def _cells(crossings: dict) -> list[tuple[float, float, float, float]]:
    """For each crossing, the smallest cell it is the top-left corner of: the nearest crossing
    below and the nearest to the right that a segment joins to it, and the corner opposite
    joined to both."""
    by_x: dict[float, list[float]] = {}
    by_y: dict[float, list[float]] = {}
    for x, y in crossings:
        by_x.setdefault(x, []).append(y)
        by_y.setdefault(y, []).append(x)
    for ys in by_x.values():
        ys.sort()
    for xs in by_y.values():
        xs.sort()
    cells = []
    for (x, y), (v_ids, h_ids) in crossings.items():
        ys, xs = by_x[x], by_y[y]
        below = [b for b in ys[bisect_left(ys, y) + 1:] if not crossings[(x, b)][0].isdisjoint(v_ids)]
        if not below:
            continue
        right = [r for r in xs[bisect_left(xs, x) + 1:] if not crossings[(r, y)][1].isdisjoint(h_ids)]
        found = None
        for b in below:
            below_h = crossings[(x, b)][1]
            for r in right:
                corner = crossings.get((r, b))
                if (corner is not None and not corner[0].isdisjoint(crossings[(r, y)][0])
                        and not corner[1].isdisjoint(below_h)):
                    found = (x, y, r, b)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _connected(cells: list[tuple]) -> list[list[tuple]]:
    """Cells grouped by shared corners."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[float, float], int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[tuple]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    return list(groups.values())


def _rows(cells: list[tuple]) -> list[list[tuple | None]]:
    xs = sorted({c[0] for c in cells})
    rows: dict[float, dict[float, tuple]] = {}
    for cell in sorted(cells, key=lambda c: (c[1], c[0])):
        rows.setdefault(cell[1], {})[cell[0]] = cell
    return [[row.get(x) for x in xs] for _, row in sorted(rows.items())]


def table_cells(table: Table, chars: list[Char]) -> list[list[list[str] | None]]:
    """Each cell's lines of text (words joined by a space), ``None`` for a covered slot. A
    character belongs to the cell holding its centre (left and top edges in, right and bottom
    out)."""
    x0, top, x1, bottom = table.bbox
    inside = []
    for c in chars:
        cy = (c[1] + c[3]) / 2
        if top <= cy < bottom:
            cx = (c[0] + c[2]) / 2
            if x0 <= cx < x1:
                inside.append((cy, cx, c))
    inside.sort(key=lambda item: item[0])
    ys = [item[0] for item in inside]
    out = []
    for row in table.rows:
        boxes = [cell for cell in row if cell is not None]
        r_top, r_bottom = min(b[1] for b in boxes), max(b[3] for b in boxes)
        r_x0, r_x1 = min(b[0] for b in boxes), max(b[2] for b in boxes)
        row_chars = [item for item in inside[bisect_left(ys, r_top):bisect_left(ys, r_bottom)]
                     if r_x0 <= item[1] < r_x1]
        cells: list[list[str] | None] = []
        for cell in row:
            if cell is None:
                cells.append(None)
                continue
            cx0, ctop, cx1, cbottom = cell
            mine = [c for cy, cx, c in row_chars if cx0 <= cx < cx1 and ctop <= cy < cbottom]
            cells.append(cell_lines(mine) if mine else [])
        out.append(cells)
    return out


# -- words and lines ---------------------------------------------------------------------------


def _cluster_ids(values: list[float], tolerance: float) -> dict[float, int]:
    """value → cluster number: the distinct values sorted, a new cluster wherever the step to
    the next exceeds ``tolerance``."""
    out: dict[float, int] = {}
    n = -1
    last = None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            n += 1
        out[v] = n
        last = v
    return out


def _clusters(items: list, key, tolerance: float) -> list[list]:
    ids = _cluster_ids([key(i) for i in items], tolerance)
    groups: dict[int, list] = {}
    for item in items:
        groups.setdefault(ids[key(item)], []).append(item)
    return [groups[k] for k in sorted(groups)]


def _words(chars: list[Char], y_tolerance: float) -> list[tuple]:
    """Words (x0, top, x1, bottom, text, size) line by line, each line left to right."""
    if not chars:
        return []
    ids = _cluster_ids([c[1] for c in chars], y_tolerance)
    if len(ids) == 1:
        ordered = sorted(chars, key=_x0)
    else:
        ordered = sorted(chars, key=lambda c: (ids[c[1]], c[0]))
    words = []
    parts: list[str] = []
    w_line = w_x0 = w_top = w_x1 = w_bottom = p_x0 = p_x1 = p_top = size = 0.0
    p_text = ""
    for x0, top, x1, bottom, text in ordered:
        if text == p_text and x0 - p_x0 <= DEDUPE_TOLERANCE and abs(top - p_top) <= DEDUPE_TOLERANCE:
            continue  # the same glyph printed again over itself: fake bold
        if text.isspace():
            if parts:
                words.append((w_x0, w_top, w_x1, w_bottom, "".join(parts), size))
                parts = []
            continue
        line = ids[top]
        if parts and (line != w_line or x0 < p_x0 or x0 > p_x1 + X_TOLERANCE or abs(top - p_top) > y_tolerance):
            words.append((w_x0, w_top, w_x1, w_bottom, "".join(parts), size))
            parts = []
        if parts:
            parts.append(text)
            if top < w_top:
                w_top = top
            if x1 > w_x1:
                w_x1 = x1
            if bottom > w_bottom:
                w_bottom = bottom
        else:
            parts = [text]
            w_line, w_x0, w_top, w_x1, w_bottom, size = line, x0, top, x1, bottom, bottom - top
        p_x0, p_x1, p_top, p_text = x0, x1, top, text
    if parts:
        words.append((w_x0, w_top, w_x1, w_bottom, "".join(parts), size))
    return words


def _x0(c: Char) -> float:
    return c[0]


def cell_lines(chars: list[Char], y_tolerance: float = 3.0) -> list[str]:
    """A cell's lines of text, top to bottom, a space between words."""
    if len(chars) == 1:
        text = chars[0][4]
        return [] if text.isspace() else [text]
    words = _words(chars, y_tolerance)
    lines = _clusters(words, lambda w: w[1], y_tolerance)
    return [" ".join(w[4] for w in line) for line in lines]


def text_lines(chars: list[Char], y_tolerance: float) -> list[tuple[float, float, str]]:
    """(top, x0, text) of each line: words whose tops lie within ``y_tolerance`` (chained)
    in the order read, a wide gap kept as a run of spaces."""
    words = _words(chars, y_tolerance)
    if not words:
        return []
    ids = _cluster_ids([w[1] for w in words], y_tolerance)
    out = []
    line: list[tuple] = []
    line_id = None
    for w in words:
        w_id = ids[w[1]]
        if line and w_id != line_id:
            out.append(_line(line))
            line = []
        line.append(w)
        line_id = w_id
    out.append(_line(line))
    return out


def _line(words: list[tuple]) -> tuple[float, float, str]:
    text = words[0][4]
    prev = words[0]
    for w in words[1:]:
        gap = w[0] - prev[2]
        em = max(prev[5], 1.0)
        if gap >= WIDE_GAP_EMS * em:
            text += " " * min(MAX_GAP_SPACES, max(2, round(gap / (em / 2))))
        else:
            text += " "
        text += w[4]
        prev = w
    return (min(w[1] for w in words), min(w[0] for w in words), text)
