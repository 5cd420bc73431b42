"""Nothing read is lost: every cell the parser recorded (``raw.report_cells``) and every legacy
measure (``raw.legacy_measures``) of a report with facts reaches exactly one fact row with the
same value, and no fact row comes from nowhere — checked report by report on a published
warehouse. Used by the integration tests (seeds and generated reports; the real corpus)."""
from __future__ import annotations

from collections import defaultdict

# fact -> SELECT of (report_id, table_id, row_id, col_id, value); together they cover every kind
# of cell the parser records (leaf cells, printed totals, prose figures, table 二)
FACTS = {
    "fct_applications": "select report_id, 't3', flow, applicant_type, count from marts.fct_applications",
    "fct_application_outcomes":
        "select report_id, 't3', outcome, applicant_type, count from marts.fct_application_outcomes",
    "fct_litigation": "select report_id, 't4', proceeding, result, count from marts.fct_litigation",
    "fct_proactive_disclosure": "select report_id, 't2', item, measure, value from marts.fct_proactive_disclosure",
    "fct_table_totals": "select report_id, table_id, row_id, col_id, count from marts.fct_table_totals",
    "fct_legacy_measures":
        "select report_id, 'legacy', measure, coalesce(channel, ''), value from marts.fct_legacy_measures",
}
RAW = """
    select report_id, table_id, row_id, col_id, value from raw.report_cells
    union all
    select report_id, 'legacy', measure, coalesce(channel, ''), value from raw.legacy_measures
"""


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


def unreached_cells(con) -> dict[str, list[str]]:
    """report_id -> what does not reconcile (a raw cell in no fact or in two, a value changed
    on the way, a fact row with no raw cell). Empty when nothing is lost."""
    with_facts = {rid for (rid,) in con.execute(
        "select report_id from marts.dim_report where parse_status <> 'rejected'").fetchall()}
    raw: dict[tuple, list] = defaultdict(list)
    for rid, *key, value in con.execute(RAW).fetchall():
        if rid in with_facts:
            raw[(rid, *key)].append(value)
    facts: dict[tuple, list[tuple[str, object]]] = defaultdict(list)
    for fact, sql in FACTS.items():
        for rid, *key, value in con.execute(sql).fetchall():
            facts[(rid, *key)].append((fact, value))
    problems: dict[str, list[str]] = defaultdict(list)
    for key, values in raw.items():
        rid, cell = key[0], "×".join(key[1:])
        got = facts.get(key, [])
        if len(values) != 1:
            problems[rid].append(f"{cell}: recorded {len(values)} times in raw")
        elif not got:
            problems[rid].append(f"{cell} = {values[0]}: reaches no fact")
        elif len(got) > 1:
            problems[rid].append(f"{cell}: in {len(got)} fact rows ({', '.join(f for f, _ in got)})")
        elif not _same(got[0][1], values[0]):
            problems[rid].append(f"{cell}: raw {values[0]}, {got[0][0]} {got[0][1]}")
    for key, got in facts.items():
        if key not in raw:
            problems[key[0]].append(f"{'×'.join(key[1:])}: {got[0][0]} row with no raw cell")
    return dict(problems)
