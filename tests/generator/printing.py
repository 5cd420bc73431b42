"""How the layouts that do not print one token per cell print a table's rows.

The tokens a row prints decide what any reader can recover from it (``readings.row_reading``),
so they are drawn from the spec's seed, never from the render rng (which decides presentation
only): ``render.py`` prints them and ``expected.py`` reads them, and both get the same tokens.

* ``no_separator``: every row's digits run together (one token a row; table 四's data row one).
* ``flattened`` (a page flattened into one line, real corpus 17–19, 22): table 三/四 runs of
  digits, per report either one run a row or runs with a stray space here and there ("200
  000121"); table 四 also as fifteen spaced cells; table 二 as spaced cells, or a run for a row
  of plain numbers.
* ``drop_blank`` (one cell per line, blank cells left out, real corpus 03/04/07/08): a row
  prints its non-zero cells, the zeros of the columns the report fills in, and its total; a row
  of zeros a single ``0``. Table 二: a row of zeros a single ``0``, the others every cell.
* ``word_breaks`` (perturbation, one-cell-per-line layouts that print every cell, real corpus
  12): numbers of tables 三 and 四 broken over two lines here and there.
"""
from __future__ import annotations

import random

from .spec import ReportSpec, t3_cols, t4_cols, t4_rows

TOKEN_LAYOUTS = frozenset({"no_separator", "flattened", "drop_blank"})
ONE_CELL_A_LINE = frozenset({"lines_no_pipes"})  # layouts word_breaks applies to


def _rng(spec: ReportSpec, *what: object) -> random.Random:
    return random.Random(":".join(str(x) for x in (spec.seed, "print", *what)))


def prints_tokens(layout: str, perturbations: frozenset[str]) -> bool:
    """Whether rows of this layout print tokens that are not one per cell."""
    return layout in TOKEN_LAYOUTS or "word_breaks" in perturbations


def style(spec: ReportSpec) -> dict[str, object]:
    """Per-report printing choices of the token layouts."""
    r = _rng(spec, "style")
    return {
        "t3": r.choice(("run", "run", "stray_spaces")),
        "t4": r.choice(("run", "spaced", "stray_spaces")),
        "t2": r.choice(("run", "spaced")),
        # drop_blank: applicant columns (0-based) whose zero cells are printed, not left blank
        "zero_cols": r.choice((frozenset(), frozenset(), frozenset({5}), frozenset({1}), frozenset({1, 2, 3, 4, 5}))),
    }


def _runs(texts: list[str], how: str, r: random.Random) -> tuple[str, ...]:
    if how == "spaced":
        return tuple(texts)
    if how == "run":
        return ("".join(texts),)
    out = [texts[0]]
    for t in texts[1:]:
        if r.random() < 0.3:
            out.append(t)
        else:
            out[-1] += t
    return tuple(out)


def _dropped(cells: list[int | None], zero_cols: frozenset[int]) -> list[str]:
    """One group printed without its blank cells: non-zero cells, zeros of the columns the
    report fills in, then the total; a group of zeros prints its total alone."""
    *head, total = cells
    if not total and not any(head):
        return ["0"]
    return [str(v) for i, v in enumerate(head) if v or (v == 0 and i in zero_cols)] + [str(total)]


def _broken(tokens: list[str], r: random.Random) -> list[str]:
    """Word breaks: some numbers of two digits or more printed over two lines."""
    out: list[str] = []
    for t in tokens:
        if len(t) >= 2 and r.random() < 0.3:
            k = r.randint(1, len(t) - 1)
            out += [t[:k], t[k:]]
        else:
            out.append(t)
    return out


def t3_tokens(spec: ReportSpec, layout: str, perturbations: frozenset[str], row: str) -> tuple[str, ...]:
    cells = [spec.t3[(row, c)] for c in t3_cols()]
    if layout == "no_separator":
        return ("".join(str(v) for v in cells),)
    if layout == "flattened":
        return _runs([str(v) for v in cells], str(style(spec)["t3"]), _rng(spec, "t3", row))
    if layout == "drop_blank":
        tokens = _dropped(cells, style(spec)["zero_cols"])  # type: ignore[arg-type]
    else:
        tokens = ["" if v is None else str(v) for v in cells]
    if "word_breaks" in perturbations:
        tokens = _broken(tokens, _rng(spec, "breaks", row))
    return tuple(tokens)


def t4_tokens(spec: ReportSpec, layout: str, perturbations: frozenset[str]) -> tuple[str, ...]:
    """The tokens of table 四's data row (all three proceedings)."""
    groups = [[spec.t4[(p, c)] for c in t4_cols()] for p in t4_rows()]
    flat = [v for g in groups for v in g]
    if layout == "no_separator":
        return ("".join(str(v) for v in flat),)
    if layout == "flattened":
        return _runs([str(v) for v in flat], str(style(spec)["t4"]), _rng(spec, "t4"))
    if layout == "drop_blank":
        zero_cols = frozenset(c for c in style(spec)["zero_cols"] if c < 4)  # type: ignore[attr-defined]
        tokens = [t for g in groups for t in _dropped(g, zero_cols)]
    else:
        tokens = ["" if v is None else str(v) for v in flat]
    if "word_breaks" in perturbations:
        tokens = _broken(tokens, _rng(spec, "breaks", "t4"))
    return tuple(tokens)


def t2_tokens(spec: ReportSpec, layout: str, texts: list[str], item: str) -> tuple[str, ...]:
    """The printed texts of one table-二 row (``texts``: one per measure, as printed)."""
    if layout == "flattened" and style(spec)["t2"] == "run" and len(texts) > 1 and all(t.isdigit() for t in texts):
        return ("".join(texts),)
    if layout == "drop_blank" and all(t == "0" for t in texts):
        return ("0",)
    return tuple(texts)


def t2_reading(tokens: tuple[str, ...], n: int, drops_blanks: bool) -> bool:
    """Whether a reader can take a table-二 row (it prints no total): one token a measure, a run
    of digits that a leading zero keeps from being one number and only one way splits
    (``000`` = 0|0|0), or zeros printed once where the report drops blank cells."""
    if len(tokens) == n:
        return True
    if len(tokens) == 1 and tokens[0].isdigit() and tokens[0][0] == "0" and 1 < len(tokens[0]) <= 24:
        return _plain_splits(tokens[0], n) == 1
    return drops_blanks and all(t == "0" for t in tokens)


def _plain_splits(digits: str, n: int) -> int:
    """How many ways ``digits`` reads as n numbers without leading zeros (2 means several)."""
    if n == 0:
        return 1 if not digits else 0
    count = 0
    for k in range(1, len(digits) - n + 2):
        head = digits[:k]
        if len(head) > 1 and head[0] == "0":
            break
        count += _plain_splits(digits[k:], n - 1)
        if count > 1:
            return 2
    return count

