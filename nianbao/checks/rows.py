"""The rows each rule compares, as DuckDB computes them, and Great Expectations' verdicts on them
kept between runs.

Two comparisons per rule, each a pair of columns that Great Expectations checks for equality
(nianbao/checks/suites.py):

* **sides equal** — every row of ``marts.fct_reconciliation`` the parse evaluated (``passed`` not
  null: both sides printed and readable): the rule's left side against its right side, per report
  and scope. A row GE finds unequal is a report failing the rule.
* **facts agree** — for a side made only of leaf cells, the value recorded in fct_reconciliation
  against the same sum recomputed from the fact tables, so no cell was lost or altered between the
  parse and the marts.

A row's verdict depends only on the rows of its own report (and, for a cross-year rule, of the
report it is compared with), which change only when the report's raw row, the vocabulary, the
dbt code or this module's SQL do. So GE's verdicts are kept in schema ``check_state`` and GE
validates again only the rows of reports whose fingerprint (dbt's ``int_report_changes``: raw row
+ vocabulary) changed since the verdicts were kept — every row when the vocabulary, the dbt code,
this SQL or the suites changed (``signature``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from nianbao.vocabulary.loader import Rule, digest, load

STATE_SCHEMA = "check_state"
# The parse's tolerance for equal sides (nianbao/parse/rules.py): both sides are compared at 6 decimals.
DECIMALS = 6


def _leaf_cells_sql(rule: Rule, side: tuple[str, ...]) -> str | None:
    """(report_id, scope_id, n): the fact cells one side of a per-report rule sums, when that side
    is made only of leaf cells; else None."""
    v = load()
    flows = {f.id for f in v.flows}
    outcomes = {o.id for o in v.outcomes}
    applicants = {a.id for a in v.table_applicants}
    results = {r.id for r in v.results}
    t3_leaves = """(select report_id, applicant_type, flow as row_id, "count" as n from marts.fct_applications where source = 'table'
                   union all
                   select report_id, applicant_type, outcome, "count" from marts.fct_application_outcomes where source = 'table')"""
    if rule.table == "t3" and rule.per == "column":
        terms = set()
        for t in side:
            terms |= outcomes if t == "@outcomes" else {t}
        if not terms <= flows | outcomes:
            return None
        ids = ", ".join(f"'{t}'" for t in sorted(terms))
        return f"select report_id, applicant_type as scope_id, n from {t3_leaves} where row_id in ({ids})"
    if rule.table == "t3" and rule.per == "row" and set(side) <= applicants | {"@applicants"}:
        return f"select report_id, row_id as scope_id, n from {t3_leaves}"
    if rule.table == "t4" and rule.per == "row" and set(side) <= results | {"@results"}:
        return "select report_id, proceeding as scope_id, \"count\" as n from marts.fct_litigation where source = 'table'"
    return None


@dataclass(frozen=True)
class FactsSide:
    """The leaf-only side of a per-report rule: which recorded column, and the cells it sums."""

    rule: str
    column: str  # left_value or right_value of fct_reconciliation
    cells: str  # SQL: report_id, scope_id, n

    def compared_sql(self, only_todo: bool = False) -> str:
        """(report_id, scope_id, recorded_value, facts_value, has_rule_row, has_cells): every rule row
        with a recorded value beside the facts' sum for its report and scope, and every (report,
        scope) with leaf cells but no such row; with only_todo, for the reports of temp table
        todo_reports only."""
        todo = " where report_id in (select report_id from todo_reports)" if only_todo else ""
        r_todo = " and report_id in (select report_id from todo_reports)" if only_todo else ""
        return f"""with f as materialized (
                        select report_id, scope_id, sum(n)::double as facts_value from ({self.cells}){todo} group by 1, 2),
                    r as (select report_id, scope_id, {self.column} as recorded_value from marts.fct_reconciliation
                          where rule = '{self.rule}' and {self.column} is not null{r_todo})
                    select report_id, scope_id, r.recorded_value, coalesce(f.facts_value, 0) as facts_value,
                           r.report_id is not null as has_rule_row, f.report_id is not null as has_cells
                    from r full outer join f using (report_id, scope_id)"""


def facts_side(rule: Rule) -> FactsSide | None:
    if rule.scope != "report" or not rule.table:
        return None
    for column, side in (("left_value", rule.left), ("right_value", rule.right)):
        cells = _leaf_cells_sql(rule, side)
        if cells is not None:
            return FactsSide(rule.id, column, cells)
    return None


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchall()[0][0])


def _facts_rows_sql(sides: list[FactsSide], only_todo: bool) -> str:
    return " union all ".join(
        f"select '{fs.rule}' as rule, report_id, scope_id, has_rule_row, has_cells, recorded_value, facts_value, "
        f"cast(null as boolean) as equal, cast(null as timestamp with time zone) as validated_at "
        f"from ({fs.compared_sql(only_todo)})" for fs in sides)


# the compared rows of the facts check: a rule row, in a scope some report has leaf cells in (a
# scope none has, e.g. a subtotal row, is not leaf-only)
def _facts_compared(join: str = "") -> str:
    return f"""from {STATE_SCHEMA}.facts_rows as f
        semi join (select distinct rule, scope_id from {STATE_SCHEMA}.facts_rows where has_cells) as s using (rule, scope_id)
        {join}
        where f.has_rule_row"""

_SIDES_FAILURES_DDL = f"""create table {STATE_SCHEMA}.sides_failures (
    rule varchar, report_id varchar, agency_id varchar, report_year integer, scope_id varchar,
    related_report_id varchar, related_report_year integer, note varchar,
    left_value double, right_value double, validated_at timestamp with time zone)"""


class KeptVerdicts:
    """GE's verdicts in ``check_state``, for one run of the checks on one connection.

    ``open()`` works out which reports GE must validate again (temp table todo_reports) and clears
    their kept verdicts; ``sides_frame()`` / ``facts_frame()`` give the rows to validate;
    ``record_sides()`` / ``record_facts()`` keep GE's verdicts; ``close()`` commits. Everything
    happens in one transaction: a run that stops half-way keeps the previous verdicts."""

    def __init__(self, con: duckdb.DuckDBPyConnection, rules, suites_signature: str):
        self.con = con
        self.rules = list(rules)
        self.facts_sides = [fs for fs in map(facts_side, self.rules) if fs is not None]
        self.suites_signature = suites_signature
        self.everything = True
        self.todo_reports = 0
        self._sides_todo_sql = ""

    def _signature(self) -> str:
        dbt = (self.con.execute("select signature from dbt_state.build_signature").fetchall()
               if _exists(self.con, "dbt_state", "build_signature") else [])
        parts = [digest(), *(dbt[0] if dbt else ["no dbt signature"]), self.suites_signature,
                 *(fs.compared_sql() for fs in self.facts_sides), _SIDES_FAILURES_DDL, scope_labels().to_json()]
        return hashlib.md5("|".join(map(str, parts)).encode("utf-8")).hexdigest()

    def open(self) -> None:
        con, s = self.con, STATE_SCHEMA
        keyed = _exists(con, "intermediate", "int_report_changes")
        signature = self._signature() if keyed else None  # without dbt's fingerprints: everything, every run
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {s}")
        kept = all(_exists(con, s, t) for t in ("signature", "report_basis", "facts_rows", "sides_failures", "scope_labels"))
        self.everything = not (signature and kept and
                               con.execute(f"select any_value(signature) from {s}.signature").fetchall()[0][0] == signature)
        if keyed:
            con.execute("""create or replace temp table current_basis as
                           select report_id, fingerprint as row_hash from intermediate.int_report_changes where is_current""")
        else:
            con.execute("""create or replace temp table current_basis as
                           select distinct report_id, cast(0 as ubigint) as row_hash from marts.fct_reconciliation""")
        if self.everything:
            con.execute("create or replace temp table todo_reports as select report_id from current_basis")
            con.execute(f"create or replace table {s}.facts_rows as {_facts_rows_sql(self.facts_sides, False)}"
                        if self.facts_sides else
                        f"""create or replace table {s}.facts_rows (rule varchar, report_id varchar, scope_id varchar,
                            has_rule_row boolean, has_cells boolean, recorded_value double, facts_value double,
                            equal boolean, validated_at timestamp with time zone)""")
            con.execute(f"drop table if exists {s}.sides_failures")
            con.execute(_SIDES_FAILURES_DDL)
            con.register("labels_df", scope_labels())
            con.execute(f"create or replace table {s}.scope_labels as select * from labels_df")
            con.unregister("labels_df")
        else:
            con.execute(f"""create or replace temp table todo_reports as
                select coalesce(c.report_id, p.report_id) as report_id
                from current_basis as c full outer join {s}.report_basis as p on p.report_id = c.report_id
                where c.row_hash is distinct from p.row_hash""")
            con.execute(f"delete from {s}.facts_rows where report_id in (select report_id from todo_reports)")
            if self.facts_sides:
                con.execute(f"insert into {s}.facts_rows {_facts_rows_sql(self.facts_sides, True)}")
            con.execute(f"""delete from {s}.sides_failures where report_id in (select report_id from todo_reports)
                            or related_report_id in (select report_id from todo_reports)""")
        self.todo_reports = con.execute("select count(*) from todo_reports").fetchall()[0][0]
        con.execute(f"create or replace table {s}.report_basis as select * from current_basis")
        con.execute(f"create or replace table {s}.signature as select ? as signature", [signature or "unkept"])

    def sides_frames(self) -> dict[str, pd.DataFrame]:
        """The rule rows GE validates in this run (all on a first run; else those of the reports
        to validate again), per rule: left_value and right_value (at the parse's 6 decimals),
        indexed by row_id (a row of temp table sides_todo)."""
        todo = "" if self.everything else """ and (r.report_id in (select report_id from todo_reports)
                                                   or r.related_report_id in (select report_id from todo_reports))"""
        self.con.execute(f"""create or replace temp table sides_todo as
            select cast(row_number() over (order by r.rule) - 1 as bigint) as row_id, r.rule, r.report_id, r.agency_id,
                   r.report_year, r.scope_id, r.related_report_id, r.related_report_year, r.note, r.left_value, r.right_value
            from marts.fct_reconciliation as r
            where r.passed is not null{todo}""")
        return self._frames("sides_todo", f"""select row_id, round(left_value, {DECIMALS}) as left_value,
                                                     round(right_value, {DECIMALS}) as right_value
                                              from sides_todo order by row_id""")

    def facts_frames(self) -> dict[str, pd.DataFrame]:
        """The facts-agree rows not validated yet, per rule, like sides_frames: recorded_value
        (the side kept in fct_reconciliation) and facts_value (the facts' sum)."""
        self.con.execute(f"""create or replace temp table facts_todo as
            select cast(row_number() over (order by f.rule) - 1 as bigint) as row_id, f.rowid as facts_rowid, f.rule,
                   round(f.recorded_value, {DECIMALS}) as recorded_value, round(f.facts_value, {DECIMALS}) as facts_value
            {_facts_compared()} and f.equal is null""")
        return self._frames("facts_todo", "select row_id, recorded_value, facts_value from facts_todo order by row_id")

    def _frames(self, table: str, sql: str) -> dict[str, pd.DataFrame]:
        """Numbers only (strings would cost more to hand to pandas than GE takes to validate), one
        slice per rule of the frame ordered by row_id (rows of a rule are consecutive)."""
        arrays = self.con.execute(sql).fetchnumpy()
        frame = pd.DataFrame({k: np.asarray(v) for k, v in arrays.items() if k != "row_id"},
                             index=np.asarray(arrays["row_id"]))
        bounds = self.con.execute(f"select rule, min(row_id), max(row_id) + 1 from {table} group by 1 order by 2").fetchall()
        return {rule: frame.iloc[start:stop] for rule, start, stop in bounds}

    def record_sides(self, failing_row_ids: np.ndarray) -> None:
        """Keep the rows GE found unequal (row ids of sides_frames) as failures."""
        self._with_ids(failing_row_ids, f"""insert into {STATE_SCHEMA}.sides_failures
            select t.rule, t.report_id, t.agency_id, t.report_year, t.scope_id, t.related_report_id,
                   t.related_report_year, t.note, t.left_value, t.right_value, now()
            from sides_todo as t semi join failing_ids using (row_id)""")

    def record_facts(self, failing_row_ids: np.ndarray) -> None:
        """GE's verdict on every row of facts_frames (all rules at once): unequal for
        failing_row_ids, equal for the rest."""
        self._with_ids(failing_row_ids, f"""update {STATE_SCHEMA}.facts_rows
            set equal = v.equal, validated_at = now()
            from (select t.facts_rowid, f.row_id is null as equal
                  from facts_todo as t left join failing_ids as f using (row_id)) as v
            where {STATE_SCHEMA}.facts_rows.rowid = v.facts_rowid""")

    def _with_ids(self, row_ids: np.ndarray, sql: str) -> None:
        self.con.register("failing_ids", pd.DataFrame({"row_id": np.asarray(row_ids, dtype="int64")}))
        try:
            self.con.execute(sql)
        finally:
            self.con.unregister("failing_ids")

    def close(self, ok: bool) -> None:
        self.con.execute("commit" if ok else "rollback")


# -- what the warehouse holds after a run -------------------------------------------------------

def counts(con: duckdb.DuckDBPyConnection, rules) -> dict[str, dict[str, int]]:
    """Per rule: rows_evaluated, rows_failed, reports_failed, facts_checked, facts_mismatched."""
    out: dict[str, dict[str, int]] = {r.id: dict.fromkeys(
        ("rows_evaluated", "rows_failed", "reports_failed", "facts_checked", "facts_mismatched"), 0)
        for r in rules}
    queries = {
        "rows_evaluated": "select rule, count(*) from marts.fct_reconciliation where passed is not null group by 1",
        "rows_failed": f"select rule, count(*) from {STATE_SCHEMA}.sides_failures group by 1",
        "reports_failed": f"select rule, count(distinct report_id) from {STATE_SCHEMA}.sides_failures group by 1",
        "facts_checked": f"select f.rule, count(*) {_facts_compared()} and f.equal is not null group by 1",
        "facts_mismatched": f"select f.rule, count(*) {_facts_compared()} and not f.equal group by 1",
    }
    for key, sql in queries.items():
        for rule, n in con.execute(sql).fetchall():
            if rule in out:
                out[rule][key] = int(n)
    return out


# every kept failure, named: the columns of tables.FAILURES (a view, so a run pays nothing for it)
FAILURES_SQL = f"""
    with failing as (
        select rule, 'sides_equal' as expectation, report_id, agency_id, report_year, scope_id,
               left_value, right_value, related_report_id, related_report_year, note, validated_at
        from {STATE_SCHEMA}.sides_failures
        union all
        select f.rule, 'facts_agree', f.report_id, d.agency_id, d.report_year, f.scope_id,
               f.recorded_value, f.facts_value, null, null, null, f.validated_at
        {_facts_compared("left join marts.dim_report as d using (report_id)")} and not f.equal
    )
    select x.rule, r.severity, x.expectation, x.report_id, x.agency_id, d.agency_name, x.report_year,
           d.source_path, x.scope_id, l.label_zh as scope_label_zh, x.left_value, x.right_value,
           x.left_value - x.right_value as difference, r.statement_zh, x.related_report_id,
           x.related_report_year, rel.source_path as related_source_path, x.note, x.validated_at
    from failing as x
    left join marts.dim_report as d on d.report_id = x.report_id
    left join marts.dim_report as rel on rel.report_id = x.related_report_id
    left join {STATE_SCHEMA}.scope_labels as l on l.scope_id = x.scope_id
    left join marts.dim_rule as r on r.rule = x.rule"""


def scope_labels() -> pd.DataFrame:
    """(scope_id, label_zh) for every id a rule's scope can take: applicant types, flows,
    outcomes, proceedings, disclosure items and legacy measures of the vocabulary."""
    v = load()
    labels: dict[str, str] = {}
    for e in (*v.applicant_types, v.t3_total_column, *v.flows, *v.outcomes, v.t3_total_row,
              *v.all_proceedings, *v.disclosure_items, *v.legacy_measures):
        labels.setdefault(e.id, e.label_zh)
    return pd.DataFrame({"scope_id": list(labels), "label_zh": list(labels.values())})
