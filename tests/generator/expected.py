"""What a correct parser must read from a rendered spec.

Conventions (the warehouse contract, format-spec §4.4 and §4.9):

* Keys are ``(table_id, row_id, col_id)`` with the parser's ids: ``t2`` (item, measure),
  ``t3`` (flow / leaf outcome / ``total_processed``, applicant / ``total``), ``t4``
  (proceeding, result / ``total``).
* A blank **leaf** cell (an applicant column of a t3 row other than （七）总计, a result column
  of t4) reads ``0.0``. A blank **printed total** (t3 ``total`` column, every cell of the
  （七）总计 row, t4 ``total``) reads ``None`` ("not printed"): the rules on it are not evaluated.
* ``text_cells`` changes only the printed form: ``减89`` → ``-89.0``, ``13准予撤诉`` → ``13.0``,
  ``45,432`` → ``45432.0``; ``procurement_total_amount`` is stored in 元 (``2131.212万元`` →
  ``21312120.0``); ``fee_amount`` stays in 万元 as printed (``96171.6``).
* Layouts whose rows do not print one token per cell (``no_separator``: digits run together)
  are read as ``readings.row_reading`` allows: a row (table 四: each proceeding) whose readings
  all agree gives its cells; one whose readings agree only on the total gives the total and the
  same count under ``unspecified`` (``expected_total_only``); the others are *unreadable* —
  absent from ``expected_cells`` and listed by ``expected_unreadable``.
* ``missing_tables``: no table cells; the prose figures instead, as
  ``("t3", measure, "unspecified")`` (measures of spec.PROSE_MEASURES), and status
  ``narrative_only``.
"""
from __future__ import annotations

from nianbao.vocabulary.loader import load

from .printing import prints_tokens, t2_reading, t2_tokens, t3_tokens, t4_tokens
from .readings import drops_blanks_evidence, row_reading
from .spec import (
    PROSE_MEASURES,
    ReportSpec,
    outcome_category,
    t2_items,
    t2_measures,
    t2_number,
    t3_cols,
    t4_cols,
    t4_rows,
)

Key = tuple[str, str, str]
_EPS = 1e-6


def _is_t3_total(row: str, col: str) -> bool:
    return col == "total" or row == load().t3_total_row.id


def _leaf_rows(spec: ReportSpec) -> set[str]:
    return {o.id for o in load().outcomes_for(spec.template)}


def printed_rows(spec: ReportSpec, layout: str = "pipe",
                 perturbations: frozenset[str] = frozenset()) -> dict[tuple[str, str], tuple[str, ...]] | None:
    """The tokens each table row prints in layouts where they do not number its cells one for
    one (key ("t3", row) or ("t4", "*") for table 四's data row); None for the other layouts."""
    perturbations = frozenset(perturbations)
    if not prints_tokens(layout, perturbations) or "missing_tables" in perturbations:
        return None
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for row in spec.t3_rows:
        out[("t3", row)] = t3_tokens(spec, layout, perturbations, row)
    out[("t4", "*")] = t4_tokens(spec, layout, perturbations)
    return out


def _t2_texts(spec: ReportSpec, item: str, perturbations: frozenset[str]) -> list[str]:
    """A table-二 row's cells as printed (text_cells: 减89, 2131.212万元 …)."""
    source = spec.other_local_t2 if item == "other_proactive_documents" else spec.t2
    out = []
    for m in t2_measures(spec.template, item):
        value = source[(item, m)]
        if isinstance(value, tuple):
            out.append(value[1] if "text_cells" in perturbations else _plain_number(value[0]))
        else:
            out.append(_plain_number(value))
    return out


def _plain_number(x) -> str:
    if isinstance(x, float) and not x.is_integer():
        return f"{x:.6f}".rstrip("0").rstrip(".")
    return str(int(x))


def unreadable_t2(spec: ReportSpec, layout: str = "pipe", perturbations: frozenset[str] = frozenset()) -> set[str]:
    """Table-二 items a reader cannot take in this layout (see printing.t2_reading)."""
    perturbations = frozenset(perturbations)
    if layout not in ("flattened", "drop_blank") or "missing_tables" in perturbations:
        return set()
    printed = printed_rows(spec, layout, perturbations) or {}
    drops = drops_blanks_evidence([t for (table, _), t in printed.items() if table == "t3"], 7)
    out = set()
    for item in t2_items(spec.template, local_row="extra_local_row" in perturbations):
        texts = _t2_texts(spec, item, perturbations)
        if not t2_reading(t2_tokens(spec, layout, texts, item), len(texts), drops):
            out.add(item)
    return out


def row_readings(spec: ReportSpec, layout: str = "pipe",
                 perturbations: frozenset[str] = frozenset()) -> dict[tuple[str, str], tuple]:
    """What a correct reader takes from each printed row (readings.row_reading), keyed
    ("t3", row) and ("t4", proceeding); empty for layouts that print every cell."""
    printed = printed_rows(spec, layout, perturbations)
    if printed is None:
        return {}
    t3_prints = [tokens for (table, _), tokens in printed.items() if table == "t3"]
    drops = drops_blanks_evidence(t3_prints, 7)
    out: dict[tuple[str, str], tuple] = {}
    for (table, row), tokens in printed.items():
        if table == "t3":
            out[("t3", row)] = row_reading(tokens, (7,), drops)[0]
        else:
            for p, group in zip(t4_rows(), row_reading(tokens, (5, 5, 5), drops)):
                out[("t4", p)] = group
    return out


def expected_unreadable(spec: ReportSpec, layout: str = "pipe",
                        perturbations: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    """(table_id, row_id) pairs a correct parser cannot read in this layout (must report them
    unreadable, never guess): rows no reading of the printed tokens satisfies, or several that
    do not even agree on the total."""
    out = {key for key, (kind, _) in row_readings(spec, layout, perturbations).items() if kind == "unreadable"}
    return out | {("t2", item) for item in unreadable_t2(spec, layout, perturbations)}


def expected_total_only(spec: ReportSpec, layout: str = "pipe",
                        perturbations: frozenset[str] = frozenset()) -> set[tuple[str, str]]:
    """Rows of which only the printed total can be read (every reading agrees on it, not on the
    cells): the total is recorded, and the count once more under the `unspecified` applicant
    (table 三, except （七）总计, a printed total only) or result (table 四)."""
    return {key for key, (kind, _) in row_readings(spec, layout, perturbations).items() if kind == "total"}


def expected_cells(spec: ReportSpec, layout: str = "pipe",
                   perturbations: frozenset[str] = frozenset()) -> dict[Key, float | None]:
    perturbations = frozenset(perturbations)
    if "missing_tables" in perturbations:
        return {("t3", m, "unspecified"): float(spec.prose[m]) for m in PROSE_MEASURES}
    readings = row_readings(spec, layout, perturbations)
    blank_totals = "blank_cells" in perturbations
    leaves = _leaf_rows(spec)
    out: dict[Key, float | None] = {}
    t3_total_row = load().t3_total_row.id
    for row in spec.t3_rows:
        kind, got = readings.get(("t3", row), ("print", None))
        if kind == "unreadable":
            continue
        if kind == "total":
            out[("t3", row, "total")] = float(got)
            if row != t3_total_row:
                out[("t3", row, "unspecified")] = float(got)
            continue
        for i, col in enumerate(t3_cols()):
            val = spec.t3[(row, col)] if kind == "print" else got[i]  # a reading: what the print allows
            total = _is_t3_total(row, col)
            if blank_totals and col == "total" and row in leaves:
                out[("t3", row, col)] = None  # SH19: leaf rows print no 总计
            elif val is None:
                out[("t3", row, col)] = None if total else 0.0
            else:
                out[("t3", row, col)] = float(val)
    for p in t4_rows():
        kind, got = readings.get(("t4", p), ("print", None))
        if kind == "unreadable":
            continue
        if kind == "total":
            out[("t4", p, "total")] = out[("t4", p, "unspecified")] = float(got)
            continue
        for i, col in enumerate(t4_cols()):
            val = spec.t4[(p, col)] if kind == "print" else got[i]
            out[("t4", p, col)] = (None if col == "total" else 0.0) if val is None else float(val)
    items = t2_items(spec.template, local_row="extra_local_row" in perturbations)
    t2_unread = unreadable_t2(spec, layout, perturbations)
    for item in items:
        if item in t2_unread:
            continue
        source = spec.other_local_t2 if item == "other_proactive_documents" else spec.t2
        for m in t2_measures(spec.template, item):
            out[("t2", item, m)] = t2_number(source[(item, m)])
    return out


def expected_status(spec: ReportSpec, layout: str = "pipe",
                    perturbations: frozenset[str] = frozenset()) -> str:
    """``complete``, ``partial`` (some rows unreadable or read as their total only) or
    ``narrative_only``."""
    if "missing_tables" in perturbations:
        return "narrative_only"
    partial = any(kind != "cells" for kind, _ in row_readings(spec, layout, perturbations).values())
    return "partial" if partial or unreadable_t2(spec, layout, perturbations) else "complete"


def expected_metadata(spec: ReportSpec, perturbations: frozenset[str] = frozenset()) -> dict:
    traditional = bool({"traditional_proper", "traditional_charlevel"} & set(perturbations))
    return {
        "agency": spec.agency,
        "report_year": spec.report_year,
        "template": spec.template,
        "original_script": "traditional" if traditional else "simplified",
        "published_on": spec.published_on if spec.show_metadata else None,
        "index_number": spec.index_number if spec.show_metadata else None,
    }


# ---------------------------------------------------------------- rules

def evaluate_rules(cells: dict[Key, float | None], prose: dict[str, int] | None, template: str,
                   unreadable: set[tuple[str, str]] = frozenset()) -> dict[tuple[str, str], bool | None]:
    """Every per-report rule of the vocabulary on ``cells``: (rule, scope) → passed, or None when
    a printed total involved is blank or a row involved was not read. An independent
    re-implementation of the rule semantics (vocabulary ``rules``), for checking specs."""
    v = load()
    out: dict[tuple[str, str], bool | None] = {}
    tables = {t for t, _, _ in cells}
    leaves = [o.id for o in v.outcomes_for(template)]
    unread_rows = {r for _, r in unreadable}
    axes = {
        "t3": (None, list(t3_cols())),
        "t4": (list(t4_rows()), None),
    }

    def expand(ids: tuple[str, ...]) -> list[str]:
        res: list[str] = []
        for i in ids:
            if i == "@applicants":
                res += list(t3_cols()[:-1])
            elif i == "@results":
                res += list(t4_cols()[:-1])
            elif i == "@outcomes":
                res += leaves
            else:
                res.append(i)
        return res

    for rule in v.rules:
        if rule.scope != "report" or not rule.table or rule.table not in tables:
            continue
        left_ids, right_ids = expand(rule.left), expand(rule.right)
        if rule.per == "column":
            scopes = axes[rule.table][1]
            make = lambda ids, s: [(rule.table, r, s) for r in ids]  # noqa: E731, B023 (used in this iteration)
        else:
            rows = axes[rule.table][0] or [r for r in dict.fromkeys(k[1] for k in cells if k[0] == rule.table)]
            scopes = rows
            make = lambda ids, s: [(rule.table, s, c) for c in ids]  # noqa: E731, B023 (used in this iteration)
        for scope in scopes:
            lk, rk = make(left_ids, scope), make(right_ids, scope)
            involved = {k[1] for k in lk + rk}
            if not any(k in cells for k in lk + rk):
                continue
            if involved & unread_rows or any(k not in cells for k in lk + rk):
                out[(rule.id, scope)] = None
                continue
            vals_l = [cells[k] for k in lk]
            vals_r = [cells[k] for k in rk]
            if any(x is None for x in vals_l + vals_r):
                out[(rule.id, scope)] = None
                continue
            out[(rule.id, scope)] = abs(sum(vals_l) - sum(vals_r)) < _EPS
    # narrative_table_consistency: prose vs table 三's 总计 column (only when table 三 was read)
    if prose and "t3" in tables:
        for m, fig in prose.items():
            if m in ("new_received", "total_processed"):
                rows = [m]
            else:
                cat = m.removesuffix("_unspecified")
                rows = [leaf for leaf in leaves if outcome_category(leaf) == cat]
            if set(rows) & unread_rows:
                out[("narrative_table_consistency", m)] = None
                continue
            vals = [cells.get(("t3", r, "total")) for r in rows]
            if not vals or any(x is None for x in vals):
                out[("narrative_table_consistency", m)] = None
                continue
            out[("narrative_table_consistency", m)] = abs(fig - sum(vals)) < _EPS
    return out


def expected_rule_results(spec: ReportSpec, layout: str = "pipe",
                          perturbations: frozenset[str] = frozenset()) -> dict[tuple[str, str], bool | None]:
    """(rule, scope) → True / False / None (not evaluated) that a correct parser reports."""
    perturbations = frozenset(perturbations)
    if "missing_tables" in perturbations:
        return {}
    cells = expected_cells(spec, layout, perturbations)
    return evaluate_rules(cells, spec.prose, spec.template, expected_unreadable(spec, layout, perturbations))


def expected_flags(spec: ReportSpec, layout: str = "pipe",
                   perturbations: frozenset[str] = frozenset()) -> frozenset[tuple[str, str]]:
    """The (rule, scope) pairs that must fail (passed is False). Empty for a consistent spec; for
    an inconsistent one, the broken rule's scopes — minus those a blank printed total or an
    unreadable row keeps from being evaluated in this layout."""
    return frozenset(k for k, ok in expected_rule_results(spec, layout, perturbations).items() if ok is False)
