"""Great Expectations suites for the reconciliation rules, generated from the vocabulary.

For every rule of vocabulary.yaml there is one suite, validated against the warehouse:

* ``<rule>: sides equal`` — every evaluated row of ``marts.fct_reconciliation`` has
  left_value == right_value. Its unexpected rows are the reports that fail the rule.
* ``<rule>: facts agree`` — for a side made only of leaf cells, the value recorded in
  fct_reconciliation equals the same sum recomputed from the fact tables, so no cell was
  lost or altered between parsing and the marts.

GE's SQL datasource is broken on DuckDB (stack notes §3.4), so DuckDB computes each frame
and GE validates it through the pandas datasource. ``import great_expectations`` costs
seconds, so it happens only inside ``run_suites``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .vocab import Rule, load

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

    @property
    def success(self) -> bool:
        return self.failed == 0 and self.facts_mismatched == 0

    @property
    def failing_reports(self) -> list[str]:
        if self.failures is None or self.failures.empty:
            return []
        return sorted(set(self.failures["report_id"]))


def _leaf_side_sql(rule: Rule, side: tuple[str, ...]) -> str | None:
    """SQL recomputing one side of a per-report rule from the facts, when it is all leaves."""
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
        return (f"select report_id, applicant_type as scope_id, sum(n)::double as facts_value from {t3_leaves} "
                f"where row_id in ({ids}) group by 1, 2")
    if rule.table == "t3" and rule.per == "row" and set(side) <= applicants | {"@applicants"}:
        return f"select report_id, row_id as scope_id, sum(n)::double as facts_value from {t3_leaves} group by 1, 2"
    if rule.table == "t4" and rule.per == "row" and set(side) <= results | {"@results"}:
        return ("select report_id, proceeding as scope_id, sum(\"count\")::double as facts_value "
                "from marts.fct_litigation where source = 'table' group by 1, 2")
    return None


def rule_frames(con: duckdb.DuckDBPyConnection, rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(the rule's evaluated rows, the facts-agree comparison or None)."""
    sides = con.execute(
        """select report_id, agency_id, report_year, scope_id, left_value, right_value
           from marts.fct_reconciliation where rule = ? and passed is not null
           order by report_id, scope_id""", [rule.id]).df()
    facts = None
    for name, side in (("left_value", rule.left), ("right_value", rule.right)):
        sql = _leaf_side_sql(rule, side) if rule.scope == "report" and rule.table else None
        if sql is None:
            continue
        facts = con.execute(
            f"""select r.report_id, r.scope_id, r.{name} as recorded_value, coalesce(f.facts_value, 0) as facts_value
                from marts.fct_reconciliation r left join ({sql}) f using (report_id, scope_id)
                where r.rule = ? and r.{name} is not null and r.scope_id in (select scope_id from ({sql}))
                order by r.report_id, r.scope_id""", [rule.id]).df()
        break
    return sides, facts


def _validate(context, name: str, df: pd.DataFrame, expectations: list) -> dict:
    import great_expectations as gx

    batch = (context.data_sources.add_pandas(f"{name}_frames")
             .add_dataframe_asset(name).add_batch_definition_whole_dataframe("whole"))
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for e in expectations:
        suite.add_expectation(e)
    vd = context.validation_definitions.add(gx.ValidationDefinition(name=f"{name}_vd", data=batch, suite=suite))
    result = vd.run(batch_parameters={"dataframe": df}, result_format={"result_format": "COMPLETE"})
    return result


def run_suites(db_path: str) -> list[SuiteOutcome]:
    """Validate every rule of the vocabulary against the warehouse at db_path (read-only)."""
    import logging

    import great_expectations as gx
    import great_expectations.expectations as gxe

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    outcomes = []
    with duckdb.connect(db_path, read_only=True) as con:
        for rule in load().rules:
            sides, facts = rule_frames(con, rule)
            out = SuiteOutcome(rule.id, rule.severity, rule.statement_zh, evaluated=len(sides))
            if not sides.empty:
                res = _validate(context, f"{rule.id}_sides_equal", sides, [
                    gxe.ExpectColumnValuesToNotBeNull(column="report_id"),
                    gxe.ExpectColumnPairValuesToBeEqual(column_A="left_value", column_B="right_value"),
                ])
                for r in res.results:
                    out.expectations.append({"suite": f"{rule.id}: sides equal", "expectation": r.expectation_config.type,
                                             "success": bool(r.success)})
                    if r.expectation_config.type == "expect_column_pair_values_to_be_equal" and not r.success:
                        idx = r.result.get("unexpected_index_list") or []
                        if idx and all(isinstance(i, int) for i in idx):
                            failed = sides.iloc[idx]
                        else:  # GE returned no usable index: the same rows by definition
                            failed = sides[sides["left_value"] != sides["right_value"]]
                        out.failures = failed.reset_index(drop=True)
                        out.failed = len(failed)
            if facts is not None and not facts.empty:
                res = _validate(context, f"{rule.id}_facts_agree", facts, [
                    gxe.ExpectColumnPairValuesToBeEqual(column_A="recorded_value", column_B="facts_value"),
                ])
                out.facts_checked = len(facts)
                for r in res.results:
                    out.expectations.append({"suite": f"{rule.id}: facts agree", "expectation": r.expectation_config.type,
                                             "success": bool(r.success)})
                    if not r.success:
                        out.facts_mismatched = int(r.result.get("unexpected_count") or 0)
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
