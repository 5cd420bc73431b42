"""Evaluate the per-report reconciliation rules of the vocabulary on one report's cells.

The rules are data (vocabulary.yaml ``rules``); this module only knows how to read the
``table / per / left / right`` form. Values are never changed: a failing rule is recorded.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from functools import cache
from operator import itemgetter

from nianbao.parse.model import Cell, RuleResult
from nianbao.vocabulary.loader import Rule, choose, expression_ids, load, parse_expression

_EPS = 1e-6


@cache
def _expansions() -> dict[str, tuple[str, ...]]:
    """What each "@" name of a rule side stands for ("@outcomes": before keeping the rows
    present). Vocabulary data, the same for every report: worked out once."""
    v = load()
    return {"@applicants": tuple(a.id for a in v.table_applicants),
            "@results": tuple(r.id for r in v.results),
            "@outcomes": tuple(o.id for o in v.outcomes)}


def _expand(ids: tuple[str, ...], grid: dict[str, list], unreadable: set[str]) -> list[str]:
    """The ids of a rule side, "@" names expanded ("@outcomes": the leaf rows the report
    printed, or printed unreadably)."""
    expansions = _expansions()
    out: list[str] = []
    for i in ids:
        names = expansions.get(i)
        if names is None:
            out.append(i)
        elif i == "@outcomes":
            out += [o for o in names if o in grid or o in unreadable]
        else:
            out += names
    return out


_MISSING = object()  # a cell the report did not give (absent), as opposed to None (blank total)


def _columns(value_rows: list[list], width: int) -> list[tuple]:
    """The values of ``value_rows`` column by column (``width`` empty columns without rows)."""
    return list(zip(*value_rows)) if value_rows else [()] * width


@cache
def _picker(indices: tuple[int, ...]) -> Callable[[list], tuple]:
    """A function giving the tuple of a list's items at ``indices`` (itemgetter gives a bare
    item for one index)."""
    if len(indices) == 1:
        i = indices[0]
        return lambda values: (values[i],)
    return itemgetter(*indices) if indices else lambda values: ()


def _evaluate(rule: Rule, grid: dict[str, list], rows: list[str], cols: list[str],
              unreadable: set[str]) -> list[RuleResult]:
    """``grid``: row → values in ``cols`` order (None: a printed total left blank; _MISSING:
    not given)."""
    results = []
    # an unreadable leaf row is still part of "@outcomes": the rule cannot be evaluated
    left_ids = _expand(rule.left, grid, unreadable)
    right_ids = _expand(rule.right, grid, unreadable)
    per_column = rule.per == "column"
    no_outcomes = "@outcomes" in rule.right and not right_ids
    if per_column:
        absent = [_MISSING] * len(cols)
        left_cols = _columns([grid.get(r, absent) for r in left_ids], len(cols))
        right_cols = _columns([grid.get(r, absent) for r in right_ids], len(cols))
        involved = (set(left_ids) | set(right_ids)) & unreadable
        # (scope, left values, right values, unreadable rows among them)
        scopes = [(c, lv, rv, involved) for c, lv, rv in zip(cols, left_cols, right_cols)]
    else:
        index = {c: j for j, c in enumerate(cols)}
        left_of = _picker(tuple(index[c] for c in left_ids))
        right_of = _picker(tuple(index[c] for c in right_ids))
        no_rows: set[str] = set()
        scopes = [(r, left_of(g), right_of(g), {r} if r in unreadable else no_rows)
                  for r in rows if (g := grid.get(r)) is not None]
    for scope, lv, rv, gone_rows in scopes:
        if (lv and rv and not no_outcomes and not gone_rows and _MISSING not in lv and _MISSING not in rv
                and None not in lv and None not in rv):
            # the usual case, every cell printed: the general path below gives the same result
            left, right = float(sum(lv)), float(sum(rv))
            results.append(RuleResult(rule.id, scope, left, right, abs(left - right) < _EPS))
            continue
        printed_l = [x for x in lv if x is not _MISSING]
        printed_r = [x for x in rv if x is not _MISSING]
        if not printed_l and not printed_r:
            continue  # nothing of this scope was printed
        blank_l, blank_r = None in printed_l, None in printed_r
        left = None if not printed_l or blank_l else float(sum(printed_l))
        right = None if not printed_r or blank_r else float(sum(printed_r))
        if blank_l or blank_r or len(printed_l) < len(lv) or len(printed_r) < len(rv) or no_outcomes or gone_rows:
            keys = ([(r, scope) for r in left_ids + right_ids] if per_column
                    else [(scope, c) for c in left_ids + right_ids])
            both = [*lv, *rv]
            if blank_l or blank_r:
                blank = [k for k, x in zip(keys, both) if x is None]
                note = "printed total blank: " + ", ".join(f"{r}×{c}" for r, c in blank)
                results.append(RuleResult(rule.id, scope, left, right, None, note))
                continue
            missing = [("@outcomes", scope)] if no_outcomes else [k for k, x in zip(keys, both) if x is _MISSING]
            gone = sorted({r for r, _ in missing} | gone_rows)
            results.append(RuleResult(rule.id, scope, left, right, None, "rows not read: " + ", ".join(gone)))
        else:
            results.append(RuleResult(rule.id, scope, left, right, abs(left - right) < _EPS))
    return results


def evaluate_report_rules(cells: list[Cell], unreadable: dict[str, set[str]]) -> list[RuleResult]:
    """Every per-report rule with a table, on the table cells of one report."""
    out: list[RuleResult] = []
    axes = _axes()
    grids: dict[str, dict[str, list]] = {}
    # the readers give a row's cells one after another: look its grid row up once per row
    table_id = row_id = None
    row: list | None = None  # the grid row of (table_id, row_id); None: a table without axes
    col_index: dict[str, int] = {}
    for c in cells:
        if c.source != "table":
            continue
        if c.row_id != row_id or c.table_id != table_id:
            table_id, row_id = c.table_id, c.row_id
            table_axes = axes.get(table_id)
            if table_axes is None:
                row = None
                continue
            col_index = table_axes[2]
            grid = grids.get(table_id)
            if grid is None:
                grid = grids[table_id] = {}
            row = grid.get(row_id)
            if row is None:
                row = grid[row_id] = [_MISSING] * len(col_index)
        if row is not None:
            j = col_index.get(c.col_id)
            if j is not None:
                row[j] = c.value
    for rule in _table_rules():
        if rule.table not in grids:
            continue
        rows, cols, _ = axes[rule.table]
        out += _evaluate(rule, grids[rule.table], rows, cols, unreadable.get(rule.table, set()))
    return out


@cache
def _table_rules() -> tuple[Rule, ...]:
    """The per-report rules on a table that has axes (the others never apply to cells)."""
    return tuple(r for r in load().rules if r.scope == "report" and r.table and r.table in _axes())


@cache
def _axes() -> dict[str, tuple[list[str], list[str], dict[str, int]]]:
    """Per table: its rows, its columns, and each column's index."""
    v = load()
    axes = {
        "t3": ([f.id for f in v.flows] + [o.id for o in v.outcomes] + [v.t3_total_row.id],
               [a.id for a in v.table_applicants] + [v.t3_total_column.id]),
        "t4": ([p.id for p in v.proceedings], [r.id for r in v.results] + [v.t4_total_column.id]),
    }
    return {t: (rows, cols, {c: j for j, c in enumerate(cols)}) for t, (rows, cols) in axes.items()}


def narrative_consistency(figures, cells: list[Cell], unreadable: AbstractSet[str] = frozenset()) -> list[RuleResult]:
    """Compare figures stated in prose with the report's own tables (a warning rule).

    ``figures`` are nianbao.parse.stated_figures.StatedFigure (their crosswalk says what to compare with:
    table 三's 总计 column for the request figures, table 四's 总计 for reviews and lawsuits).
    A figure is compared only when its table was read and every compared cell was printed; a
    figure whose table-三 rows include an unreadable one (``unreadable``) is not compared.
    """
    total_col = load().t3_total_column.id
    figures = [fig for fig in figures if fig.compare_rows]
    if not figures:
        return []
    # Only the compared columns' cells are looked up. A table with no cell there has nothing
    # to compare (every value would be None), so `tables` may leave it out.
    compared_cols = {fig.compare_col or total_col for fig in figures}
    table = {(c.table_id, c.row_id, c.col_id): c.value for c in cells
             if c.col_id in compared_cols and c.source == "table"}
    tables = {t for t, _, _ in table}
    category_of = _category_of()
    by_category: dict[tuple[str, str, str], list] | None = None  # (table, col, category) → leaf values
    out = []
    for fig in figures:
        if fig.table_id not in tables:
            continue
        col = fig.compare_col or total_col
        values: list[float | None] = []
        for row in fig.compare_rows:
            if row.startswith("@category:"):
                cat = row.split(":", 1)[1]
                if fig.table_id == "t3" and any(category_of.get(r) == cat for r in unreadable):
                    values.append(None)
                    continue
                if by_category is None:
                    by_category = {}
                    for (t, r, c), val in table.items():
                        category = category_of.get(r)
                        if category is not None:
                            by_category.setdefault((t, c, category), []).append(val)
                leaves = by_category.get((fig.table_id, col, cat))
                values += leaves if leaves else [None]
            else:
                values.append(None if fig.table_id == "t3" and row in unreadable else table.get((fig.table_id, row, col)))
        if not values or any(x is None for x in values):
            continue
        table_value = float(sum(values))
        out.append(RuleResult("narrative_table_consistency", fig.measure, fig.value, table_value,
                              abs(fig.value - table_value) < _EPS))
    return out


@cache
def _category_of() -> dict[str, str]:
    return {o.id: o.group for o in load().outcomes}


def evaluate_legacy_rules(values: dict[str, float]) -> list[RuleResult]:
    """The old-format rules (vocabulary rules with ``table: legacy``) on one report's legacy
    measures (measure → value, channels summed). Absent right-hand measures count as 0; a rule
    is evaluated only when its left side and ``min_right`` right-hand measures are present."""
    v = load()
    out = []
    for rule in v.rules:
        if rule.table != "legacy":
            continue
        left_alts = parse_expression(" | ".join(rule.left))
        right_alts = parse_expression(" | ".join(rule.right))
        li = choose(left_alts, values)
        if li is None:
            continue
        if len(right_alts) == len(left_alts):
            right = expression_ids(right_alts[li])
        else:
            ri = choose(right_alts, values)
            right = expression_ids(right_alts[ri]) if ri is not None else ()
        left = expression_ids(left_alts[li])
        present = [m for m in right if m in values]
        if len(present) < rule.min_right:
            continue
        left_value = float(sum(values[m] for m in left if m in values))
        right_value = float(sum(values[m] for m in present))
        scope = "+".join(m for m in left if m in values)
        out.append(RuleResult(rule.id, scope, left_value, right_value, abs(left_value - right_value) < _EPS,
                              "right side stated: " + ", ".join(present)))
    return out
