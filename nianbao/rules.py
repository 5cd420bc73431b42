"""Evaluate the per-report reconciliation rules of the vocabulary on one report's cells.

The rules are data (vocabulary.yaml ``rules``); this module only knows how to read the
``table / per / left / right`` form. Values are never changed: a failing rule is recorded.
"""
from __future__ import annotations

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


def _evaluate(rule: Rule, cells: dict[tuple[str, str], Cell], rows: list[str], cols: list[str],
              unreadable: set[str]) -> list[RuleResult]:
    results = []
    # an unreadable leaf row is still part of "@outcomes": the rule cannot be evaluated
    present_rows = {r for r, _ in cells} | unreadable
    scopes = cols if rule.per == "column" else rows
    left_ids = _expand(rule.left, rule.table, present_rows)
    right_ids = _expand(rule.right, rule.table, present_rows)
    for scope in scopes:
        if rule.per == "column":
            left_keys = [(r, scope) for r in left_ids]
            right_keys = [(r, scope) for r in right_ids]
            involved_rows = set(left_ids) | set(right_ids)
        else:
            left_keys = [(scope, c) for c in left_ids]
            right_keys = [(scope, c) for c in right_ids]
            involved_rows = {scope}
        if not any(k in cells for k in left_keys + right_keys):
            continue  # nothing of this scope was printed
        missing = [k for k in left_keys + right_keys if k not in cells]
        blank_totals = [k for k in left_keys + right_keys if k in cells and cells[k].value is None]
        left = _sum(cells, left_keys)
        right = _sum(cells, right_keys)
        if "@outcomes" in rule.right and not right_ids:
            missing = [("@outcomes", scope)]
        if blank_totals:
            note = "printed total blank: " + ", ".join(f"{r}×{c}" for r, c in blank_totals)
            results.append(RuleResult(rule.id, scope, left, right, None, note))
        elif missing or involved_rows & unreadable:
            gone = sorted({r for r, _ in missing} | (involved_rows & unreadable))
            results.append(RuleResult(rule.id, scope, left, right, None, "rows not read: " + ", ".join(gone)))
        else:
            results.append(RuleResult(rule.id, scope, left, right, abs(left - right) < _EPS))
    return results


def _sum(cells: dict[tuple[str, str], Cell], keys: list[tuple[str, str]]) -> float | None:
    vals = [cells[k].value for k in keys if k in cells]
    if not vals or any(v is None for v in vals):
        return None
    return float(sum(vals))


def evaluate_report_rules(cells: list[Cell], unreadable: dict[str, set[str]]) -> list[RuleResult]:
    """Every per-report rule with a table, on the table cells of one report."""
    v = load()
    out: list[RuleResult] = []
    by_table: dict[str, dict[tuple[str, str], Cell]] = {}
    for c in cells:
        if c.source == "table":
            by_table.setdefault(c.table_id, {})[(c.row_id, c.col_id)] = c
    axes = {
        "t3": ([f.id for f in v.flows] + [o.id for o in v.outcomes] + [v.t3_total_row.id],
               [a.id for a in v.table_applicants] + [v.t3_total_column.id]),
        "t4": ([p.id for p in v.proceedings], [r.id for r in v.results] + [v.t4_total_column.id]),
    }
    for rule in v.rules:
        if rule.scope != "report" or not rule.table or rule.table not in by_table:
            continue
        rows, cols = axes[rule.table]
        out += _evaluate(rule, by_table[rule.table], rows, cols, unreadable.get(rule.table, set()))
    return out


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
    category_of = {o.id: o.group for o in v.outcomes}
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
                leaves = [val for (t, r, c), val in table.items()
                          if t == fig.table_id and c == col and category_of.get(r) == cat]
                values += leaves if leaves else [None]
            else:
                values.append(None if fig.table_id == "t3" and row in unreadable else table.get((fig.table_id, row, col)))
        if not values or any(x is None for x in values):
            continue
        table_value = float(sum(values))
        out.append(RuleResult("narrative_table_consistency", fig.measure, fig.value, table_value,
                              abs(fig.value - table_value) < _EPS))
    return out


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
