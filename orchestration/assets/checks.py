"""Great Expectations suites for the reconciliation rules, surfaced as Dagster asset checks.

One asset runs every suite (GE imports once) and writes the verdicts into the warehouse;
each rule of the vocabulary is one asset check on it. A failing rule is a finding about the
data: the check fails (error or warn as the rule's severity says) but the run goes on.
"""

import logging

import dagster as dg
import duckdb

from nianbao.checks.expectations import FAILURES_TABLE, RESULTS_TABLE, run_suites, store_outcomes
from nianbao.vocabulary.loader import load

from orchestration.resources import NianbaoResource

progress_log = logging.getLogger("nianbao.progress")
VALIDATION_KEY = dg.AssetKey(["reconciliation_validation"])


def _check_specs() -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name=rule.id, asset=VALIDATION_KEY, description=rule.statement_zh)
            for rule in load().rules]


def build_validation_asset(upstream: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(key=VALIDATION_KEY, deps=upstream, group_name="checks", kinds={"python", "duckdb"},
              check_specs=_check_specs(),
              description=f"Runs the Great Expectations suite of every reconciliation rule and stores the "
                          f"verdicts in {RESULTS_TABLE} and the failing rows in {FAILURES_TABLE}.")
    def reconciliation_validation(context: dg.AssetExecutionContext, nianbao: NianbaoResource):
        settings = nianbao.settings()
        progress_log.info("[checks] running the rule suites")
        outcomes = run_suites(str(settings.work_db_path))
        with duckdb.connect(str(settings.work_db_path)) as con:
            store_outcomes(con, outcomes)
        failing = {o.rule: len(o.failing_reports) for o in outcomes if not o.success}
        progress_log.info("[checks] %d rule suites run; reports failing: %s", len(outcomes), failing or "none")
        yield dg.MaterializeResult(metadata={
            "suites": len(outcomes),
            "reports_failing_by_rule": dg.MetadataValue.json(failing),
        })
        for o in outcomes:
            listed = o.failures.head(20) if o.failures is not None else None
            table = (listed[["report_id", "agency_id", "report_year", "scope_id", "left_value", "right_value"]]
                     .to_markdown(index=False) if listed is not None and not listed.empty else "none")
            yield dg.AssetCheckResult(
                check_name=o.rule, asset_key=VALIDATION_KEY, passed=o.success,
                severity=dg.AssetCheckSeverity.ERROR if o.severity == "error" else dg.AssetCheckSeverity.WARN,
                description=o.statement_zh,
                metadata={
                    "rows_evaluated": o.evaluated, "rows_failed": o.failed,
                    "reports_failed": len(o.failing_reports),
                    "facts_checked": o.facts_checked, "facts_mismatched": o.facts_mismatched,
                    "failing_reports": dg.MetadataValue.json(o.failing_reports[:50]),
                    "first_failures": dg.MetadataValue.md(table),
                    "expectations": dg.MetadataValue.json(o.expectations),
                },
            )

    return reconciliation_validation
