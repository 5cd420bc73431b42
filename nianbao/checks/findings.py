"""What the checks found, by name: the queries behind the Dagster check metadata, the run
summary and the run report, over the two tables of nianbao/checks/tables.py."""
from __future__ import annotations

import duckdb

from nianbao.checks.tables import FAILURES

# The columns a person reads to find a failing report and see why it fails.
NAMED = ("agency_name", "report_year", "source_path", "scope_label_zh", "scope_id", "left_value", "right_value")


def failures_query(rule: str | None = None, severity: str | None = None) -> str:
    """Ready-to-run SQL listing every failing row (of one rule, or of one severity), by name."""
    where = []
    if rule:
        where.append(f"rule = '{rule}'")
    if severity:
        where.append(f"severity = '{severity}'")
    cond = f"\nwhere {' and '.join(where)}" if where else ""
    return (f"select rule, agency_name, report_year, source_path, scope_label_zh, left_value, right_value, "
            f"statement_zh\nfrom {FAILURES.qualified}{cond}\norder by rule, agency_name, report_year")


def first_failures(con: duckdb.DuckDBPyConnection, limit: int, rule: str | None = None,
                   severity: str | None = None) -> list[dict]:
    """The first ``limit`` failing rows (by rule, agency, year), as dicts of NAMED plus rule,
    severity, report_id and difference."""
    where, params = ["expectation = 'sides_equal'"], []
    if rule:
        where.append("rule = ?")
        params.append(rule)
    if severity:
        where.append("severity = ?")
        params.append(severity)
    cols = ("rule", "severity", "report_id", *NAMED, "difference")
    rows = con.execute(
        f"select {', '.join(cols)} from {FAILURES.qualified} where {' and '.join(where)} "
        f"order by rule, agency_name nulls last, report_year, report_id, scope_id limit {int(limit)}", params).fetchall()
    return [dict(zip(cols, r)) for r in rows]


def first_failing_reports(con: duckdb.DuckDBPyConnection, limit: int, severity: str | None = None) -> list[dict]:
    """The first ``limit`` failing reports (by agency, year), each a dict of agency_name,
    report_year, source_path, report_id and ``failures``: its failing rows (rule, scope_id,
    scope_label_zh, left_value, right_value)."""
    cond, params = ("and severity = ?", [severity]) if severity else ("", [])
    rows = con.execute(f"""
        with first as (
            select report_id, any_value(agency_name) as agency_name, any_value(report_year) as report_year,
                   any_value(source_path) as source_path
            from {FAILURES.qualified} where expectation = 'sides_equal' {cond}
            group by report_id
            order by agency_name nulls last, report_year, report_id limit {int(limit)})
        select f.report_id, f.agency_name, f.report_year, f.source_path,
               list(struct_pack(rule := x.rule, scope_id := x.scope_id, scope_label_zh := x.scope_label_zh,
                                left_value := x.left_value, right_value := x.right_value)
                    order by x.rule, x.scope_id) as failures
        from first as f join {FAILURES.qualified} as x using (report_id)
        where x.expectation = 'sides_equal' {cond.replace('severity', 'x.severity')}
        group by all
        order by f.agency_name nulls last, f.report_year, f.report_id""", params + params).fetchall()
    return [dict(zip(("report_id", "agency_name", "report_year", "source_path", "failures"), r)) for r in rows]


def failing_report_count(con: duckdb.DuckDBPyConnection, severity: str) -> int:
    """Distinct reports with a failing row of a rule of this severity."""
    return con.execute(f"select count(distinct report_id) from {FAILURES.qualified} where severity = ?",
                       [severity]).fetchall()[0][0]
