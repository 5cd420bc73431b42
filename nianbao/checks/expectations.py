"""Great Expectations suites for the reconciliation rules, generated from the vocabulary.

For every rule of vocabulary.yaml there are two checks, validated against the warehouse:

* ``<rule>: sides equal`` — every evaluated row of ``marts.fct_reconciliation`` has
  left_value == right_value. Its unexpected rows are the reports that fail the rule.
* ``<rule>: facts agree`` — for a side made only of leaf cells, the value recorded in
  fct_reconciliation equals the same sum recomputed from the fact tables, so no cell was
  lost or altered between parsing and the marts. The per-row verdicts are kept in schema
  check_state between runs and recomputed for the reports whose raw row changed (all of them
  when the vocabulary, the dbt code or this module's SQL changed): see ``_facts_rows``.

GE's SQL datasource is broken on DuckDB (stack notes §3.4), so DuckDB computes each frame
and GE validates it through the pandas datasource. The frames are aggregates — per report year
and scope, how many rows were compared and how many differ — so a suite costs the same for 5
reports as for 100,000 (DuckDB compares the millions of rows; the failing rows are fetched only
for a rule that fails). ``import great_expectations`` costs seconds, so it happens only inside
``run_suites`` (the dbt step starts it in the background: orchestration/assets/checks.py).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from nianbao.vocabulary.loader import Rule, digest, load

RESULTS_TABLE = "marts.reconciliation_check_results"
FAILURES_TABLE = "marts.reconciliation_failures"
MAX_LISTED = 50


@dataclass
class SuiteOutcome:
    rule: str
    severity: str
    statement_zh: str
    evaluated: int = 0  # rule rows with a verdict
    failed: int = 0  # rule rows whose sides differ
    facts_checked: int = 0
    facts_mismatched: int = 0
    expectations: list[dict] = field(default_factory=list)
    failures: pd.DataFrame | None = None  # report_id, agency_id, report_year, scope_id, left, right
    failing_reports: list[str] = field(default_factory=list)  # sorted distinct report ids of failures

    @property
    def success(self) -> bool:
        return self.failed == 0 and self.facts_mismatched == 0


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
class _FactsSide:
    """The leaf-only side of a per-report rule: which recorded column, and the cells it sums."""

    rule: str
    column: str  # left_value or right_value of fct_reconciliation
    cells: str  # SQL: report_id, scope_id, n

    def compared_sql(self, only_todo: bool = False) -> str:
        """(report_id, scope_id, recorded_value, facts_value, has_rule_row, has_cells): every rule row
        with a recorded value beside the facts' sum for its report and scope, and every (report,
        scope) with leaf cells but no such row; with only_todo, for the reports of temp table
        facts_todo only."""
        todo = " where report_id in (select report_id from facts_todo)" if only_todo else ""
        r_todo = " and report_id in (select report_id from facts_todo)" if only_todo else ""
        return f"""with f as materialized (
                        select report_id, scope_id, sum(n)::double as facts_value from ({self.cells}){todo} group by 1, 2),
                    r as (select report_id, scope_id, {self.column} as recorded_value from marts.fct_reconciliation
                          where rule = '{self.rule}' and {self.column} is not null{r_todo})
                    select report_id, scope_id, r.recorded_value, coalesce(f.facts_value, 0) as facts_value,
                           r.report_id is not null as has_rule_row, f.report_id is not null as has_cells
                    from r full outer join f using (report_id, scope_id)"""


def _facts_side(rule: Rule) -> _FactsSide | None:
    if rule.scope != "report" or not rule.table:
        return None
    for column, side in (("left_value", rule.left), ("right_value", rule.right)):
        cells = _leaf_cells_sql(rule, side)
        if cells is not None:
            return _FactsSide(rule.id, column, cells)
    return None


def _sides_sql(rule_id: str) -> tuple[str, list]:
    return ("from marts.fct_reconciliation where rule = ? and passed is not null", [rule_id])


def rule_frames(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(the rule's evaluated rows, the facts-agree comparison or None): the row-level frames,
    for inspection; the suites validate the aggregates of ``all_aggregates``."""
    where, params = _sides_sql(rule.id)
    sides = con.execute(
        f"select report_id, agency_id, report_year, scope_id, left_value, right_value {where} "
        "order by report_id, scope_id", params).df()
    facts = None
    fs = _facts_side(rule)
    if fs is not None:
        facts = con.execute(f"""with c as ({fs.compared_sql()})
            select report_id, scope_id, recorded_value, facts_value from c
            where has_rule_row and scope_id in (select scope_id from c where has_cells)
            order by report_id, scope_id""").df()
    return sides, facts


# -- facts agree, kept per report ----------------------------------------------------------------
# Comparing every rule row with the facts' sums scans every fact cell of the warehouse, most of
# the checks' time at scale. A report's comparison depends only on its own rows, which change
# only when its raw rows, the vocabulary, the dbt code or this module's SQL do; so the per-row
# verdicts are kept in STATE_SCHEMA and only the reports whose fingerprint (dbt's
# int_report_changes: raw row + vocabulary) changed since are compared again. Any change of the
# vocabulary, the dbt code (dbt_state.build_signature) or the SQL compares everything again.

STATE_SCHEMA = "check_state"


def _facts_rows_sql(sides: list[_FactsSide], only_todo: bool) -> str:
    return " union all ".join(
        f"select '{fs.rule}' as rule, report_id, scope_id, has_rule_row, has_cells, "
        f"recorded_value is distinct from facts_value as mismatched from ({fs.compared_sql(only_todo)})" for fs in sides)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, table]).fetchall()[0][0])


def _facts_rows(con: duckdb.DuckDBPyConnection, sides: list[_FactsSide]) -> tuple[str, int]:
    """A table of _facts_rows_sql's rows for every compared rule row and scope, and how
    many reports were compared now. Kept in STATE_SCHEMA when the warehouse has the state to key
    it on (dbt's intermediate.int_report_changes and dbt_state.build_signature); otherwise a
    temp table of this connection."""
    if not (_exists(con, "intermediate", "int_report_changes") and _exists(con, "dbt_state", "build_signature")):
        con.execute(f"create or replace temp table facts_rows as {_facts_rows_sql(sides, False)}")
        return "facts_rows", -1
    dbt_signature = con.execute("select signature from dbt_state.build_signature").fetchall()
    signature = hashlib.md5("|".join([digest(), *(dbt_signature[0] if dbt_signature else ["none"]),
                                      *(fs.compared_sql() for fs in sides)]).encode("utf-8")).hexdigest()
    rows, basis, sig = (f"{STATE_SCHEMA}.{t}" for t in ("facts_rows", "report_basis", "signature"))
    everything = not (_exists(con, STATE_SCHEMA, "signature") and _exists(con, STATE_SCHEMA, "facts_rows")
                      and con.execute(f"select any_value(signature) from {sig}").fetchall()[0][0] == signature)
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {STATE_SCHEMA}")
        # each current report's fingerprint as dbt computed it in this build: its raw row (read
        # from DuckDB or, in the partitioned job, from Parquet) and the vocabulary
        con.execute("""create or replace temp table current_basis as
                       select report_id, fingerprint as row_hash from intermediate.int_report_changes where is_current""")
        if everything:
            con.execute(f"create or replace table {rows} as {_facts_rows_sql(sides, False)}")
            compared = con.execute("select count(*) from current_basis").fetchall()[0][0]
        else:
            con.execute(f"""create or replace temp table facts_todo as
                select coalesce(c.report_id, p.report_id) as report_id
                from current_basis as c full outer join {basis} as p on p.report_id = c.report_id
                where c.row_hash is distinct from p.row_hash""")
            compared = con.execute("select count(*) from facts_todo").fetchall()[0][0]
            if compared:
                con.execute(f"delete from {rows} where report_id in (select report_id from facts_todo)")
                con.execute(f"insert into {rows} {_facts_rows_sql(sides, True)}")
        con.execute(f"create or replace table {basis} as select * from current_basis")
        con.execute(f"create or replace table {sig} as select ? as signature", [signature])
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return rows, compared


def all_aggregates(con: duckdb.DuckDBPyConnection, rules: Sequence[Rule]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The frames the suites validate: one row per (rule, report year, scope) with the number of
    evaluated rows and of rows whose sides differ; and one row per (rule, scope) of a leaf-only
    side with the number of rows whose recorded value differs from the facts' sum. DuckDB
    compares every row (one scan of fct_reconciliation; the facts side per report, kept between
    runs, see above); GE validates a few hundred aggregates instead of millions of rows (a
    100,000-report warehouse has ~3 million rule rows)."""
    sides = con.execute(
        """select rule, report_year, scope_id, count(*) as n_rows,
                  count(*) filter (where report_id is null) as n_missing_report_id,
                  count(*) filter (where left_value is distinct from right_value) as n_unequal
           from marts.fct_reconciliation where passed is not null group by all order by all""").df()
    facts_sides = [fs for fs in map(_facts_side, rules) if fs is not None]
    if not facts_sides:
        return sides, pd.DataFrame(columns=["rule", "scope_id", "n_rows", "n_mismatched"])
    rows, _ = _facts_rows(con, facts_sides)
    # only scopes some report has leaf cells in (a scope none has, e.g. a subtotal row, is not leaf-only)
    facts = con.execute(f"""select rule, scope_id, count(*) as n_rows, count(*) filter (where mismatched) as n_mismatched
                            from {rows} semi join (select distinct rule, scope_id from {rows} where has_cells) as s
                                 using (rule, scope_id)
                            where has_rule_row group by all order by all""").df()
    return sides, facts


def failing_rows(con: duckdb.DuckDBPyConnection, rule: Rule) -> pd.DataFrame:
    """The rule's evaluated rows whose sides differ (the reports that fail it)."""
    where, params = _sides_sql(rule.id)
    return con.execute(
        f"select report_id, agency_id, report_year, scope_id, left_value, right_value {where} "
        "and left_value is distinct from right_value order by report_id, scope_id", params).df()


def _failing_rules(frame: pd.DataFrame, result, column: str) -> set[str]:
    """Rules with a row GE found unexpected (its index list; the same rows by definition if GE
    returned none usable)."""
    idx = result.result.get("unexpected_index_list") or []
    if idx and all(isinstance(i, int) for i in idx):
        return set(frame.iloc[idx]["rule"])
    return set(frame.loc[frame[column] != 0, "rule"]) if not result.success else set()


def run_suites(db_path: str) -> list[SuiteOutcome]:
    """Validate every rule of the vocabulary against the warehouse at db_path.

    Two GE validations cover every rule (sides equal, facts agree), each over the aggregated
    frame of all rules; a rule's suite fails when a row of its own is unexpected."""
    import logging

    import great_expectations as gx
    import great_expectations.expectations as gxe

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # no tqdm bars on the run's console (two validations finish in well under a second)
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch_definition = (context.data_sources.add_pandas("nianbao_frames")
                        .add_dataframe_asset("frames").add_batch_definition_whole_dataframe("whole"))

    def validate(name: str, df: pd.DataFrame, expectations: list) -> dict:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
        res = batch.validate(gx.ExpectationSuite(name=name, expectations=expectations),
                             result_format={"result_format": "COMPLETE"})
        return {r.expectation_config.kwargs["column"]: r for r in res.results}

    rules = load().rules
    outcomes = []
    with duckdb.connect(db_path) as con:  # writes the kept facts verdicts (see above)
        sides, facts = all_aggregates(con, rules)
        sides_res = validate("reconciliation_sides_equal", sides, [
            gxe.ExpectColumnValuesToBeBetween(column="n_missing_report_id", min_value=0, max_value=0),
            gxe.ExpectColumnValuesToBeBetween(column="n_unequal", min_value=0, max_value=0),
        ]) if not sides.empty else {}
        facts_res = validate("reconciliation_facts_agree", facts, [
            gxe.ExpectColumnValuesToBeBetween(column="n_mismatched", min_value=0, max_value=0),
        ]) if not facts.empty else {}
        failing = {col: _failing_rules(sides, r, col) for col, r in sides_res.items()}
        mismatched = {col: _failing_rules(facts, r, col) for col, r in facts_res.items()}
        for rule in rules:
            mine = sides[sides["rule"] == rule.id]
            out = SuiteOutcome(rule.id, rule.severity, rule.statement_zh, evaluated=int(mine["n_rows"].sum()))
            if not mine.empty:
                for col, r in sides_res.items():
                    out.expectations.append({"suite": f"{rule.id}: sides equal", "expectation": r.expectation_config.type,
                                             "column": col, "success": rule.id not in failing[col]})
                if rule.id in failing.get("n_unequal", set()):
                    out.failures = failing_rows(con, rule)
                    out.failed = len(out.failures)
                    # once, from the column as a list (iterating a pandas string column is slow at scale)
                    out.failing_reports = sorted(set(out.failures["report_id"].tolist()))
            fmine = facts[facts["rule"] == rule.id]
            if not fmine.empty:
                out.facts_checked = int(fmine["n_rows"].sum())
                ok = rule.id not in mismatched.get("n_mismatched", set())
                out.expectations.append({"suite": f"{rule.id}: facts agree",
                                         "expectation": "expect_column_values_to_be_between",
                                         "column": "n_mismatched", "success": ok})
                if not ok:
                    out.facts_mismatched = int(fmine["n_mismatched"].sum())
            outcomes.append(out)
    return outcomes


def store_outcomes(con: duckdb.DuckDBPyConnection, outcomes: list[SuiteOutcome]) -> None:
    """Write the suites' verdicts and the failing rows into the warehouse."""
    summary = pd.DataFrame([{
        "rule": o.rule, "severity": o.severity, "statement_zh": o.statement_zh, "success": o.success,
        "rows_evaluated": o.evaluated, "rows_failed": o.failed, "reports_failed": len(o.failing_reports),
        "facts_checked": o.facts_checked, "facts_mismatched": o.facts_mismatched,
        "expectations": json.dumps(o.expectations, ensure_ascii=False),
    } for o in outcomes])
    failures = pd.concat(
        [o.failures.assign(rule=o.rule, severity=o.severity) for o in outcomes if o.failures is not None and not o.failures.empty]
        or [pd.DataFrame(columns=["report_id", "agency_id", "report_year", "scope_id", "left_value", "right_value", "rule", "severity"])],
        ignore_index=True)
    con.execute("create schema if not exists marts")
    con.register("summary_df", summary)
    con.execute(f"create or replace table {RESULTS_TABLE} as select * from summary_df order by rule")
    con.register("failures_df", failures)
    con.execute(f"""create or replace table {FAILURES_TABLE} as
        select rule, severity, report_id, agency_id, cast(report_year as integer) as report_year, scope_id,
               cast(left_value as double) as left_value, cast(right_value as double) as right_value
        from failures_df order by rule, report_id, scope_id""")
    con.unregister("summary_df")
    con.unregister("failures_df")
