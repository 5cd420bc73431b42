"""Evaluate the per-report reconciliation rules of the vocabulary on one report's cells.

The rules are data (vocabulary.yaml ``rules``); this module only knows how to read the
``table / per / left / right`` form. Values are never changed: a failing rule is recorded.
"""
from __future__ import annotations

from functools import cache
from .model import Cell, RuleResult
from .vocab import Rule, choose, expression_ids, load, parse_expression

_EPS = 1e-6


def _expand(ids: tuple[str, ...], table: str, present_rows: set[str]) -> list[str]:
    v = load()
    out: list[str] = []
    for i in ids:
        if i == "@applicants":
            out += [a.id for a in v.table_applicants]
        elif i == "@results":
            out += [r.id for r in v.results]
        elif i == "@outcomes":
            out += [o.id for o in v.outcomes if o.id in present_rows]
        else:
            out.append(i)
    return out


_MISSING = object()  # a cell the report did not give (absent), as opposed to None (blank total)


def _evaluate(rule: Rule, grid: dict[str, list], rows: list[str], cols: list[str],
              unreadable: set[str]) -> list[RuleResult]:
    """``grid``: row → values in ``cols`` order (None: a printed total left blank; _MISSING:
    not given)."""
    results = []
    # an unreadable leaf row is still part of "@outcomes": the rule cannot be evaluated
    present_rows = grid.keys() | unreadable
    left_ids = _expand(rule.left, rule.table, present_rows)
    right_ids = _expand(rule.right, rule.table, present_rows)
    per_column = rule.per == "column"
    no_outcomes = "@outcomes" in rule.right and not right_ids
    absent = [_MISSING] * len(cols)
    if per_column:
        left_rows = [grid.get(r, absent) for r in left_ids]
        right_rows = [grid.get(r, absent) for r in right_ids]
        involved = (set(left_ids) | set(right_ids)) & unreadable
        col_index = range(len(cols))
        scopes = zip(cols, col_index)
    else:
        index = {c: j for j, c in enumerate(cols)}
        left_j = [index[c] for c in left_ids]
        right_j = [index[c] for c in right_ids]
        scopes = ((r, None) for r in rows if r in grid)
    for scope, j in scopes:
        if per_column:
            lv = [g[j] for g in left_rows]
            rv = [g[j] for g in right_rows]
            gone_rows = involved
        else:
            g = grid[scope]
            lv = [g[k] for k in left_j]
            rv = [g[k] for k in right_j]
            gone_rows = {scope} & unreadable
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
            if blank_l or blank_r:
                blank = [k for k, x in zip(keys, lv + rv) if x is None]
                note = "printed total blank: " + ", ".join(f"{r}×{c}" for r, c in blank)
                results.append(RuleResult(rule.id, scope, left, right, None, note))
                continue
            missing = [("@outcomes", scope)] if no_outcomes else [k for k, x in zip(keys, lv + rv) if x is _MISSING]
            gone = sorted({r for r, _ in missing} | gone_rows)
            results.append(RuleResult(rule.id, scope, left, right, None, "rows not read: " + ", ".join(gone)))
        else:
            results.append(RuleResult(rule.id, scope, left, right, abs(left - right) < _EPS))
    return results


def evaluate_report_rules(cells: list[Cell], unreadable: dict[str, set[str]]) -> list[RuleResult]:
    """Every per-report rule with a table, on the table cells of one report."""
    v = load()
    out: list[RuleResult] = []
    axes = _axes()
    grids: dict[str, dict[str, list]] = {}
    for c in cells:
        if c.source != "table" or c.table_id not in axes:
            continue
        grid = grids.get(c.table_id)
        if grid is None:
            grid = grids[c.table_id] = {}
        row = grid.get(c.row_id)
        col_index = axes[c.table_id][2]
        if row is None:
            row = grid[c.row_id] = [_MISSING] * len(col_index)
        j = col_index.get(c.col_id)
        if j is not None:
            row[j] = c.value
    for rule in v.rules:
        if rule.scope != "report" or not rule.table or rule.table not in grids:
            continue
        rows, cols, _ = axes[rule.table]
        out += _evaluate(rule, grids[rule.table], rows, cols, unreadable.get(rule.table, set()))
    return out


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


def narrative_consistency(figures, cells: list[Cell], unreadable: set[str] = frozenset()) -> list[RuleResult]:
    """Compare figures stated in prose with the report's own tables (a warning rule).

    ``figures`` are nianbao.legacy.StatedFigure (their crosswalk says what to compare with:
    table 三's 总计 column for the request figures, table 四's 总计 for reviews and lawsuits).
    A figure is compared only when its table was read and every compared cell was printed; a
    figure whose table-三 rows include an unreadable one (``unreadable``) is not compared.
    """
    v = load()
    table = {(c.table_id, c.row_id, c.col_id): c.value for c in cells if c.source == "table"}
    tables = {t for t, _, _ in table}
    category_of = _category_of()
    by_category: dict[tuple[str, str, str], list] | None = None  # (table, col, category) → leaf values
    out = []
    for fig in figures:
        if not fig.compare_rows or fig.table_id not in tables:
            continue
        col = fig.compare_col or v.t3_total_column.id
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
